// Types owned by routing (delivery-design.md: src/route/types.ts and src/route/file-access.ts, D1).
// Copied here field for field so the agent builds on its own branch; when the branches meet, this
// file becomes `export type { ... } from '../route/...'` and nothing else changes (the types are
// structural, so both copies are interchangeable until then).

export interface Identity {
  name: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
}

/** A reply for a delivery status: `550 5.1.1 User unknown` is { code: 550, enh: '5.1.1', text: 'User unknown' }. */
export interface StatusText {
  code: number;
  enh: string;
  text: string;
}

export interface StatInfo {
  dev: number;
  ino: number;
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  size: number;
}

export type FileRead =
  | {
      status: 'ok';
      content: string;
      file: StatInfo;
      symlink: boolean;
      linkDirWritableByOthers: boolean;
      /** Every directory from / down to the one holding the file. */
      dirs: Array<{ path: string; uid: number; mode: number }>;
    }
  | { status: 'missing' }
  | { status: 'denied'; reason: string }
  | { status: 'transient'; reason: string };

export interface UserFileAccess {
  read(path: string, as: Identity, timeoutMs: number): Promise<FileRead>;
}
