// Reads the records of one segment file in order, checking every checksum, and says where and why the
// valid part ends. Used both by recovery (the writer's own segments) and by SpoolReader (any writer's
// segments, possibly while they grow): it only reads.

import type { FileHandle } from 'node:fs/promises';
import { crc32 } from './crc32.js';
import { HEADER_SIZE, MAGIC, parseHeader, RecordType, type RecordHeader } from './record.js';

const WINDOW = 1 << 20;

/** What the scanner reads through: a FileHandle, or a synchronous read of an open descriptor wrapped alike. */
export interface RecordSource {
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
}

export interface ScannedRecord {
  offset: number;
  /** Header plus payload. */
  size: number;
  header: RecordHeader;
  /** The payload of a non-message record, or the envelope JSON of a message record (a copy). */
  payload: Buffer;
  /** Message records only: where the message data starts in the file, and its length. */
  dataOffset: number;
  dataSize: number;
}

/**
 * Why scanning stopped before the end of the file: `incomplete` a record runs past the end (a tail
 * being written, or torn); `bad-header` no record header where one must start; `bad-checksum` the
 * payload does not match its checksum; `bad-layout` a message record whose envelope length does not fit.
 */
export type ScanProblem = 'incomplete' | 'bad-header' | 'bad-checksum' | 'bad-layout';

export interface ScanEnd {
  /** Offset just after the last valid record. */
  validEnd: number;
  /** Bytes considered (the file size when the scan began, or the given limit). */
  size: number;
  problem?: ScanProblem;
}

/**
 * A read window over a file; keeps syscalls few when records are small. Its buffer is only as large as
 * what is left to read (up to 1 MiB): the queue runner scans the few new records of a segment on every
 * message it locks, and a 1 MiB buffer each time is garbage collection work for nothing.
 */
class Window {
  private buf = Buffer.alloc(0);
  private start = 0;
  private len = 0;

  constructor(
    private readonly fh: RecordSource,
    private readonly limit: number,
  ) {}

  /** Bytes [pos, pos+n) (n <= WINDOW), or null if the file (up to the limit) ends before. */
  async view(pos: number, n: number): Promise<Buffer | null> {
    if (pos + n > this.limit) return null;
    if (pos < this.start || pos + n > this.start + this.len) {
      const want = Math.min(WINDOW, this.limit - pos);
      if (this.buf.length < want) this.buf = Buffer.allocUnsafe(want);
      const { bytesRead } = await this.fh.read(this.buf, 0, want, pos);
      this.start = pos;
      this.len = bytesRead;
      if (bytesRead < n) return null;
    }
    return this.buf.subarray(pos - this.start, pos - this.start + n);
  }

  /** A copy of bytes [pos, pos+n) of any length, or null if the file ends before. */
  async copy(pos: number, n: number): Promise<Buffer | null> {
    if (n <= WINDOW) {
      const v = await this.view(pos, n);
      return v === null ? null : Buffer.from(v);
    }
    if (pos + n > this.limit) return null;
    const out = Buffer.allocUnsafe(n);
    const { bytesRead } = await this.fh.read(out, 0, n, pos);
    return bytesRead === n ? out : null;
  }

  /** CRC of bytes [pos, pos+n) continued from crc, read a window at a time; null if cut short. */
  async crc(pos: number, n: number, crc: number): Promise<number | null> {
    let done = 0;
    while (done < n) {
      const step = Math.min(WINDOW, n - done);
      const b = await this.view(pos + done, step);
      if (b === null) return null;
      crc = crc32(b, crc);
      done += step;
    }
    return crc;
  }
}

export class SegmentScanner {
  private readonly window: Window;
  private endInfo: ScanEnd;

  /** Scans records from offset `start` (0, or the end of records read earlier) up to `size`. */
  constructor(
    fh: RecordSource,
    private readonly size: number,
    private readonly start = 0,
  ) {
    this.window = new Window(fh, size);
    this.endInfo = { validEnd: start, size };
  }

  get end(): ScanEnd {
    return this.endInfo;
  }

  async *records(): AsyncGenerator<ScannedRecord> {
    let pos = this.start;
    for (;;) {
      if (pos === this.size) {
        this.endInfo = { validEnd: pos, size: this.size };
        return;
      }
      const r = await readRecordAt(this.window, pos);
      if ('problem' in r) {
        this.endInfo = { validEnd: pos, size: this.size, problem: r.problem };
        return;
      }
      yield r;
      pos += r.size;
    }
  }
}

async function readRecordAt(w: Window, pos: number): Promise<ScannedRecord | { problem: ScanProblem }> {
  const hb = await w.view(pos, HEADER_SIZE);
  if (hb === null) return { problem: 'incomplete' };
  const header = parseHeader(hb);
  if (header === null) return { problem: 'bad-header' };
  const payloadAt = pos + HEADER_SIZE;
  const size = HEADER_SIZE + header.length;
  if (header.type !== RecordType.Message) {
    const crc = await w.crc(payloadAt, header.length, 0);
    if (crc === null) return { problem: 'incomplete' };
    if (crc !== header.payloadCrc) return { problem: 'bad-checksum' };
    const payload = await w.copy(payloadAt, header.length);
    if (payload === null) return { problem: 'incomplete' };
    return { offset: pos, size, header, payload, dataOffset: 0, dataSize: 0 };
  }
  if (header.length < 4) return { problem: 'bad-layout' };
  const lb = await w.view(payloadAt, 4);
  if (lb === null) return { problem: 'incomplete' };
  const envLen = lb.readUInt32LE(0);
  if (envLen > header.length - 4) return { problem: 'bad-layout' };
  let crc = crc32(lb);
  const envelope = await w.copy(payloadAt + 4, envLen);
  if (envelope === null) return { problem: 'incomplete' };
  crc = crc32(envelope, crc);
  const dataOffset = payloadAt + 4 + envLen;
  const dataSize = header.length - 4 - envLen;
  const full = await w.crc(dataOffset, dataSize, crc);
  if (full === null) return { problem: 'incomplete' };
  if (full !== header.payloadCrc) return { problem: 'bad-checksum' };
  return { offset: pos, size, header, payload: envelope, dataOffset, dataSize };
}

/**
 * The offset of the first complete, checksummed record that starts after `from`, or null. Recovery
 * uses it to tell a torn tail (nothing valid follows the damage) from damage in the middle.
 */
export async function findNextRecord(fh: FileHandle, from: number, size: number): Promise<number | null> {
  const w = new Window(fh, size);
  const probe = Buffer.allocUnsafe(WINDOW);
  let pos = from + 1;
  while (pos + HEADER_SIZE <= size) {
    const { bytesRead } = await fh.read(probe, 0, Math.min(WINDOW, size - pos), pos);
    if (bytesRead < MAGIC.length) return null;
    const chunk = probe.subarray(0, bytesRead);
    let i = chunk.indexOf(MAGIC);
    while (i !== -1) {
      const r = await readRecordAt(w, pos + i);
      if (!('problem' in r)) return pos + i;
      i = chunk.indexOf(MAGIC, i + 1);
    }
    // Step back a little so a magic split across two chunks is still seen.
    pos += bytesRead - (MAGIC.length - 1);
  }
  return null;
}
