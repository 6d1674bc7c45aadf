// Reads the queue for mailq and the queue runner, from any process, while writers append. It never
// changes a file. A tail that does not check out is ignored (it may be a batch being written); files
// that are unsafe or records that do not decode are never listed as messages, only as lost items.

import { constants } from 'node:fs';
import { lstat, open, readdir, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from './crc32.js';
import { decodeEnvelope, type Envelope } from './envelope.js';
import { errorCode, errorMessage } from './errors.js';
import { unsafeFileProblem } from './file-safety.js';
import { HEADER_SIZE, isSegmentHeader, parseHeader, RecordType, RECORD_VERSION } from './record.js';
import { SegmentScanner } from './segment-scan.js';
import { parseLostName, sortedSegments } from './segment-name.js';
import { applyStateUpdate, checkStateUpdate, initialState, type MessageState, type StateUpdate } from './state.js';

export interface QueuedMessage {
  envelope: Envelope;
  dataSize: number;
  /** The envelope with every state update applied. */
  state: MessageState;
}

export interface LostItem {
  /** File name in the queue directory. */
  file: string;
  reason: string;
  /** Queue id, when the damaged thing is a message record whose id could be read. */
  id?: string;
}

interface Location {
  segment: string;
  offset: number;
  dataOffset: number;
  dataSize: number;
}

interface Snapshot {
  messages: Map<string, { envelope: Envelope; loc: Location; state: MessageState }>;
  lost: LostItem[];
}

export class SpoolReader {
  private index = new Map<string, Location>();

  constructor(readonly dir: string) {}

  /** Every complete message still queued (not finished, not set aside), in the order it was written. */
  async *list(): AsyncIterable<QueuedMessage> {
    const snap = await this.snapshot();
    for (const m of snap.messages.values()) {
      if (m.state.done || m.state.lost !== undefined) continue;
      yield { envelope: m.envelope, dataSize: m.loc.dataSize, state: m.state };
    }
  }

  /** Items set aside as lost (`mailq -qL`): damaged or unsafe files, undecodable records, lost messages. */
  async *lost(): AsyncIterable<LostItem> {
    const snap = await this.snapshot();
    yield* snap.lost;
    for (const [id, m] of snap.messages) {
      if (m.state.lost !== undefined && !m.state.done) yield { file: m.loc.segment, reason: m.state.lost, id };
    }
  }

  /** The stored message data of a queued message, checked against its record checksum. */
  async readData(id: string): Promise<Buffer> {
    let loc = this.index.get(id);
    if (loc === undefined) {
      await this.snapshot();
      loc = this.index.get(id);
    }
    if (loc === undefined) throw new Error(`queue id ${id} not found in ${this.dir}`);
    const fh = await open(join(this.dir, loc.segment), constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const head = Buffer.alloc(HEADER_SIZE);
      await fh.read(head, 0, HEADER_SIZE, loc.offset);
      const h = parseHeader(head);
      const total = loc.dataOffset + loc.dataSize - (loc.offset + HEADER_SIZE);
      if (h === null || h.length !== total) throw new Error(`queue id ${id}: record in ${loc.segment} damaged`);
      const payload = Buffer.allocUnsafe(total);
      const { bytesRead } = await fh.read(payload, 0, total, loc.offset + HEADER_SIZE);
      if (bytesRead !== total || crc32(payload) !== h.payloadCrc) {
        throw new Error(`queue id ${id}: record in ${loc.segment} damaged`);
      }
      return payload.subarray(total - loc.dataSize);
    } finally {
      await fh.close();
    }
  }

  private async snapshot(): Promise<Snapshot> {
    const owner = (await lstat(this.dir)).uid;
    const names = await readdir(this.dir);
    const snap: Snapshot = { messages: new Map(), lost: [] };
    const updates: StateUpdate[] = [];
    for (const name of names) if (parseLostName(name) !== null) snap.lost.push({ file: name, reason: 'set aside by recovery' });
    for (const name of sortedSegments(names)) await this.readSegment(name, owner, snap, updates);
    // Updates are applied in time order; the sort is stable, so equal times keep file order.
    updates.sort((a, b) => a.at - b.at);
    for (const u of updates) {
      const m = snap.messages.get(u.id);
      if (m !== undefined) applyStateUpdate(m.state, u);
    }
    this.index = new Map([...snap.messages].map(([id, m]) => [id, m.loc]));
    return snap;
  }

  private async readSegment(name: string, owner: number, snap: Snapshot, updates: StateUpdate[]): Promise<void> {
    let fh: FileHandle;
    try {
      fh = await open(join(this.dir, name), constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (err) {
      // Removed by compaction since the directory was listed, or a symbolic link (ELOOP).
      if (errorCode(err) === 'ENOENT') return;
      snap.lost.push({ file: name, reason: `cannot be opened (${errorCode(err) ?? errorMessage(err)})` });
      return;
    }
    try {
      const st = await fh.stat();
      const unsafe = unsafeFileProblem(st, owner);
      if (unsafe !== null) {
        snap.lost.push({ file: name, reason: unsafe });
        return;
      }
      const scanner = new SegmentScanner(fh, st.size);
      let first = true;
      for await (const rec of scanner.records()) {
        if (first) {
          first = false;
          if (!startsSegment(rec.header.type, rec.payload)) {
            snap.lost.push({ file: name, reason: 'does not start with a segment header of a known format' });
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
            snap.lost.push({ file: name, reason: `record at offset ${rec.offset}: ${errorMessage(err)}` });
            continue;
          }
          if (!snap.messages.has(envelope.id)) {
            const loc = { segment: name, offset: rec.offset, dataOffset: rec.dataOffset, dataSize: rec.dataSize };
            snap.messages.set(envelope.id, { envelope, loc, state: initialState(envelope) });
          }
        } else if (rec.header.type === RecordType.State) {
          try {
            updates.push(checkStateUpdate(JSON.parse(rec.payload.toString('utf8'))));
          } catch (err) {
            snap.lost.push({ file: name, reason: `state record at offset ${rec.offset}: ${errorMessage(err)}` });
          }
        }
      }
    } finally {
      await fh.close();
    }
  }
}

function startsSegment(type: number, payload: Buffer): boolean {
  if (type !== RecordType.Segment) return false;
  try {
    return isSegmentHeader(JSON.parse(payload.toString('utf8')));
  } catch {
    return false;
  }
}
