// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320): the checksum of every spool record.
// zlib.crc32 (Node 20.15 and later) is used where there is one: it is native and an order of
// magnitude faster, which matters when a queue runner first reads a large queue. Node 20.0 has none,
// so it is also computed here; slicing-by-8 tables keep that fast enough to checksum every message
// body on the commit path (several hundred MB/s).

import * as zlib from 'node:zlib';

/** zlib's crc32(data, value), when this Node has it (the same CRC, continued from `value`). */
const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

const [T0, T1, T2, T3, T4, T5, T6, T7] = buildTables();

/** Table k gives the CRC contribution of a byte followed by k zero bytes (slicing-by-8). */
function buildTables(): Uint32Array[] {
  const t0 = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t0[n] = c >>> 0;
  }
  const tables = [t0];
  for (let s = 1; s < 8; s++) {
    const prev = tables[s - 1];
    const t = new Uint32Array(256);
    for (let n = 0; n < 256; n++) t[n] = ((prev[n] >>> 8) ^ t0[prev[n] & 0xff]) >>> 0;
    tables.push(t);
  }
  return tables;
}

/**
 * Continues a CRC over `buf[start, end)`. Start with `crc = 0`; feed the result back in to checksum
 * data spread over several buffers (a record's header and its body buffers) without copying them.
 */
export function crc32(buf: Uint8Array, crc = 0, start = 0, end = buf.length): number {
  if (native !== undefined) return native(start === 0 && end === buf.length ? buf : buf.subarray(start, end), crc) >>> 0;
  return tableCrc32(buf, crc, start, end);
}

/** The same CRC without zlib (exported for the tests, which compare the two). */
export function tableCrc32(buf: Uint8Array, crc = 0, start = 0, end = buf.length): number {
  let c = ~crc >>> 0;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const lo = c ^ (buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24));
    c =
      T7[lo & 0xff] ^
      T6[(lo >>> 8) & 0xff] ^
      T5[(lo >>> 16) & 0xff] ^
      T4[lo >>> 24] ^
      T3[buf[i + 4]] ^
      T2[buf[i + 5]] ^
      T1[buf[i + 6]] ^
      T0[buf[i + 7]];
  }
  for (; i < end; i++) c = T0[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
