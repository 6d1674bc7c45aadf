// The agent's identity: it is started as the delivery's user (agent-plan.ts: setpriv sets the
// supplementary groups, the group and the user, then execs node), and checks that it is who the plan
// says, and that root cannot be regained, before it does anything.

export interface Credentials {
  uid: number;
  gid: number;
  /** initgroups(user, gid): the user's groups plus gid; or an explicit list. */
  groups: { initgroups: string } | { list: number[] };
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

export class IdentityError extends Error {}

// POSIX-only parts of `process` (absent on Windows).
interface PosixProcess {
  setuid?: (id: number) => void;
}

function posix<K extends keyof PosixProcess>(name: K): NonNullable<PosixProcess[K]> {
  const fn = (process as PosixProcess)[name];
  if (fn === undefined) throw new IdentityError(`process.${name} is not available on this platform`);
  return fn.bind(process) as NonNullable<PosixProcess[K]>;
}

/**
 * Checks that this process is `c` (it was started as it: agent-plan.ts), and that a process that is
 * not root cannot become root again. Throws an IdentityError saying what differs.
 */
export function checkIdentity(c: Credentials): void {
  const ids = { uid: process.getuid?.(), euid: process.geteuid?.(), gid: process.getgid?.(), egid: process.getegid?.() };
  if (ids.uid !== c.uid || ids.euid !== c.uid || ids.gid !== c.gid || ids.egid !== c.gid) {
    throw new IdentityError(`started as uid ${ids.uid}/${ids.euid} gid ${ids.gid}/${ids.egid}, not as uid ${c.uid} gid ${c.gid}`);
  }
  if (c.uid === 0) return;
  let regained = false;
  try {
    posix('setuid')(0);
    regained = true;
  } catch {
    // expected: root is not to be had
  }
  if (regained) throw new IdentityError('root could be regained');
}
