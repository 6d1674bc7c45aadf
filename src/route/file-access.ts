// Stand-in for D1's src/route/file-access.ts (branch route): the contract of /work/delivery-design.md,
// verbatim, so the master/worker split builds before that branch lands. Take D1's file at the merge.

import type { Identity } from './types.js';

export interface StatInfo { dev: number; ino: number; mode: number; uid: number; gid: number; nlink: number; size: number }
export type FileRead =
  | { status: 'ok'; content: string; file: StatInfo; symlink: boolean; linkDirWritableByOthers: boolean;
      dirs: Array<{ path: string; uid: number; mode: number }> }
  | { status: 'missing' } | { status: 'denied'; reason: string } | { status: 'transient'; reason: string };
export interface UserFileAccess { read(path: string, as: Identity, timeoutMs: number): Promise<FileRead> }
