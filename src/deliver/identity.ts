// Becoming the delivery's user: the agent's first act when it runs as root (delivery-design.md,
// ARCHITECTURE.md "Privilege"). Supplementary groups first, then the group, then the user; every
// step is checked, root is refused as a target, and any failure ends the agent before it has
// opened anything.

import { getpwnam } from './native.js';

export interface Credentials {
  uid: number;
  gid: number;
  /** initgroups(user, gid): the user's groups plus gid; or an explicit list. */
  groups: { initgroups: string } | { list: number[] };
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

export class DropError extends Error {}

// POSIX-only parts of `process` (absent on Windows, and initgroups is missing from @types/node 20).
interface PosixProcess {
  initgroups?: (user: string | number, extraGroup: string | number) => void;
  setgroups?: (groups: number[]) => void;
  setgid?: (id: number) => void;
  setuid?: (id: number) => void;
}

function posix<K extends keyof PosixProcess>(name: K): NonNullable<PosixProcess[K]> {
  const fn = (process as PosixProcess)[name];
  if (fn === undefined) throw new DropError(`process.${name} is not available on this platform`);
  return fn.bind(process) as NonNullable<PosixProcess[K]>;
}

/** Switches the process to `c` if it runs as root; does nothing otherwise (it then acts as itself). */
export function dropPrivileges(c: Credentials): void {
  if (!isRoot()) return;
  if (c.uid === 0) throw new DropError('refusing to act as root (uid 0)');
  try {
    if ('initgroups' in c.groups && getpwnam(c.groups.initgroups) !== undefined) posix('initgroups')(c.groups.initgroups, c.gid);
    else posix('setgroups')('list' in c.groups ? c.groups.list : [c.gid]);
    posix('setgid')(c.gid);
    posix('setuid')(c.uid);
  } catch (e) {
    throw new DropError(`cannot become uid ${c.uid} gid ${c.gid}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const ok = process.getuid?.() === c.uid && process.geteuid?.() === c.uid && process.getgid?.() === c.gid && process.getegid?.() === c.gid;
  if (!ok) throw new DropError(`identity check failed after switching to uid ${c.uid} gid ${c.gid}`);
  let regained = false;
  try {
    posix('setuid')(0);
    regained = true;
  } catch {
    // expected: root is gone for good
  }
  if (regained) throw new DropError('root could be regained after dropping privileges');
}
