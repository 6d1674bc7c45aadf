import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataReader } from '../../src/smtp/data-reader.js';

interface Outcome {
  kind: string;
  text?: string;
  rest?: string;
  size?: number;
}

/** Feeds `input` cut at the given positions; returns what the reader made of it. */
function run(input: string, cuts: number[], max = 0): Outcome {
  const bytes = Buffer.from(input, 'latin1');
  const r = new DataReader(max);
  const points = [0, ...cuts.filter((c) => c > 0 && c < bytes.length), bytes.length];
  for (let i = 0; i + 1 < points.length; i++) {
    const chunk = bytes.subarray(points[i], points[i + 1]);
    const res = r.feed(chunk, 0);
    if (res.kind === 'end') {
      const rest = Buffer.concat([chunk.subarray(res.next), bytes.subarray(points[i + 1])]).toString('latin1');
      return { kind: 'end', text: Buffer.concat(r.parts).toString('latin1'), rest, size: r.size };
    }
    if (res.kind !== 'more') return { kind: res.kind };
  }
  return { kind: 'more' };
}

function everySplit(input: string, max = 0): Outcome {
  const whole = run(input, [], max);
  for (let a = 1; a < input.length; a++) {
    assert.deepEqual(run(input, [a], max), whole, `split at ${a} of ${JSON.stringify(input)}`);
    for (let b = a + 1; b < input.length; b += 3) {
      assert.deepEqual(run(input, [a, b], max), whole, `split at ${a},${b}`);
    }
  }
  return whole;
}

test('the end marker ends the message, wherever the chunks are cut', () => {
  assert.deepEqual(everySplit('Subject: x\r\n\r\nbody\r\n.\r\nQUIT\r\n'), {
    kind: 'end',
    text: 'Subject: x\r\n\r\nbody\r\n',
    rest: 'QUIT\r\n',
    size: 'Subject: x\r\n\r\nbody\r\n'.length - 3,
  });
});

test('an empty message is a lone dot right after DATA', () => {
  assert.deepEqual(everySplit('.\r\n'), { kind: 'end', text: '', rest: '', size: 0 });
});

test('dot-unstuffing removes exactly one leading dot', () => {
  const r = everySplit('..x\r\n. \r\n...\r\n.\r\n');
  assert.equal(r.text, '.x\r\n \r\n..\r\n');
});

test('smuggling sequences are never an end marker', () => {
  for (const [input, kind] of [
    ['a\n.\nMAIL FROM:<x>\r\n', 'bareLF'],
    ['a\n.\r\nMAIL FROM:<x>\r\n', 'bareLF'],
    ['a\r\n.\nMAIL FROM:<x>\r\n', 'bareLF'],
    ['a\r.\rMAIL FROM:<x>\r\n', 'bareCR'],
    ['a\n\n.\r\n', 'bareLF'],
    ['Subject: a\nb\r\n.\r\n', 'bareLF'],
    ['x\r\nbody\rmore\r\n.\r\n', 'bareCR'],
    ['x\r\n\r\r\n.\r\n', 'bareCR'],
  ] as const) {
    assert.equal(everySplit(input).kind, kind, JSON.stringify(input));
  }
});

test('NUL and " ." variants continue the message up to the real end', () => {
  const r = everySplit('a\r\n\0.\r\nb\r\n.\0\r\nc\r\n. \r\nd\r\n.\r\n');
  assert.equal(r.kind, 'end');
  assert.equal(r.text, 'a\r\n\0.\r\nb\r\n\0\r\nc\r\n \r\nd\r\n');
});

test('size over the limit drops the text but still finds the end', () => {
  const body = 'x'.repeat(50) + '\r\n';
  const r = everySplit(body + body + '.\r\nNOOP\r\n', 60);
  assert.equal(r.kind, 'end');
  assert.equal(r.text, '');
  assert.equal(r.rest, 'NOOP\r\n');
});

test('the NUL and 8-bit flags are set from the text', () => {
  const reader = new DataReader(0);
  reader.feed(Buffer.from('h\xe9\r\n\0\r\n.\r\n', 'latin1'), 0);
  assert.equal(reader.hasNul, true);
  assert.equal(reader.eightBit, true);
  const plain = new DataReader(0);
  plain.feed(Buffer.from('plain\r\n.\r\n'), 0);
  assert.equal(plain.hasNul, false);
  assert.equal(plain.eightBit, false);
});
