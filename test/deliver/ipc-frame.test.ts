// The channel's framing: frames survive any split of the byte stream, binary bodies arrive intact, a
// header that is not JSON spoils only its own frame, and impossible lengths end the stream (after the
// frames before them).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeFrame, FrameDecoder, type Frame } from '../../src/deliver/ipc-frame.js';

const LIMITS = { maxHeader: 1024, maxBody: 1 << 20 };

function ok(f: Frame | undefined): { header: unknown; body: Buffer | undefined } {
  assert.ok(f !== undefined && f.ok, JSON.stringify(f));
  return f;
}

test('frames split at every byte boundary come out whole and in order', () => {
  const body = Buffer.from([0, 1, 2, 0xff, 0x0d, 0x0a, 0x2e, 0x0d, 0x0a]);
  const stream = Buffer.concat([encodeFrame({ t: 'job', id: 1 }, body), encodeFrame({ t: 'ready' }), encodeFrame({ t: 'x', s: 'é' }, Buffer.alloc(0))]);
  for (let cut = 0; cut <= stream.length; cut++) {
    const d = new FrameDecoder(LIMITS);
    const frames = [...d.push(stream.subarray(0, cut)).frames, ...d.push(stream.subarray(cut)).frames];
    assert.equal(frames.length, 3, `cut at ${cut}`);
    assert.deepEqual(ok(frames[0]).header, { t: 'job', id: 1 });
    assert.deepEqual(ok(frames[0]).body, body);
    assert.deepEqual(ok(frames[1]), { ok: true, header: { t: 'ready' }, body: undefined });
    assert.deepEqual(ok(frames[2]), { ok: true, header: { t: 'x', s: 'é' }, body: undefined });
  }
  const d = new FrameDecoder(LIMITS);
  const frames = [...stream].flatMap((b) => d.push(Buffer.from([b])).frames);
  assert.equal(frames.length, 3);
});

test('a header that is not JSON is reported and the next frame still decodes', () => {
  const junk = Buffer.from('{not json');
  const prefix = Buffer.alloc(8);
  prefix.writeUInt32BE(junk.length, 0);
  prefix.writeUInt32BE(3, 4);
  const d = new FrameDecoder(LIMITS);
  const { frames } = d.push(Buffer.concat([prefix, junk, Buffer.from('abc'), encodeFrame({ t: 'ready' })]));
  assert.equal(frames.length, 2);
  assert.equal(frames[0]!.ok, false);
  assert.match((frames[0] as { error: string }).error, /^header is not JSON/);
  assert.deepEqual(ok(frames[1]).header, { t: 'ready' });
});

test('a length beyond the limits cannot be framed: fatal, after the frames before it', () => {
  const big = Buffer.alloc(8);
  big.writeUInt32BE(LIMITS.maxHeader + 1, 0);
  const d = new FrameDecoder(LIMITS);
  const r = d.push(Buffer.concat([encodeFrame({ t: 'ready' }), big]));
  assert.deepEqual(r.frames.map((f) => ok(f).header), [{ t: 'ready' }]);
  assert.equal(r.fatal, `frame header of ${LIMITS.maxHeader + 1} bytes exceeds 1024`);
  // Nothing after it is trusted.
  assert.deepEqual(d.push(encodeFrame({ t: 'ready' })), { frames: [], fatal: r.fatal });
  const bigBody = Buffer.alloc(8);
  bigBody.writeUInt32BE(2, 0);
  bigBody.writeUInt32BE(0xffffffff, 4);
  assert.equal(new FrameDecoder(LIMITS).push(bigBody).fatal, 'frame body of 4294967295 bytes exceeds 1048576');
});
