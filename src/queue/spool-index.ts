// What the segments of a queue directory hold, kept up to date incrementally: a refresh reads only
// the records appended since the last one (and whole new segments), so a queue runner can afford a
// fresh look at a message every time it locks one. Segments removed by compaction, or cut back by a
// writer after a failed batch, are dropped and read again from their start.
//
// Rules (docs/spool.md "Reading"): the first copy of a message id in segment-name then file order is
// the one used; state updates of an id are folded over its envelope in order of their `at` time, then
// segment name, then offset; a segment that is unsafe or does not start with a segment header is
// never trusted; a tail that does not check out is ignored (it may be a batch being written).

import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readSync, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeEnvelope, type Envelope } from './envelope.js';
import { errorCode, errorMessage } from './errors.js';
import { unsafeFileProblem } from './file-safety.js';
import { isSegmentHeader, RecordType, RECORD_VERSION } from './record.js';
import { SegmentScanner, type RecordSource } from './segment-scan.js';
import { parseLostName, parseSegmentName } from './segment-name.js';
import { applyStateUpdate, checkStateUpdate, initialState, type MessageState, type StateUpdate } from './state.js';

export interface LostItem {
  /** File name in the queue directory. */
  file: string;
  reason: string;
  /** Queue id, when the damaged thing is a message record whose id could be read. */
  id?: string;
}

export interface RecordLocation {
  segment: string;
  /** Offset of the record header in the segment. */
  offset: number;
  /** Header plus payload. */
  size: number;
  dataOffset: number;
  dataSize: number;
}

interface UpdateEntry {
  update: StateUpdate;
  segment: string;
  offset: number;
}

interface SegmentEntry {
  name: string;
  ino: number;
  /** End of the records read so far. */
  validEnd: number;
  /** File size when it was last read. */
  size: number;
  /** Set when the segment is not trusted: it is never read further. */
  untrusted?: string;
  /** Whether the first record (the segment header) has been read and checked. */
  headerRead: boolean;
  records: Array<{ id: string; loc: RecordLocation }>;
  stateIds: Set<string>;
  lost: LostItem[];
}

interface MessageEntry {
  envelope: Envelope;
  /** Every copy, in segment-name then offset order; the first is the one used. */
  copies: RecordLocation[];
}

export interface IndexedMessage {
  envelope: Envelope;
  loc: RecordLocation;
  state: MessageState;
}

/** What compaction needs to know about one segment. */
export interface SegmentSummary {
  name: string;
  size: number;
  trusted: boolean;
  /** Message records in the segment (every copy, not only the ones in use). */
  records: Array<{ id: string; loc: RecordLocation }>;
  /** Ids that state records of the segment refer to. */
  stateIds: ReadonlySet<string>;
}

/** Segment files kept open for reading message data (the queue runner reads one per message). */
const MAX_OPEN_SEGMENTS = 32;
/**
 * Records up to this size are read synchronously; a larger one (a big message) through the thread
 * pool, so that the SMTP sessions sharing this event loop never wait for a long read.
 */
const SYNC_READ_LIMIT = 256 * 1024;

function locOrder(a: { segment: string; offset: number }, b: { segment: string; offset: number }): number {
  if (a.segment !== b.segment) return a.segment < b.segment ? -1 : 1;
  return a.offset - b.offset;
}

export class SpoolIndex {
  private readonly segments = new Map<string, SegmentEntry>();
  private readonly messages = new Map<string, MessageEntry>();
  private readonly updates = new Map<string, UpdateEntry[]>();
  private readonly states = new Map<string, MessageState>();
  private lostFiles: LostItem[] = [];
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  /** Open descriptors of segments, by name, with the inode they were opened at; closed when the segment is dropped. */
  private readonly fds = new Map<string, { fd: number; ino: number }>();

  constructor(readonly dir: string) {}

  /**
   * Brings the index up to date with the directory. Resolves once a refresh that started after the
   * call has finished, so a caller that has just locked a message sees every state written before.
   */
  refresh(): Promise<void> {
    if (this.running === null) {
      this.running = this.refreshNow().finally(() => {
        this.running = null;
      });
      return this.running;
    }
    this.queued ??= this.running.then(
      () => this.startQueued(),
      () => this.startQueued(),
    );
    return this.queued;
  }

  private startQueued(): Promise<void> {
    this.queued = null;
    return this.refresh();
  }

  /** A message with its current state (done and lost ones included), or undefined when not queued. */
  get(id: string): IndexedMessage | undefined {
    const m = this.messages.get(id);
    if (m === undefined) return undefined;
    return { envelope: m.envelope, loc: m.copies[0] as RecordLocation, state: this.stateOf(id, m) };
  }

  /** Every message, in the order written (segment name, then offset). */
  all(): IndexedMessage[] {
    const out: IndexedMessage[] = [];
    for (const [id, m] of this.messages) out.push({ envelope: m.envelope, loc: m.copies[0] as RecordLocation, state: this.stateOf(id, m) });
    return out.sort((a, b) => locOrder(a.loc, b.loc));
  }

  /** Damaged or unsafe files and undecodable records (messages marked lost are not included). */
  lost(): LostItem[] {
    const out = [...this.lostFiles];
    for (const s of [...this.segments.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (s.untrusted !== undefined) out.push({ file: s.name, reason: s.untrusted });
      out.push(...s.lost);
    }
    return out;
  }

  /** The segments as read by the last refresh, in name order. */
  segmentSummaries(): SegmentSummary[] {
    return [...this.segments.values()]
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((s) => ({ name: s.name, size: s.size, trusted: s.untrusted === undefined, records: s.records, stateIds: s.stateIds }));
  }

  /** Whether any state update for `id` is recorded (even when its message record is gone). */
  hasState(id: string): boolean {
    return (this.updates.get(id)?.length ?? 0) > 0;
  }

  private stateOf(id: string, m: MessageEntry): MessageState {
    let s = this.states.get(id);
    if (s === undefined) {
      s = initialState(m.envelope);
      const ups = this.updates.get(id) ?? [];
      for (const u of ups) applyStateUpdate(s, u.update);
      this.states.set(id, s);
    }
    return s;
  }

  /**
   * The bytes [offset, offset+size) of a segment. Small records are read through a descriptor kept
   * open for the segment: local queue files in the page cache, where a synchronous read costs less than
   * the thread pool round trip. Larger ones are read asynchronously through a handle of their own (a
   * kept descriptor may be closed by compaction while such a read waits). Rejects with ENOENT when the
   * segment is gone or is no longer the file the index read.
   */
  async readAt(segment: string, offset: number, size: number): Promise<Buffer> {
    const seg = this.segments.get(segment);
    if (seg === undefined) throw Object.assign(new Error(`${segment}: not in the queue`), { code: 'ENOENT' });
    const out = Buffer.allocUnsafe(size);
    let done = 0;
    if (size <= SYNC_READ_LIMIT) {
      const fd = this.fdOf(seg);
      while (done < size) {
        const n = readSync(fd, out, done, size - done, offset + done);
        if (n === 0) break;
        done += n;
      }
    } else {
      const fh = await open(join(this.dir, seg.name), constants.O_RDONLY | constants.O_NOFOLLOW);
      try {
        if ((await fh.stat()).ino !== seg.ino) throw Object.assign(new Error(`${seg.name}: replaced since it was read`), { code: 'ENOENT' });
        while (done < size) {
          const { bytesRead } = await fh.read(out, done, size - done, offset + done);
          if (bytesRead === 0) break;
          done += bytesRead;
        }
      } finally {
        await fh.close();
      }
    }
    return done === size ? out : out.subarray(0, done);
  }

  /** The descriptor kept open for a segment, opened if need be; ENOENT when it is no longer the file the index read. */
  private fdOf(seg: SegmentEntry): number {
    let open = this.fds.get(seg.name);
    if (open === undefined || open.ino !== seg.ino) {
      if (open !== undefined) this.closeFd(seg.name);
      const fd = openSync(join(this.dir, seg.name), constants.O_RDONLY | constants.O_NOFOLLOW);
      if (fstatSync(fd).ino !== seg.ino) {
        closeSync(fd);
        throw Object.assign(new Error(`${seg.name}: replaced since it was read`), { code: 'ENOENT' });
      }
      if (this.fds.size >= MAX_OPEN_SEGMENTS) this.closeFd(this.fds.keys().next().value as string);
      open = { fd, ino: seg.ino };
      this.fds.set(seg.name, open);
    }
    return open.fd;
  }

  /** Closes every descriptor kept open (the index can still be used: they are opened again as needed). */
  closeFiles(): void {
    for (const name of [...this.fds.keys()]) this.closeFd(name);
  }

  private closeFd(name: string): void {
    const open = this.fds.get(name);
    if (open === undefined) return;
    this.fds.delete(name);
    try {
      closeSync(open.fd);
    } catch {
      // nothing to be done about a descriptor that does not close
    }
  }

  private async refreshNow(): Promise<void> {
    // Synchronous look-ups: the queue directory is local and these hit the inode cache; the thread
    // pool round trip of each would cost more than the call.
    const owner = lstatSync(this.dir).uid;
    const names = readdirSync(this.dir);
    this.lostFiles = names.filter((n) => parseLostName(n) !== null).sort().map((file) => ({ file, reason: 'set aside by recovery' }));
    const present = new Set(names.filter((n) => parseSegmentName(n) !== null));
    for (const name of [...this.segments.keys()]) if (!present.has(name)) this.drop(name);
    for (const name of [...present].sort()) await this.readSegment(name, owner);
  }

  /** Forgets everything a segment contributed. */
  private drop(name: string): void {
    const seg = this.segments.get(name);
    this.closeFd(name);
    if (seg === undefined) return;
    this.segments.delete(name);
    for (const r of seg.records) {
      const m = this.messages.get(r.id);
      if (m === undefined) continue;
      m.copies = m.copies.filter((c) => c.segment !== name);
      if (m.copies.length === 0) this.messages.delete(r.id);
      this.states.delete(r.id);
    }
    for (const id of seg.stateIds) {
      const ups = (this.updates.get(id) ?? []).filter((u) => u.segment !== name);
      if (ups.length === 0) this.updates.delete(id);
      else this.updates.set(id, ups);
      this.states.delete(id);
    }
  }

  private async readSegment(name: string, owner: number): Promise<void> {
    const known = this.segments.get(name);
    if (known !== undefined && known.ino >= 0) {
      // A segment that has not changed since it was read costs one lstat, not an open, fstat and close.
      let st: Stats | undefined;
      let failed = false;
      try {
        st = lstatSync(join(this.dir, name), { throwIfNoEntry: false });
      } catch {
        // the open below says what is wrong
        failed = true;
      }
      if (!failed && st === undefined) return this.drop(name);
      if (st !== undefined && st.ino === known.ino && (known.untrusted !== undefined || st.size === known.validEnd)) {
        known.size = st.size;
        return;
      }
      // Grown since it was read (the common case: state records appended): the new records are read
      // synchronously through the descriptor kept open for the segment, not through an open, fstat and
      // close on the thread pool. Anything else (replaced, cut back) goes the long way below.
      if (st !== undefined && st.ino === known.ino && known.untrusted === undefined && st.size > known.validEnd) {
        let fd: number | undefined;
        try {
          fd = this.fdOf(known);
        } catch {
          // replaced between the lstat and the open: the long way below sees it
        }
        if (fd !== undefined) return this.scan(syncSource(fd), known, st.size);
      }
    }
    let fh: FileHandle;
    try {
      fh = await open(join(this.dir, name), constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (err) {
      this.drop(name);
      // Removed by compaction since the directory was listed, or a symbolic link (ELOOP).
      if (errorCode(err) === 'ENOENT') return;
      this.segments.set(name, this.emptyEntry(name, -1, 0, `cannot be opened (${errorCode(err) ?? errorMessage(err)})`));
      return;
    }
    try {
      const st = await fh.stat();
      let seg = this.segments.get(name);
      if (seg !== undefined && (seg.ino !== st.ino || st.size < seg.validEnd)) {
        // Replaced, or cut back after a failed batch that was read before its fdatasync failed.
        this.drop(name);
        seg = undefined;
      }
      if (seg === undefined) {
        seg = this.emptyEntry(name, st.ino, st.size, unsafeFileProblem(st, owner) ?? undefined);
        this.segments.set(name, seg);
      }
      if (seg.untrusted !== undefined || st.size === seg.validEnd) {
        seg.size = st.size;
        return;
      }
      await this.scan(fh, seg, st.size);
    } finally {
      await fh.close();
    }
  }

  private emptyEntry(name: string, ino: number, size: number, untrusted: string | undefined): SegmentEntry {
    return { name, ino, validEnd: 0, size, headerRead: false, records: [], stateIds: new Set(), lost: [], ...(untrusted !== undefined ? { untrusted } : {}) };
  }

  private async scan(fh: RecordSource, seg: SegmentEntry, size: number): Promise<void> {
    seg.size = size;
    const scanner = new SegmentScanner(fh, size, seg.validEnd);
    for await (const rec of scanner.records()) {
      if (!seg.headerRead) {
        seg.headerRead = true;
        if (!startsSegment(rec.header.type, rec.payload)) {
          seg.untrusted = 'does not start with a segment header of a known format';
          return;
        }
        continue;
      }
      if (rec.header.version !== RECORD_VERSION) continue;
      if (rec.header.type === RecordType.Message) {
        let envelope: Envelope;
        try {
          envelope = decodeEnvelope(rec.payload);
          if (envelope.size !== rec.dataSize) throw new Error('size does not match the stored data');
        } catch (err) {
          seg.lost.push({ file: seg.name, reason: `record at offset ${rec.offset}: ${errorMessage(err)}` });
          continue;
        }
        const loc: RecordLocation = { segment: seg.name, offset: rec.offset, size: rec.size, dataOffset: rec.dataOffset, dataSize: rec.dataSize };
        seg.records.push({ id: envelope.id, loc });
        const m = this.messages.get(envelope.id);
        if (m === undefined) this.messages.set(envelope.id, { envelope, copies: [loc] });
        else {
          m.copies.push(loc);
          m.copies.sort(locOrder);
        }
        this.states.delete(envelope.id);
      } else if (rec.header.type === RecordType.State) {
        let update: StateUpdate;
        try {
          update = checkStateUpdate(JSON.parse(rec.payload.toString('utf8')));
        } catch (err) {
          seg.lost.push({ file: seg.name, reason: `state record at offset ${rec.offset}: ${errorMessage(err)}` });
          continue;
        }
        seg.stateIds.add(update.id);
        const ups = this.updates.get(update.id) ?? [];
        ups.push({ update, segment: seg.name, offset: rec.offset });
        ups.sort((a, b) => a.update.at - b.update.at || locOrder(a, b));
        this.updates.set(update.id, ups);
        this.states.delete(update.id);
      }
    }
    seg.validEnd = scanner.end.validEnd;
  }
}

/** Reads of an open descriptor as a RecordSource: local queue files in the page cache, read synchronously. */
function syncSource(fd: number): RecordSource {
  return {
    read: (buffer, offset, length, position) => Promise.resolve({ bytesRead: readSync(fd, buffer, offset, length, position) }),
  };
}

function startsSegment(type: number, payload: Buffer): boolean {
  if (type !== RecordType.Segment) return false;
  try {
    return isSegmentHeader(JSON.parse(payload.toString('utf8')));
  } catch {
    return false;
  }
}
