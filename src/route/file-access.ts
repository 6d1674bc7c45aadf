// Reading .forward and :include: files as the user they belong to (aliases-forward.md §4, §5.3). The
// reader reports facts only — the file's stat, every directory above it, symlink facts and the
// content; the safety rules (route/file-safety.ts) are pure functions of those facts, so they judge
// the same way whoever did the reading (the delivery agent as the user, or the current process).

import type { Identity } from './types.js';

export interface StatInfo {
  dev: number;
  ino: number;
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  size: number;
}

export interface DirFact {
  path: string;
  uid: number;
  mode: number;
}

export type FileRead =
  | {
      status: 'ok';
      /** Empty when the file is not a regular file (it is never read then). */
      content: string;
      /** The file itself (after following a symbolic link). */
      file: StatInfo;
      /** The path given is a symbolic link. */
      symlink: boolean;
      /** The directory holding the link is writable by others (only meaningful when symlink). */
      linkDirWritableByOthers: boolean;
      /**
       * Every directory from `/` down to the one holding the file; for a symbolic link, the
       * directories of the link's path and of its target's.
       */
      dirs: DirFact[];
    }
  /** ENOENT, ENOTDIR: the file does not exist. */
  | { status: 'missing' }
  /** EACCES and other permanent errors; `reason` is the system's text (`Permission denied`). */
  | { status: 'denied'; reason: string }
  /** EIO, ETIMEDOUT, EAGAIN, ESTALE, or no answer in time (`timeout`). */
  | { status: 'transient'; reason: string; timeout?: boolean };

export interface UserFileAccess {
  read(path: string, as: Identity, timeoutMs: number): Promise<FileRead>;
}
