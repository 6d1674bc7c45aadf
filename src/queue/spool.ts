// The durable spool as the SMTP server and the command line see it: open (with recovery), hand out
// queue ids, commit a message (resolves only once it is on disk), record state changes, close.
// The on-disk format and the guarantees are described in docs/spool.md.

import { open, type FileHandle } from 'node:fs/promises';
import { ensureQueueDirectory, fsyncDirectory } from './directory.js';
import type { Envelope } from './envelope.js';
import { checkEnvelope } from './envelope.js';
import { errorMessage, SpoolSetupError, SpoolWriteError } from './errors.js';
import type { SpoolEvent } from './events.js';
import { GroupCommitWriter, type SpoolStats } from './group-commit.js';
import { processIds, type QueueIdGenerator } from './queue-id.js';
import { jsonRecord, messageRecord, RecordType } from './record.js';
import { recoverWriter } from './recovery.js';
import { isWriterId } from './segment-name.js';
import { checkStateUpdate, type StateUpdate } from './state.js';
import { WriterLock } from './writer-lock.js';

export { checkQueueDirectory, freeSpace } from './directory.js';
export { SpoolSetupError, SpoolWriteError } from './errors.js';
export type { SpoolEvent } from './events.js';
export type { SpoolStats } from './group-commit.js';

export interface SpoolOptions {
  dir: string; // QueueDirectory
  fileMode?: number; // QueueFileMode, default 0o600; group/other bits are always masked off
  writerId?: string; // distinguishes concurrent writer processes: each appends only to its own segments
  segmentBytes?: number; // rotate segments at this size (default 64 MiB)
  onEvent?(e: SpoolEvent): void; // recovery notices, SECURITY ALERTs, etc., for the caller to log
}

export const DEFAULT_WRITER_ID = 'w0';
export const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;

/** Told about every message of this Spool once its commit has resolved (it is durable). */
export type CommitListener = (envelope: Envelope) => void;

export class Spool {
  private closing: Promise<void> | null = null;
  private readonly commitListeners = new Set<CommitListener>();

  private constructor(
    readonly dir: string,
    readonly writerId: string,
    private readonly writer: GroupCommitWriter,
    private readonly ids: QueueIdGenerator,
    private readonly lock: WriterLock,
    private readonly dirHandle: FileHandle,
  ) {}

  /**
   * Creates the queue directory (0700) if needed, refuses an unsafe one (SpoolSetupError), takes the
   * writer's lock and recovers the writer's segments before anything is appended.
   */
  static async open(opts: SpoolOptions): Promise<Spool> {
    const emit = (e: SpoolEvent): void => {
      try {
        opts.onEvent?.(e);
      } catch {
        // A failing log callback must not take the queue (or the process) down with it.
      }
    };
    const writerId = opts.writerId ?? DEFAULT_WRITER_ID;
    if (!isWriterId(writerId)) throw new SpoolSetupError(`queue writer id "${writerId}": use 1 to 32 of [A-Za-z0-9_-]`);
    const segmentBytes = opts.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    if (!Number.isSafeInteger(segmentBytes) || segmentBytes < 4096) {
      throw new SpoolSetupError(`queue segment size ${segmentBytes}: must be at least 4096 octets`);
    }
    const requested = opts.fileMode ?? 0o600;
    const fileMode = requested & 0o600;
    if ((requested & 0o077) !== 0) {
      emit({
        kind: 'mode-lowered',
        level: 'notice',
        message: `QueueFileMode 0${requested.toString(8)} lowered to 0${fileMode.toString(8)}: queue files are never readable by group or others`,
      });
    }
    await ensureQueueDirectory(opts.dir);
    const lock = await setup(opts.dir, () => WriterLock.acquire(opts.dir, writerId, fileMode, emit));
    let dirHandle: FileHandle | undefined;
    try {
      const rec = await setup(opts.dir, () => recoverWriter(opts.dir, writerId, fileMode, emit));
      if (rec.changedEntries) await fsyncDirectory(opts.dir);
      dirHandle = await open(opts.dir, 'r');
      const ids = processIds;
      ids.advancePast(rec.newestTime);
      const writer = new GroupCommitWriter({
        dir: opts.dir,
        dirHandle,
        writer: writerId,
        firstSeq: rec.nextSeq,
        fileMode,
        segmentBytes,
        onEvent: emit,
      });
      return new Spool(opts.dir, writerId, writer, ids, lock, dirHandle);
    } catch (err) {
      await dirHandle?.close().catch(() => undefined);
      await lock.release();
      throw err;
    }
  }

  /** Counters of the group commit (flushes = fdatasync'ed batches). */
  get stats(): Readonly<SpoolStats> {
    return this.writer.stats;
  }

  /** A new queue id: 14 characters [0-9A-Za-z], unique across writers and restarts. */
  newId(): string {
    return this.ids.next();
  }

  /**
   * Stores a message. Resolves only when the record is durable (written and fdatasync'ed, and for a
   * new segment file the directory fsync'ed too). Concurrent commits share one writev and one
   * fdatasync. Rejects with SpoolWriteError ('disk-full' or 'io'); the data buffers are not copied
   * and must not be changed until the promise settles.
   */
  commit(envelope: Envelope, data: Buffer | Buffer[]): Promise<void> {
    const parts = Buffer.isBuffer(data) ? [data] : data;
    let size = 0;
    for (const p of parts) size += p.length;
    try {
      checkEnvelope(envelope);
      if (envelope.size !== size) throw new RangeError(`envelope size ${envelope.size} differs from the ${size} octets of data`);
      const written = this.writer.append(messageRecord(envelope, parts));
      return this.commitListeners.size === 0 ? written : written.then(() => this.committed(envelope));
    } catch (err) {
      return Promise.reject(new SpoolWriteError(`message ${envelope.id} not queued: ${errorMessage(err)}`, 'io', { cause: err }));
    }
  }

  /**
   * Calls `listener` for every message committed through this Spool, after its commit has resolved
   * (before the committer's own continuation runs): the queue runner attempts new mail at once without
   * ever seeing a batch whose fdatasync might still fail. Returns the function that unsubscribes.
   */
  onCommit(listener: CommitListener): () => void {
    this.commitListeners.add(listener);
    return () => this.commitListeners.delete(listener);
  }

  private committed(envelope: Envelope): void {
    for (const l of this.commitListeners) {
      try {
        l(envelope);
      } catch {
        // A listener's failure is its own business: the message is durable and the commit succeeded.
      }
    }
  }

  /**
   * Appends records exactly as they were read from another segment (compaction: header and payload
   * with their checksums, checked again by the caller), followed by state updates, in one batch.
   */
  appendVerbatim(records: readonly Buffer[], updates: readonly StateUpdate[] = []): Promise<void> {
    try {
      const parts: Buffer[] = [...records];
      let size = 0;
      for (const r of records) size += r.length;
      for (const u of updates) {
        checkStateUpdate(u);
        const rec = jsonRecord(RecordType.State, u);
        parts.push(...rec.buffers);
        size += rec.size;
      }
      return this.writer.append({ buffers: parts, size });
    } catch (err) {
      return Promise.reject(new SpoolWriteError(`records not copied: ${errorMessage(err)}`, 'io', { cause: err }));
    }
  }

  /** Appends a state change of a queued message (queue runner); durable when it resolves. */
  appendState(update: StateUpdate): Promise<void> {
    try {
      checkStateUpdate(update);
      return this.writer.append(jsonRecord(RecordType.State, update));
    } catch (err) {
      return Promise.reject(new SpoolWriteError(`state of ${update.id} not recorded: ${errorMessage(err)}`, 'io', { cause: err }));
    }
  }

  /** Waits for pending commits, closes the files and releases the writer lock. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        await this.writer.close();
      } finally {
        await this.dirHandle.close().catch(() => undefined);
        await this.lock.release();
      }
    })();
    return this.closing;
  }
}

/** Turns unexpected file system errors during open into SpoolSetupError naming the directory. */
async function setup<T>(dir: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (err instanceof SpoolSetupError) throw err;
    throw new SpoolSetupError(`queue directory ${dir}: ${errorMessage(err)}`);
  }
}
