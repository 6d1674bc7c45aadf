// One process per writer id: two processes appending to the same segments would interleave their
// batches. The lock is a file <writer>.lock holding the owner's pid, created atomically with link(2);
// a lock whose process is gone (a crash, kill -9) is taken over. Node has no flock(2), hence pids.

import { link, open, readFile, rename, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { errorCode, SpoolSetupError } from './errors.js';
import type { SpoolEvent } from './events.js';
import { lockName } from './segment-name.js';

function processRuns(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return false; // a lock from an earlier life of this very pid (e.g. pid 1 in a container)
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errorCode(err) === 'EPERM';
  }
}

/** Locks held by this process: its own pid in a lock file does not tell two Spools apart. */
const heldHere = new Set<string>();

export class WriterLock {
  private constructor(private readonly path: string) {}

  static async acquire(dir: string, writer: string, mode: number, emit: (e: SpoolEvent) => void): Promise<WriterLock> {
    const path = join(resolve(dir), lockName(writer));
    if (heldHere.has(path)) {
      throw new SpoolSetupError(`queue directory ${dir}: writer ${writer} is already open in this process`);
    }
    heldHere.add(path);
    try {
      return await WriterLock.take(dir, writer, path, mode, emit);
    } catch (err) {
      heldHere.delete(path);
      throw err;
    }
  }

  private static async take(
    dir: string,
    writer: string,
    path: string,
    mode: number,
    emit: (e: SpoolEvent) => void,
  ): Promise<WriterLock> {
    const tmp = `${path}.${process.pid}.tmp`;
    const fh = await open(tmp, 'w', mode);
    try {
      await fh.writeFile(`${process.pid}\n`);
    } finally {
      await fh.close();
    }
    try {
      try {
        await link(tmp, path);
        return new WriterLock(path);
      } catch (err) {
        if (errorCode(err) !== 'EEXIST') throw err;
      }
      const holder = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
      if (processRuns(holder)) {
        throw new SpoolSetupError(
          `queue directory ${dir}: writer ${writer} is in use by process ${holder} (lock file ${path})`,
        );
      }
      await rename(tmp, path);
      emit({
        kind: 'stale-lock',
        level: 'notice',
        file: lockName(writer),
        message: `queue writer ${writer}: lock of process ${Number.isNaN(holder) ? '?' : holder} taken over (it no longer runs)`,
      });
      return new WriterLock(path);
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
  }

  async release(): Promise<void> {
    heldHere.delete(this.path);
    const holder = await readFile(this.path, 'utf8').catch(() => '');
    if (Number.parseInt(holder, 10) === process.pid) await unlink(this.path).catch(() => undefined);
  }
}
