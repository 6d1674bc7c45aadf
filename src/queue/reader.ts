// Reads the queue for mailq and the queue runner, from any process, while writers append. It never
// changes a file. A tail that does not check out is ignored (it may be a batch being written); files
// that are unsafe or records that do not decode are never listed as messages, only as lost items.
// The reader keeps what it has read (SpoolIndex): each call reads only what was appended since.

import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from './crc32.js';
import { errorCode } from './errors.js';
import type { Envelope } from './envelope.js';
import { HEADER_SIZE, parseHeader } from './record.js';
import { SpoolIndex, type LostItem, type RecordLocation } from './spool-index.js';
import type { MessageState } from './state.js';

export type { LostItem } from './spool-index.js';

export interface QueuedMessage {
  envelope: Envelope;
  dataSize: number;
  /** The envelope with every state update applied. */
  state: MessageState;
}

export class SpoolReader {
  readonly index: SpoolIndex;

  constructor(readonly dir: string) {
    this.index = new SpoolIndex(dir);
  }

  /** Every complete message still queued (not finished, not set aside), in the order it was written. */
  async *list(): AsyncIterable<QueuedMessage> {
    await this.index.refresh();
    for (const m of this.index.all()) {
      if (m.state.done || m.state.lost !== undefined) continue;
      yield { envelope: m.envelope, dataSize: m.loc.dataSize, state: m.state };
    }
  }

  /** One message as it stands now (finished and lost ones included), or undefined if not in the queue. */
  async get(id: string): Promise<QueuedMessage | undefined> {
    await this.index.refresh();
    const m = this.index.get(id);
    return m === undefined ? undefined : { envelope: m.envelope, dataSize: m.loc.dataSize, state: m.state };
  }

  /** Items set aside as lost (`mailq -qL`): damaged or unsafe files, undecodable records, lost messages. */
  async *lost(): AsyncIterable<LostItem> {
    await this.index.refresh();
    yield* this.index.lost();
    for (const m of this.index.all()) {
      if (m.state.lost !== undefined && !m.state.done) yield { file: m.loc.segment, reason: m.state.lost, id: m.envelope.id };
    }
  }

  /** The stored message data of a queued message, checked against its record checksum. */
  async readData(id: string): Promise<Buffer> {
    let m = this.index.get(id);
    if (m === undefined) {
      await this.index.refresh();
      m = this.index.get(id);
    }
    if (m === undefined) throw new Error(`queue id ${id} not found in ${this.dir}`);
    let payload: Buffer;
    try {
      payload = await this.readPayload(m.loc, id);
    } catch (err) {
      // Compaction may have moved the message to another segment since the last refresh.
      if (errorCode(err) !== 'ENOENT') throw err;
      await this.index.refresh();
      m = this.index.get(id);
      if (m === undefined) throw new Error(`queue id ${id} not found in ${this.dir}`);
      payload = await this.readPayload(m.loc, id);
    }
    return payload.subarray(payload.length - m.loc.dataSize);
  }

  /** The payload of a message record, through the index's open segment, its checksums verified again. */
  private async readPayload(loc: RecordLocation, id: string): Promise<Buffer> {
    return checkRecord(await this.index.readAt(loc.segment, loc.offset, loc.size), loc, id).subarray(HEADER_SIZE);
  }
}

function checkRecord(raw: Buffer, loc: RecordLocation, id: string): Buffer {
  const h = parseHeader(raw.subarray(0, HEADER_SIZE));
  if (raw.length !== loc.size || h === null || h.length !== loc.size - HEADER_SIZE || crc32(raw, 0, HEADER_SIZE) !== h.payloadCrc) {
    throw new Error(`queue id ${id}: record in ${loc.segment} damaged`);
  }
  return raw;
}

/** A whole record (header and payload) as stored, checked against both of its checksums. */
export async function readRawRecord(dir: string, loc: RecordLocation, id: string): Promise<Buffer> {
  const fh = await open(join(dir, loc.segment), constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const raw = Buffer.allocUnsafe(loc.size);
    const { bytesRead } = await fh.read(raw, 0, loc.size, loc.offset);
    return checkRecord(raw.subarray(0, bytesRead), loc, id);
  } finally {
    await fh.close();
  }
}
