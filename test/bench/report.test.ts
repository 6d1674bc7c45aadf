import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseOptions } from '../../bench/options.js';
import { formatReport } from '../../bench/report.js';
import { runBench } from '../../bench/run.js';
import { startSink } from './sink.js';

/** Every key path of a JSON value ("runs.0.load.latencyMs.p99"); arrays of objects by their first element. */
function keyPaths(v: unknown, prefix = ''): string[] {
  if (v === null || typeof v !== 'object') return [];
  const entries = Array.isArray(v) ? (v.length > 0 ? [['0', v[0]] as const] : []) : Object.entries(v);
  return entries.flatMap(([k, child]) => [`${prefix}${k}`, ...keyPaths(child, `${prefix}${k}.`)]);
}

test('a short run against a sink, measured through its pid, reports every figure', async () => {
  const sink = await startSink({ pipelining: true });
  try {
    // The sink runs in this process, so this process is the "server" to measure; 1000 messages keep
    // its CPU well above the 10 ms resolution of /proc/PID/stat.
    const opts = parseOptions([
      '--host', '127.0.0.1', '--port', String(sink.port), '--server-pid', String(process.pid),
      '--sessions', '4', '--messages', '1000', '--warmup', '0.2', '--size', '4096',
      '--idle', '30', '--idle-hold', '0.3', '--idle-per-source', '10',
    ]);
    const report = await runBench(opts, () => {});
    const run = report.runs[0];
    assert.ok(run !== undefined);
    assert.equal(run.error, null);
    const load = run.load;
    assert.ok(load !== null);
    assert.equal(load.messages, 1000);
    assert.equal(load.started, 1000);
    assert.ok(load.messagesPerSec > 0);
    assert.ok(load.latencyMs.p99 > 0);
    assert.ok(load.server !== null && load.server.cpuUsPerMessage > 0 && load.server.rssKiBEnd > 0);
    assert.ok(load.generator.cpuUsPerMessage > 0);
    const idle = run.idle;
    assert.ok(idle !== null);
    assert.equal(idle.skipped, null);
    assert.equal(idle.established, 30);
    assert.equal(idle.sourceAddresses, 3);
    assert.deepEqual(idle.failures, {});
    assert.ok(idle.server !== null && idle.server.rssKiBAfter > 0);

    const paths = keyPaths(JSON.parse(JSON.stringify(report)));
    for (const p of [
      'startedAt', 'machine.cpus', 'machine.node', 'machine.openFilesLimit',
      'scenario.sessions', 'scenario.sizeBytes', 'scenario.rcptsPerMessage', 'scenario.perConn', 'scenario.pipelining', 'scenario.idle',
      'runs.0.target', 'runs.0.detail',
      'runs.0.load.messages', 'runs.0.load.messagesPerSec', 'runs.0.load.failed4xx', 'runs.0.load.failed5xx',
      'runs.0.load.protocolErrors', 'runs.0.load.connectErrors', 'runs.0.load.connections', 'runs.0.load.unexpectedCodes',
      'runs.0.load.latencyMs.p50', 'runs.0.load.latencyMs.p99', 'runs.0.load.latencyMs.max',
      'runs.0.load.server.cpuUsPerMessage', 'runs.0.load.server.cpuCores', 'runs.0.load.server.rssKiBEnd',
      'runs.0.load.generator.cpuUsPerMessage', 'runs.0.load.generator.cpuCores',
      'runs.0.idle.established', 'runs.0.idle.server.kiBPerConnection', 'runs.0.idle.server.rssKiBBefore', 'runs.0.idle.server.rssKiBAfter',
      'ratios', 'goals',
    ]) {
      assert.ok(paths.includes(p), `report lacks ${p}`);
    }

    const text = formatReport(report);
    for (const label of [
      'messages/s', 'latency p50 (ms)', 'latency p99 (ms)', 'latency max (ms)', 'server CPU per message (µs)',
      'server RSS at end (MiB)', 'generator CPU per message (µs)', 'generator CPU (cores busy)',
      'failed 4xx / 5xx', 'protocol / connect errors', 'idle connections held', 'KiB per idle connection',
    ]) {
      assert.match(text, new RegExp(`^${label.replace(/[()/]/g, '\\$&')} .*\\d`, 'm'), `text report lacks a value for ${label}`);
    }
    assert.match(text, /^idle connections held +30\/30$/m);
  } finally {
    await sink.close();
  }
});
