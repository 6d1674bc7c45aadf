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

export type BatchAppendOutcome =
  | { ok: true; entries: Array<{ ok: true; bytes: number } | { ok: false; error: unknown }> }
  | { ok: false; stage: 'lock'; timedOut: boolean; errno: number }
  | { ok: false; stage: 'sync'; error: unknown };

/**
 * Several entries under one lock and one fsync (a batch of deliveries to one mailbox). An entry whose
 * write fails is cut off again and the others still go in; if the fsync fails, the file is cut back to
 * its size before the batch, so none of it counts as delivered.
 */
export function appendLockedBatch(fd: number, entries: Buffer[], lockTimeoutMs: number): BatchAppendOutcome {
  const e = lockFd(fd, lockTimeoutMs);
  if (e !== 0) return { ok: false, stage: 'lock', timedOut: e === ETIMEDOUT, errno: e };
  try {
    const start = fstatSync(fd).size;
    let size = start;
    const out: Array<{ ok: true; bytes: number } | { ok: false; error: unknown }> = [];
    for (const data of entries) {
      try {
        for (let off = 0; off < data.length; ) off += writeSync(fd, data, off, data.length - off);
        size += data.length;
        out.push({ ok: true, bytes: data.length });
      } catch (error) {
        try {
          ftruncateSync(fd, size);
        } catch {
          // the fsync below decides; a failed cut shows there too
        }
        out.push({ ok: false, error });
      }
    }
    try {
      fsyncSync(fd);
    } catch (error) {
      try {
        ftruncateSync(fd, start);
        fsyncSync(fd);
      } catch {
        // the fsync error is what gets reported
      }
      return { ok: false, stage: 'sync', error };
    }
    return { ok: true, entries: out };
  } finally {
    unlockFd(fd);
  }
}
