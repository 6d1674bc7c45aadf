// open(2) bounded by Timeout.fileopen: an NFS server that does not answer, or a FIFO nobody reads,
// must not hold the agent forever. Node cannot cancel an open in progress; a late descriptor is
// closed when it arrives.

import { close, open } from 'node:fs';

export type Opened = { ok: true; fd: number } | { ok: false; timedOut: true } | { ok: false; timedOut: false; error: NodeJS.ErrnoException };

export function openWithTimeout(path: string, flags: number, mode: number, timeoutMs: number): Promise<Opened> {
  return new Promise((resolve) => {
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      resolve({ ok: false, timedOut: true });
    }, timeoutMs);
    open(path, flags, mode, (error, fd) => {
      if (late) {
        if (error === null) close(fd, () => undefined);
        return;
      }
      clearTimeout(timer);
      resolve(error === null ? { ok: true, fd } : { ok: false, timedOut: false, error });
    });
  });
}
