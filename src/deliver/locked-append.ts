// Appending one entry to a mailbox or file under an fcntl lock (program-and-file-delivery.md §4.4
// steps 3–6): lock, note the size, write, fsync, and on any error cut the file back to that size so a
// failed delivery never leaves half a message for the next one to be glued to.

import { fstatSync, fsyncSync, ftruncateSync, writeSync } from 'node:fs';
import { ETIMEDOUT, lockFd, unlockFd } from './native.js';

export type AppendOutcome =
  | { ok: true; bytes: number }
  | { ok: false; stage: 'lock'; timedOut: boolean; errno: number }
  | { ok: false; stage: 'write'; error: unknown };

export function appendLocked(fd: number, data: Buffer, lockTimeoutMs: number, regular: boolean): AppendOutcome {
  if (regular) {
    const e = lockFd(fd, lockTimeoutMs);
    if (e !== 0) return { ok: false, stage: 'lock', timedOut: e === ETIMEDOUT, errno: e };
  }
  try {
    const size = regular ? fstatSync(fd).size : 0;
    try {
      for (let off = 0; off < data.length; ) off += writeSync(fd, data, off, data.length - off);
      if (regular) fsyncSync(fd);
    } catch (error) {
      if (regular) {
        try {
          ftruncateSync(fd, size);
          fsyncSync(fd);
        } catch {
          // the write error is what gets reported
        }
      }
      return { ok: false, stage: 'write', error };
    }
    return { ok: true, bytes: data.length };
  } finally {
    if (regular) unlockFd(fd);
  }
}
