// The `<mailbox>.lock` dot-lock of mail spools (program-and-file-delivery.md §5): created with
// O_EXCL, waited for while someone else holds it, broken when older than 5 minutes (its holder
// died), and removed afterwards only if it is still ours.

import { closeSync, constants as fs, lstatSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { errCode } from './errors.js';

export const STALE_MS = 5 * 60_000;
const POLL_MS = 100;

export interface DotLock {
  path: string;
  dev: number;
  ino: number;
}

export type DotLockResult = { ok: true; lock: DotLock; brokeStale: boolean } | { ok: false; timedOut: true } | { ok: false; timedOut: false; error: unknown };

export async function takeDotLock(mailbox: string, timeoutMs: number): Promise<DotLockResult> {
  const path = `${mailbox}.lock`;
  const deadline = Date.now() + timeoutMs;
  let brokeStale = false;
  for (;;) {
    try {
      const fd = openSync(path, fs.O_WRONLY | fs.O_CREAT | fs.O_EXCL | fs.O_NOFOLLOW, 0o600);
      try {
        writeSync(fd, `${process.pid}\n`);
        const st = lstatSync(path);
        return { ok: true, lock: { path, dev: st.dev, ino: st.ino }, brokeStale };
      } finally {
        closeSync(fd);
      }
    } catch (e) {
      if (errCode(e) !== 'EEXIST') return { ok: false, timedOut: false, error: e };
    }
    try {
      const st = lstatSync(path);
      if (Date.now() - st.mtimeMs > STALE_MS) {
        unlinkSync(path);
        brokeStale = true;
        continue;
      }
    } catch (e) {
      // Released between our open and our look: try again at once.
      if (errCode(e) === 'ENOENT') continue;
      return { ok: false, timedOut: false, error: e };
    }
    if (Date.now() >= deadline) return { ok: false, timedOut: true };
    await sleep(Math.min(POLL_MS, Math.max(1, deadline - Date.now())));
  }
}

export function releaseDotLock(lock: DotLock): void {
  try {
    const st = lstatSync(lock.path);
    if (st.dev === lock.dev && st.ino === lock.ino) unlinkSync(lock.path);
  } catch {
    // gone already (broken as stale by someone else after 5 minutes)
  }
}
