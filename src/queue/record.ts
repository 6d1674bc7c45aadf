// The on-disk record: every byte of a segment file belongs to one of these. docs/spool.md has the
// full description; in short (little-endian):
//
//   0  4  magic "PstR"
//   4  1  record format version (1)
//   5  1  record type (RecordType)
//   6  2  reserved, 0
//   8  4  payload length
//  12  4  CRC-32 of the payload
//  16  4  CRC-32 of bytes 0..15 (so a damaged length is caught before it is believed)
//  20  …  payload
//
// A record counts only if its header checksum, its length (within the file) and its payload checksum
// are all right; anything else is a torn tail or damage.

import { crc32 } from './crc32.js';
import type { Envelope } from './envelope.js';
import { encodeEnvelope } from './envelope.js';

export const MAGIC = Buffer.from('PstR', 'latin1');
export const RECORD_VERSION = 1;
export const HEADER_SIZE = 20;
/** Larger lengths are treated as damage: no message Postern accepts comes near 2 GiB. */
export const MAX_PAYLOAD = 0x7fffffff;

export enum RecordType {
  /** First record of every segment: JSON SegmentHeader. */
  Segment = 1,
  /** One queued message: u32 envelope length, envelope JSON, message data. */
  Message = 2,
  /** A state change of a queued message: JSON StateUpdate (state.ts). */
  State = 3,
}

export interface RecordHeader {
  version: number;
  type: number;
  length: number;
  payloadCrc: number;
}

export interface SegmentHeader {
  format: 1;
  writer: string;
  seq: number;
  created: number;
  pid: number;
}

function header(type: RecordType, length: number, payloadCrc: number, target: Buffer): void {
  MAGIC.copy(target, 0);
  target[4] = RECORD_VERSION;
  target[5] = type;
  target.writeUInt16LE(0, 6);
  target.writeUInt32LE(length, 8);
  target.writeUInt32LE(payloadCrc, 12);
  target.writeUInt32LE(crc32(target, 0, 0, 16), 16);
}

/** Parses a record header; null when it is not one (wrong magic, damaged, absurd length). */
export function parseHeader(b: Buffer): RecordHeader | null {
  if (b.length < HEADER_SIZE || b.compare(MAGIC, 0, 4, 0, 4) !== 0) return null;
  if (crc32(b, 0, 0, 16) !== b.readUInt32LE(16)) return null;
  const length = b.readUInt32LE(8);
  if (length > MAX_PAYLOAD) return null;
  return { version: b[4] as number, type: b[5] as number, length, payloadCrc: b.readUInt32LE(12) };
}

/** A record ready for writev: the buffers in order and their total size. */
export interface EncodedRecord {
  buffers: Buffer[];
  size: number;
}

/**
 * A message record. The header, the envelope length and the envelope share one small buffer; the
 * message data buffers are passed through untouched so a body is never copied on its way to disk.
 */
export function messageRecord(envelope: Envelope, data: readonly Buffer[]): EncodedRecord {
  const env = encodeEnvelope(envelope);
  let dataSize = 0;
  for (const d of data) dataSize += d.length;
  const length = 4 + env.length + dataSize;
  if (length > MAX_PAYLOAD) throw new RangeError(`message of ${dataSize} octets is too large for the spool`);
  const head = Buffer.allocUnsafe(HEADER_SIZE + 4 + env.length);
  head.writeUInt32LE(env.length, HEADER_SIZE);
  env.copy(head, HEADER_SIZE + 4);
  let crc = crc32(head, 0, HEADER_SIZE);
  for (const d of data) crc = crc32(d, crc);
  header(RecordType.Message, length, crc, head);
  return { buffers: [head, ...data], size: HEADER_SIZE + length };
}

/** A record whose payload is one JSON value (segment header, state update). */
export function jsonRecord(type: RecordType, value: unknown): EncodedRecord {
  const json = Buffer.from(JSON.stringify(value), 'utf8');
  const rec = Buffer.allocUnsafe(HEADER_SIZE + json.length);
  json.copy(rec, HEADER_SIZE);
  header(type, json.length, crc32(json), rec);
  return { buffers: [rec], size: rec.length };
}

export function isSegmentHeader(v: unknown): v is SegmentHeader {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    o.format === 1 &&
    typeof o.writer === 'string' &&
    typeof o.seq === 'number' &&
    typeof o.created === 'number' &&
    typeof o.pid === 'number'
  );
}
