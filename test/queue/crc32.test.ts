import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { crc32, tableCrc32 } from '../../src/queue/crc32.js';

// The bit-at-a-time definition, as slow and obvious as possible, to check the table-driven one.
function reference(b: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of b) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

test('crc32 gives the standard check values', () => {
  assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
  assert.equal(crc32(Buffer.alloc(0)), 0);
  assert.equal(crc32(Buffer.from('The quick brown fox jumps over the lazy dog')), 0x414fa339);
});

test('crc32 agrees with the bitwise definition for every length and alignment', () => {
  for (let len = 0; len < 300; len += 7) {
    const b = randomBytes(len + 5);
    for (const start of [0, 1, 3, 5]) {
      assert.equal(crc32(b, 0, start, start + len), reference(b.subarray(start, start + len)), `len ${len} start ${start}`);
    }
  }
});

test('crc32 continues across buffers as if they were one', () => {
  const a = randomBytes(1000);
  const b = randomBytes(3333);
  assert.equal(crc32(b, crc32(a)), crc32(Buffer.concat([a, b])));
});

test('the table-driven CRC (Node without zlib.crc32) and the one used agree, also when continued', () => {
  for (let len = 0; len < 3000; len += 97) {
    const b = randomBytes(len + 9);
    for (const start of [0, 1, 4, 9]) {
      const end = start + len;
      assert.equal(tableCrc32(b, 0, start, end), reference(b.subarray(start, end)));
      assert.equal(crc32(b, 0, start, end), tableCrc32(b, 0, start, end));
      const mid = start + (len >> 1);
      assert.equal(crc32(b, crc32(b, 0, start, mid), mid, end), tableCrc32(b, 0, start, end));
    }
  }
});
