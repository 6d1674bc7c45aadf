import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLoad, type LoadOptions } from '../../bench/generator.js';
import { buildWire } from '../../bench/message.js';
import { startSink, type SinkOptions } from './sink.js';

const plan = { from: 'bench@localhost', to: 'user{n}@localhost', toCount: 10, rcptsPerMessage: 1, size: 2048, ehlo: 'bench.test' };

async function burst(sinkOpts: SinkOptions, load: Partial<LoadOptions>, rcpts = 1) {
  const sink = await startSink(sinkOpts);
  try {
    const wire = buildWire({ ...plan, rcptsPerMessage: rcpts });
    const result = await runLoad(
      {
        host: '127.0.0.1',
        port: sink.port,
        sessions: 4,
        rcptsPerMessage: rcpts,
        perConn: 20,
        messages: 200,
        durationSec: 10,
        warmupSec: 0,
        pipelining: true,
        timeoutMs: 5000,
        ...load,
      },
      wire,
    );
    return { result, sink };
  } finally {
    await sink.close();
  }
}

test('every message answered 250 is counted, with its latency, and sessions reconnect after --per-conn', async () => {
  const { result, sink } = await burst({ pipelining: true }, { messages: 300 });
  const c = result.counters;
  assert.equal(result.started, 300);
  assert.equal(c.accepted, 300);
  assert.equal(sink.messages, 300);
  assert.deepEqual(sink.violations, []);
  assert.equal(c.failed4xx + c.failed5xx + c.protocolErrors + c.connectErrors, 0);
  // 300 messages at 20 per connection: at least 15 connections.
  assert.ok(c.connections >= 15, `connections ${c.connections}`);
  assert.equal(sink.connections, c.connections);
  assert.equal(result.pipeliningOffered, true);
  assert.equal(result.pipeliningUsed, true);
  assert.equal(result.latency.count, 300);
  assert.ok(result.latency.p50Ms > 0 && result.latency.p50Ms <= result.latency.p99Ms && result.latency.p99Ms <= result.latency.maxMs);
  assert.ok(result.elapsedMs > 0 && result.generatorCpuUs > 0);
  assert.equal(result.aborted, undefined);
});

test('without PIPELINING on offer, commands go one at a time (two recipients each)', async () => {
  const { result, sink } = await burst({ pipelining: false }, { messages: 100 }, 2);
  assert.equal(result.counters.accepted, 100);
  assert.equal(sink.messages, 100);
  assert.deepEqual(sink.violations, []);
  assert.equal(result.pipeliningOffered, false);
  assert.equal(result.pipeliningUsed, false);
});

test('4xx and 5xx endings are counted apart from accepted messages', async () => {
  const { result, sink } = await burst(
    {
      pipelining: true,
      mailReply: (n) => (n % 5 === 0 ? '451 4.3.0 Try again later\r\n' : '250 2.1.0 ok\r\n'),
      dotReply: (n) => (n % 7 === 0 ? '554 5.6.0 Rejected\r\n' : '250 2.0.0 queued\r\n'),
    },
    { messages: 200 },
  );
  const c = result.counters;
  // 200 MAILs, every 5th refused: 40 x 451; 160 messages sent, every 7th refused: 22 x 554.
  assert.equal(c.failed4xx, 40);
  assert.equal(sink.messages, 160);
  assert.equal(c.failed5xx, 22);
  assert.equal(c.accepted, 138);
  assert.equal(result.latency.count, 138);
  assert.equal(c.protocolErrors, 0);
  // The pipelined RCPT and DATA behind each refused MAIL are answered 503.
  assert.deepEqual(c.codesObject(), { '451': 40, '503': 80, '554': 22 });
  assert.deepEqual(sink.violations, []);
});

test('a malformed reply is a protocol error; the session reconnects and the run completes', async () => {
  const { result } = await burst({ pipelining: true, mailReply: (n) => (n === 3 ? 'this is not SMTP\r\n' : '250 2.1.0 ok\r\n') }, { messages: 100 });
  const c = result.counters;
  assert.equal(c.protocolErrors, 1);
  assert.equal(c.accepted, 99);
  assert.match(c.errorSamples[0] ?? '', /malformed reply line "this is not SMTP"/);
  assert.equal(result.aborted, undefined);
});
