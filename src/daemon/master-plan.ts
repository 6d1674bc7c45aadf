// Who runs what, decided once at start-up (ARCHITECTURE.md "Privilege"):
// - not root: one process as the current user (nothing to drop);
// - root, RunAsUser an unprivileged account: a root master and an unprivileged worker;
// - root, RunAsUser root (or an account with uid 0): one process that keeps root, with a warning;
// - root, RunAsUser missing (or with gid 0): an error, except for the embedded default, which keeps root with a warning.

import type { EffectiveConfig } from '../config/effective.js';
import type { UserEntry, UserTable } from '../maps/users.js';

export type PrivilegePlan =
  | { mode: 'single'; warning?: string }
  | { mode: 'split'; user: UserEntry }
  | { mode: 'error'; message: string };

export const ROOT_WARNING = 'RunAsUser is root: the daemon keeps root privileges';

export function privilegePlan(cfg: EffectiveConfig, isRoot: boolean, users: UserTable): PrivilegePlan {
  if (!isRoot) return { mode: 'single' };
  const name = cfg.options.RunAsUser;
  if (name === 'root' || name === '0') return { mode: 'single', warning: ROOT_WARNING };
  const user = users.lookupUser(name);
  if (user === undefined) {
    if (cfg.embedded) return { mode: 'single', warning: `RunAsUser ${name} does not exist; the embedded daemon keeps running as root` };
    return { mode: 'error', message: `RunAsUser ${name}: no such user (create it, or set RunAsUser explicitly)` };
  }
  if (user.uid === 0) return { mode: 'single', warning: ROOT_WARNING };
  if (user.gid === 0) return { mode: 'error', message: `RunAsUser ${name}: its primary group is root (gid 0); use an account with a group of its own` };
  return { mode: 'split', user };
}
