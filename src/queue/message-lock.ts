// The per-message lock (queue-and-bounces.md §2.3 "Locking"; mailq's `*`): a file locks/<qid> in the
// queue directory, holding "<pid> <start time>" of the process working on the message. Only the holder
// appends state for that message; every other runner (a second daemon, `sendmail -q`) skips it.
//
// Node has no flock(2), so a lock is a file created atomically with link(2) and judged by its content:
// a lock whose process is gone (kill -9, a crash) is stale and taken over. The file linked is this
// process's holder file (`.holder.<pid>.<n>`, its token written once), kept while any lock of the
// process needs it, so taking a lock is one link(2) and letting go one unlink(2); a crashed process's
// holder file goes when one of its stale locks is broken. The start time (from
// /proc/<pid>/stat) tells a reused pid from the process that wrote the lock, so a message is never
// stuck behind an unrelated process that happens to have the old pid.

import { linkSync, unlinkSync } from 'node:fs';
import { link, lstat, mkdir, open, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { errorCode } from './errors.js';
import { isQueueId } from './queue-id.js';

export const LOCK_DIR = 'locks';

/** Start time of a process in clock ticks since boot (field 22 of /proc/<pid>/stat), or undefined. */
async function startTime(pid: number): Promise<string | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'latin1');
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

let ownStart: Promise<string | undefined> | undefined;

/** The content this process writes into its lock files. */
function ownToken(): Promise<string> {
  ownStart ??= startTime(process.pid);
  return ownStart.then((s) => (s === undefined ? `${process.pid}` : `${process.pid} ${s}`));
}

/** Whether the process named by a lock file's content still runs (and is the one that wrote it). */
async function holderRuns(content: string): Promise<boolean> {
  const [pidText, start] = content.trim().split(' ');
  const pid = Number.parseInt(pidText ?? '', 10);
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if (errorCode(err) !== 'EPERM') return false;
  }
  if (start === undefined) return true;
  const now = await startTime(pid);
  // Without /proc (or without permission to read it) the pid is all there is to go by.
  return now === undefined || now === start;
}

/** Locks held by this process, by path: its own token in a lock file does not tell two runners apart. */
const heldHere = new Set<string>();

export interface MessageLock {
  readonly id: string;
  release(): Promise<void>;
}

export class MessageLocks {
  private readonly dir: string;
  private tmpSeq = 0;
  private ready: Promise<void> | undefined;
  /** The holder file every lock of this instance links to, while `users` (locks held or being taken) need it. */
  private holder: { path: string; written: Promise<void> } | undefined;
  private users = 0;

  /** `queueDir` is the queue directory; the locks live in its `locks` subdirectory (0700). */
  constructor(queueDir: string, private readonly fileMode = 0o600) {
    this.dir = join(resolve(queueDir), LOCK_DIR);
  }

  private ensureDir(): Promise<void> {
    this.ready ??= mkdir(this.dir, { mode: 0o700 }).then(
      () => undefined,
      (err: unknown) => {
        if (errorCode(err) !== 'EEXIST') {
          this.ready = undefined;
          throw err;
        }
      },
    );
    return this.ready;
  }

  private path(id: string): string {
    if (!isQueueId(id)) throw new Error(`not a queue id: ${id}`);
    return join(this.dir, id);
  }

  /**
   * Takes the lock of message `id`, or returns null when another runner (this process or another)
   * holds it. A stale lock is taken over.
   */
  async tryLock(id: string): Promise<MessageLock | null> {
    const path = this.path(id);
    if (heldHere.has(path)) return null;
    heldHere.add(path);
    try {
      await this.ensureDir();
      const holder = await this.takeHolder();
      let locked = false;
      try {
        for (let round = 0; round < 3 && !locked; round++) {
          try {
            // Synchronous: a link(2) in the local queue directory costs less than the thread pool round
            // trip, and taking and letting go of a lock happen once per message.
            linkSync(holder, path);
            locked = true;
          } catch (err) {
            if (errorCode(err) !== 'EEXIST') throw err;
            if (!(await this.breakIfStale(path))) break;
          }
        }
      } finally {
        if (!locked) await this.dropHolder();
      }
      if (locked) return this.held(id, path);
    } catch (err) {
      heldHere.delete(path);
      throw err;
    }
    heldHere.delete(path);
    return null;
  }

  /** Whether message `id` is being processed right now (mailq's `*`). */
  async isLocked(id: string): Promise<boolean> {
    const path = this.path(id);
    if (heldHere.has(path)) return true;
    const content = await readFile(path, 'latin1').catch(() => undefined);
    if (content === undefined) return false;
    return (await ownToken()) !== content.trim() && holderRuns(content);
  }

  private held(id: string, path: string): MessageLock {
    let released = false;
    return {
      id,
      release: async () => {
        if (released) return;
        released = true;
        heldHere.delete(path);
        try {
          unlinkSync(path);
        } catch {
          // already gone (broken as stale by another runner): nothing to let go of
        }
        await this.dropHolder();
      },
    };
  }

  /** The holder file's path, written if this is its first user. */
  private async takeHolder(): Promise<string> {
    this.users++;
    if (this.holder === undefined) {
      const path = join(this.dir, `.holder.${process.pid}.${this.tmpSeq++}`);
      const written = ownToken().then((token) => writeFile(path, `${token}\n`, { mode: this.fileMode, flag: 'wx' }));
      this.holder = { path, written };
    }
    const h = this.holder;
    try {
      await h.written;
    } catch (err) {
      if (this.holder === h) this.holder = undefined;
      this.users--;
      throw err;
    }
    return h.path;
  }

  /** One user fewer; the last one removes the holder file (a new one is written for the next lock). */
  private async dropHolder(): Promise<void> {
    if (--this.users > 0) return;
    const h = this.holder;
    this.holder = undefined;
    if (h !== undefined) await unlink(h.path).catch(() => undefined);
  }

  /** Removes the holder files of a process that is gone (its locks were stale), found by their content. */
  private async removeHolders(content: string): Promise<void> {
    // This very process's files (a lock from an earlier instance) are its instances' to remove.
    if (content.trim() === (await ownToken())) return;
    const pid = content.trim().split(' ')[0] ?? '';
    if (!/^\d+$/.test(pid)) return;
    const names = await readdir(this.dir).catch(() => [] as string[]);
    for (const name of names) {
      if (!name.startsWith(`.holder.${pid}.`)) continue;
      const p = join(this.dir, name);
      if ((await readFile(p, 'latin1').catch(() => undefined)) === content) await unlink(p).catch(() => undefined);
    }
  }

  /**
   * Removes the lock at `path` if its holder is gone; true when it was removed (or vanished), so the
   * caller may try again. The stale file is renamed away and its inode compared with the one judged:
   * a lock created by someone else in between is put back instead of being broken.
   */
  private async breakIfStale(path: string): Promise<boolean> {
    let fh;
    try {
      fh = await open(path, 'r');
    } catch (err) {
      if (errorCode(err) === 'ENOENT') return true;
      throw err;
    }
    let ino: number;
    let content: string;
    try {
      ino = (await fh.stat()).ino;
      content = await fh.readFile('latin1');
    } finally {
      await fh.close();
    }
    // A file from an earlier life of this very process (same pid and start time) that it no longer
    // holds is stale too: heldHere was checked before.
    if (content.trim() !== (await ownToken()) && (await holderRuns(content))) return false;
    const aside = `${path}.${process.pid}.${this.tmpSeq++}.stale`;
    try {
      await rename(path, aside);
    } catch (err) {
      if (errorCode(err) === 'ENOENT') return true;
      throw err;
    }
    try {
      const moved = await lstat(aside);
      if (moved.ino !== ino) {
        // A live lock taken between our look and the rename: give it back.
        await link(aside, path).catch(() => undefined);
        return false;
      }
      await this.removeHolders(content);
      return true;
    } finally {
      await unlink(aside).catch(() => undefined);
    }
  }
}
