// Group commit: the one place where spool records reach the disk. Records handed in while a batch is
// being written wait for the next batch; each batch is one writev of all its buffers and one
// fdatasync, and only then are its commits resolved. A failed batch is cut off again, so the segment
// never keeps half of it, and every commit in it is rejected.

import { open, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { SpoolWriteError } from './errors.js';
import type { SpoolEvent } from './events.js';
import { jsonRecord, RecordType, type EncodedRecord, type SegmentHeader } from './record.js';
import { segmentName } from './segment-name.js';

export interface SpoolStats {
  /** Records handed in (messages and state updates). */
  commits: number;
  /** Batches made durable: each is one writev and one fdatasync. */
  flushes: number;
  /** Bytes made durable. */
  bytes: number;
  /** Batches that failed (their commits were rejected). */
  failedBatches: number;
  /** Segment files created by this writer since open. */
  segments: number;
}

export interface GroupCommitOptions {
  dir: string;
  /** Kept open for the writer's lifetime: fsynced after each new segment file. */
  dirHandle: FileHandle;
  writer: string;
  firstSeq: number;
  fileMode: number;
  segmentBytes: number;
  onEvent: (e: SpoolEvent) => void;
}

interface Pending {
  record: EncodedRecord;
  resolve: () => void;
  reject: (err: SpoolWriteError) => void;
}

interface Segment {
  fh: FileHandle;
  name: string;
  size: number;
}

export class GroupCommitWriter {
  readonly stats: SpoolStats = { commits: 0, flushes: 0, bytes: 0, failedBatches: 0, segments: 0 };
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private segment: Segment | null = null;
  private nextSeq: number;
  /** Set when the current segment's tail can no longer be trusted: the next batch starts a new one. */
  private mustRotate = false;
  private closed = false;

  constructor(private readonly opts: GroupCommitOptions) {
    this.nextSeq = opts.firstSeq;
  }

  /** Resolves once the record is durable; rejects with SpoolWriteError if its batch fails. */
  append(record: EncodedRecord): Promise<void> {
    if (this.closed) return Promise.reject(new SpoolWriteError('spool is closed', 'io'));
    this.stats.commits++;
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ record, resolve, reject });
      if (this.flushing === null) this.flushing = this.flushLoop();
    });
  }

  /** Waits for every record handed in so far, then closes the segment file. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.flushing !== null) await this.flushing;
    if (this.segment !== null) {
      await this.segment.fh.close();
      this.segment = null;
    }
  }

  private async flushLoop(): Promise<void> {
    // Give commits made in the same turn of the event loop a chance to join the first batch.
    await new Promise<void>((r) => setImmediate(r));
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      await this.writeBatch(batch);
    }
    // Reset in the same synchronous step as the emptiness check: a commit made by a continuation of
    // this batch either found the queue non-empty above or starts a new loop.
    this.flushing = null;
  }

  private async writeBatch(batch: Pending[]): Promise<void> {
    const buffers: Buffer[] = [];
    let size = 0;
    for (const p of batch) {
      for (const b of p.record.buffers) buffers.push(b);
      size += p.record.size;
    }
    try {
      const cur = this.segment;
      if (cur === null || this.mustRotate || cur.size + size > this.opts.segmentBytes) {
        await this.writeToNewSegment(buffers, size);
      } else {
        await this.writeToSegment(cur, buffers, size);
      }
      this.stats.flushes++;
      this.stats.bytes += size;
      for (const p of batch) p.resolve();
    } catch (err) {
      const e = SpoolWriteError.from(err, 'cannot write to the queue');
      this.stats.failedBatches++;
      this.opts.onEvent({
        kind: 'write-failed',
        level: 'warning',
        message: `${e.message}; ${batch.length} message(s) not accepted`,
      });
      for (const p of batch) p.reject(e);
    }
  }

  private async writeToSegment(seg: Segment, buffers: Buffer[], size: number): Promise<void> {
    const start = seg.size;
    let phase = 'write';
    try {
      await writeFully(seg.fh, buffers, size, start);
      phase = 'fdatasync';
      await seg.fh.datasync();
      seg.size = start + size;
    } catch (err) {
      // Cut the batch off so no half-written record stays. After a failed fdatasync the kernel may
      // already have dropped the dirty pages, so the file is not trusted for further appends either.
      try {
        await seg.fh.truncate(start);
      } catch {
        this.mustRotate = true;
      }
      if (phase === 'fdatasync') this.mustRotate = true;
      throw err;
    }
  }

  private async writeToNewSegment(buffers: Buffer[], size: number): Promise<void> {
    const seq = this.nextSeq++;
    const name = segmentName(this.opts.writer, seq);
    const path = join(this.opts.dir, name);
    const head: SegmentHeader = { format: 1, writer: this.opts.writer, seq, created: Date.now(), pid: process.pid };
    const header = jsonRecord(RecordType.Segment, head);
    const fh = await open(path, 'wx', this.opts.fileMode);
    try {
      await writeFully(fh, [...header.buffers, ...buffers], header.size + size, 0);
      await fh.datasync();
      // A new file is only durable once its directory entry is.
      await this.opts.dirHandle.sync();
    } catch (err) {
      await fh.close().catch(() => undefined);
      await unlink(path).catch(() => undefined);
      throw err;
    }
    const old = this.segment;
    this.segment = { fh, name, size: header.size + size };
    this.mustRotate = false;
    this.stats.segments++;
    if (old !== null) await old.fh.close().catch(() => undefined);
  }
}

/**
 * writev until every byte is written. libuv stops a vectored write early without an error when a
 * later part fails (a full disk after some blocks went through), so the rest is written again to
 * surface the real error (ENOSPC, EFBIG, EIO...).
 */
async function writeFully(fh: FileHandle, buffers: Buffer[], size: number, position: number): Promise<void> {
  let written = 0;
  let rest = buffers;
  while (written < size) {
    const { bytesWritten } = await fh.writev(rest, position + written);
    if (bytesWritten === 0) throw new SpoolWriteError('cannot write to the queue: short write', 'io');
    written += bytesWritten;
    if (written < size) rest = dropBytes(rest, bytesWritten);
  }
}

function dropBytes(buffers: Buffer[], n: number): Buffer[] {
  let i = 0;
  while (i < buffers.length && n >= buffers[i].length) n -= buffers[i++].length;
  const out = buffers.slice(i);
  if (n > 0 && out.length > 0) out[0] = out[0].subarray(n);
  return out;
}
