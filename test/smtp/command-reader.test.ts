import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommandReader } from '../../src/smtp/command-reader.js';

function lines(input: string, cuts: number[], limit = 2048): string[] {
  const bytes = Buffer.from(input, 'latin1');
  const r = new CommandReader(limit, 12288, (b) => b.toString('latin1').toUpperCase().startsWith('AUTH '));
  const out: string[] = [];
  const points = [0, ...cuts.filter((c) => c > 0 && c < bytes.length), bytes.length];
  for (let i = 0; i + 1 < points.length; i++) {
    const chunk = bytes.subarray(points[i], points[i + 1]);
    let pos = 0;
    while (pos < chunk.length) {
      const res = r.next(chunk, pos);
      if (res.kind === 'more') break;
      if (res.kind !== 'line') {
        out.push(`<${res.kind}>`);
        return out;
      }
      out.push(res.hasNul ? `${res.line}<nul>` : res.line);
      pos = res.next;
    }
  }
  return out;
}

function everySplit(input: string, limit?: number): string[] {
  const whole = lines(input, [], limit);
  for (let a = 1; a < input.length; a++) {
    assert.deepEqual(lines(input, [a], limit), whole, `split at ${a}`);
    for (let b = a + 1; b < input.length; b += 2) assert.deepEqual(lines(input, [a, b], limit), whole);
  }
  return whole;
}

test('CR LF ends command lines wherever the chunks are cut', () => {
  assert.deepEqual(everySplit('EHLO a\r\nMAIL FROM:<x@y>\r\n\r\nQUIT\r\n'), ['EHLO a', 'MAIL FROM:<x@y>', '', 'QUIT']);
});

test('bare LF and bare CR in command lines are violations, never line ends', () => {
  assert.deepEqual(everySplit('MAIL FROM:<a@b.example>\nRCPT TO:<c@b.example>\r\n'), ['<bareLF>']);
  assert.deepEqual(everySplit('NOOP\rQUIT\r\n'), ['<bareCR>']);
  assert.deepEqual(everySplit('NOOP\r\n\nQUIT\r\n'), ['NOOP', '<bareLF>']);
  assert.deepEqual(everySplit('NOOP\r\rQUIT\r\n'), ['<bareCR>']);
});

test('a NUL is reported with its line', () => {
  assert.deepEqual(everySplit('NOOP\0QUIT\r\n'), ['NOOP\0QUIT<nul>']);
});

test('over-long lines are refused, AUTH lines get the longer limit', () => {
  assert.deepEqual(lines(`NOOP ${'x'.repeat(2041)}\r\n`, []), [`NOOP ${'x'.repeat(2041)}`]);
  assert.deepEqual(lines(`NOOP ${'x'.repeat(2042)}\r\n`, []), ['<tooLong>']);
  assert.deepEqual(lines(`NOOP ${'x'.repeat(3000)}`, [100, 2500]), ['<tooLong>']);
  assert.deepEqual(lines(`AUTH PLAIN ${'x'.repeat(5000)}\r\n`, [1000]), [`AUTH PLAIN ${'x'.repeat(5000)}`]);
});
