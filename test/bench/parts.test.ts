import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LatencyRecorder, percentile } from '../../bench/latency.js';
import { buildMessage, buildWire } from '../../bench/message.js';
import { kiBField, parseStat, sampleTrees } from '../../bench/proc.js';
import { ReplyReader } from '../../bench/reply-reader.js';

test('percentiles are nearest-rank', () => {
  const r = new LatencyRecorder(4);
  for (let i = 100; i >= 1; i--) r.record(i); // grows past the initial capacity
  const s = r.summary();
  assert.deepEqual([s.count, s.p50Ms, s.p90Ms, s.p99Ms, s.maxMs, s.meanMs], [100, 50, 90, 99, 100, 50.5]);
  assert.equal(percentile(new Float64Array([7]), 99), 7);
  assert.equal(new LatencyRecorder().summary().p99Ms, 0);
});

test('messages have the exact size, CR LF line ends and no line starting with a dot', () => {
  for (const size of [600, 1000, 10240, 10241]) {
    const m = buildMessage(size, 'a@localhost', 'b@localhost');
    assert.equal(m.length, size);
    const text = m.toString('latin1');
    assert.ok(text.endsWith('\r\n'));
    assert.equal(text.replace(/\r\n/g, '').includes('\n'), false);
    assert.equal(/\r\n\./.test(text), false);
  }
  const w = buildWire({ from: 'f@localhost', to: 'u{n}@localhost', toCount: 3, rcptsPerMessage: 2, size: 1000, ehlo: 'e' });
  assert.equal(w.pipelined[2]?.toString(), 'MAIL FROM:<f@localhost>\r\nRCPT TO:<u3@localhost>\r\nRCPT TO:<u1@localhost>\r\nDATA\r\n');
  assert.ok(w.body.toString('latin1').endsWith('\r\n.\r\n'));
});

test('replies split anywhere across reads are reassembled; multi-line replies end at the space', () => {
  const got: Array<[number, readonly string[] | undefined]> = [];
  const bad: string[] = [];
  const r = new ReplyReader({ reply: (c, l) => got.push([c, l]), malformed: (l) => bad.push(l) });
  const wire = Buffer.from('220 hi\r\n250-a.example\r\n250-PIPELINING\r\n250 SIZE 10\r\n354 go\r\n250\r\nbogus\r\n');
  r.push(wire.subarray(0, 9));
  r.capture = true;
  for (let i = 9; i < wire.length; i += 5) r.push(wire.subarray(i, Math.min(wire.length, i + 5)));
  assert.deepEqual(got.slice(0, 2), [
    [220, undefined],
    [250, ['a.example', 'PIPELINING', 'SIZE 10']],
  ]);
  assert.deepEqual(got.slice(2).map(([c]) => c), [354, 250]);
  assert.deepEqual(bad, ['bogus']);
});

test('/proc parsing copes with odd process names, and this process can be sampled', () => {
  const st = parseStat('42 (a) b (c)) S 7 1 1 0 -1 0 0 0 0 0 11 12 13 14 20 0 1 0 5 100 200');
  assert.deepEqual(st, { ppid: 7, ticks: 11 + 12 + 13 + 14 });
  assert.equal(kiBField('Name:\tx\nVmRSS:\t  1234 kB\n', 'VmRSS'), 1234);
  const s = sampleTrees([process.pid]);
  assert.ok(s.processes >= 1 && s.rssKiB > 0 && s.pssKiB > 0 && s.cpuUs > 0);
});
