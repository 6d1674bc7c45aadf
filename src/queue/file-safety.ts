// Whether a file in the queue directory may be trusted as a queue file: sendmail refuses control
// files that are not owned by the queue owner or that grant group/other permissions (§2.3), since
// anyone able to plant or alter one could have mail delivered as they please.

import type { Stats } from 'node:fs';

export function octalMode(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}

/** The reason a queue file is unsafe, or null when it is a regular file of `owner` with mode 0600 or less. */
export function unsafeFileProblem(st: Stats, owner: number): string | null {
  const ids = `uid=${st.uid}, gid=${st.gid}, mode=${octalMode(st.mode)}`;
  if (!st.isFile()) return `not a regular file (${ids})`;
  if (st.uid !== owner) return `not owned by the queue owner uid ${owner} (${ids})`;
  if ((st.mode & 0o077) !== 0) return `group or other permission bits set (${ids})`;
  return null;
}

export function effectiveUid(): number {
  // geteuid exists on every POSIX platform; Postern runs on nothing else.
  return typeof process.geteuid === 'function' ? process.geteuid() : -1;
}
