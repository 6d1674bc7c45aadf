// The native addon (native/postern_native.c, built by node-gyp from binding.gyp): fcntl record locks,
// the C library's error texts, getpwnam through NSS, the peer credentials of a Unix socket. Loaded when
// the agent starts (as its user); a missing addon is a hard error, never a quiet
// fallback to unlocked writes.

import { createRequire } from 'node:module';
import { constants } from 'node:os';

interface Addon {
  lock(fd: number, timeoutMs: number): number;
  unlock(fd: number): number;
  strerror(errno: number): string;
  getpwnam(name: string): { name: string; uid: number; gid: number; dir: string; shell: string } | null;
  peerCred(fd: number): PeerCredentials | number;
}

/** The process at the other end of a Unix socket, as the kernel recorded it at connect(). */
export interface PeerCredentials {
  pid: number;
  uid: number;
  gid: number;
  /** supplementary groups (SO_PEERGROUPS); empty where the kernel cannot tell */
  groups: number[];
}

// dist/src/deliver/native.js → <root>/build/Release/postern_native.node
const ADDON = '../../../build/Release/postern_native.node';

function load(): Addon {
  const require = createRequire(import.meta.url);
  try {
    return require(ADDON) as Addon;
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new Error(`Postern's native addon is not built (${why}); run \`npm ci\` or \`node scripts/ensure-built.mjs\``);
  }
}

const addon = load();

export const ETIMEDOUT = constants.errno.ETIMEDOUT;

/**
 * An exclusive fcntl lock on the whole file. timeoutMs 0: one try (EAGAIN when held elsewhere);
 * otherwise waits at most that long (ETIMEDOUT). Returns 0 or an errno.
 */
export function lockFd(fd: number, timeoutMs: number): number {
  return addon.lock(fd, Math.min(Math.max(0, Math.round(timeoutMs)), 0x7fffffff));
}

export function unlockFd(fd: number): number {
  return addon.unlock(fd);
}

/** The C library's text for an errno: `No such file or directory`. */
export function strerror(errno: number): string {
  return addon.strerror(Math.abs(errno));
}

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  dir: string;
  shell: string;
}

/** The user as the name service knows it now; undefined when there is no such user. Throws on lookup errors. */
export function getpwnam(name: string): PasswdEntry | undefined {
  return addon.getpwnam(name) ?? undefined;
}

/** SO_PEERCRED (+ SO_PEERGROUPS) of a connected Unix socket's descriptor; an errno when the kernel refuses. */
export function peerCred(fd: number): PeerCredentials | number {
  return addon.peerCred(fd);
}
