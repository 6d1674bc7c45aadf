// Who is calling (cli.md §1): the login for a uid, whether the caller is trusted (uid 0, TrustedUser, the
// owner of the queue directory) and whether the caller is in class t (may set the sender with -f).

import { stat } from 'node:fs/promises';
import type { EffectiveConfig } from '../config/effective.js';
import type { UserEntry, UserTable } from '../maps/users.js';
import { trustedUserWords } from '../route/context.js';
import type { SubmitCaller } from './submit.js';

const CLASS_T_ALWAYS = ['root', 'daemon', 'uucp'];

export function userByUid(users: UserTable, uid: number): UserEntry | undefined {
  for (const u of users.users.values()) if (u.uid === uid) return u;
  return undefined;
}

/** The owner of the queue directory, or undefined when it cannot be read. */
export async function queueOwner(queueDir: string): Promise<number | undefined> {
  return stat(queueDir).then(
    (s) => s.uid,
    () => undefined,
  );
}

/** TrustedUser given as a name or a number. */
function trustedUserUid(cfg: EffectiveConfig, users: UserTable): number | undefined {
  const t = cfg.options.TrustedUser;
  if (t === undefined || t === '') return undefined;
  if (/^\d+$/.test(t)) return Number(t);
  return users.lookupUser(t)?.uid;
}

/** uid 0, TrustedUser, or the owner of the queue directory (cli.md §1). */
export function isTrustedUid(uid: number, cfg: EffectiveConfig, users: UserTable, owner: number | undefined): boolean {
  return uid === 0 || uid === trustedUserUid(cfg, users) || (owner !== undefined && owner === uid);
}

export function callerFor(uid: number, cfg: EffectiveConfig, users: UserTable, owner: number | undefined): SubmitCaller {
  const u = userByUid(users, uid);
  const login = u?.name ?? String(uid);
  const classT = new Set([...CLASS_T_ALWAYS, ...trustedUserWords(cfg)].map((w) => w.toLowerCase()));
  return {
    uid,
    login,
    fullName: u?.gecos ?? '',
    trusted: isTrustedUid(uid, cfg, users, owner),
    classT: uid === 0 || classT.has(login.toLowerCase()),
  };
}
