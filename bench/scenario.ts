// The two measurements made on a running server: the load (server sampled at both ends of the
// measured window) and the idle test; and a helper that starts a server, runs one of them, stops it.

import { runLoad } from './generator.js';
import { runIdle, type IdleResult } from './idle.js';
import type { Wire } from './message.js';
import type { BenchOptions } from './options.js';
import { openFileLimit, sampleTrees, type ProcSample } from './proc.js';
import type { IdleFigures, LoadFigures } from './report.js';
import { startTarget, type RunningTarget, type StartContext, type TargetSpec } from './targets.js';

/** Descriptors the generator needs besides the idle connections (stdio, the load's leftovers, /proc reads). */
const FD_MARGIN = 64;

export interface Phase<T> {
  /** What ran (from the target), or '(not started)'. */
  detail: string;
  value?: T;
  error?: string;
}

/** Starts the target, runs `fn` on it and stops it, whatever happens; errors are returned, not thrown. */
export async function withServer<T>(spec: TargetSpec, ctx: StartContext, fn: (server: RunningTarget) => Promise<T>): Promise<Phase<T>> {
  const phase: Phase<T> = { detail: '(not started)' };
  let server: RunningTarget | undefined;
  try {
    server = await startTarget(spec, ctx);
    phase.detail = server.detail;
    phase.value = await fn(server);
  } catch (err) {
    phase.error = (err as Error).message;
  } finally {
    await server?.stop().catch((err: Error) => {
      phase.error = phase.error ?? `stopping the server: ${err.message}`;
    });
  }
  return phase;
}

export async function loadPhase(server: RunningTarget, opts: BenchOptions, wire: Wire): Promise<LoadFigures> {
  const pids = server.pids;
  let start: ProcSample | undefined;
  let end: ProcSample | undefined;
  const r = await runLoad(
    {
      host: server.host,
      port: server.port,
      sessions: opts.sessions,
      rcptsPerMessage: opts.rcpts,
      perConn: opts.perConn,
      ...(opts.messages === undefined ? {} : { messages: opts.messages }),
      durationSec: opts.durationSec,
      warmupSec: opts.warmupSec,
      pipelining: opts.pipelining,
      timeoutMs: opts.timeoutSec * 1000,
    },
    wire,
    {
      // Pss is left out here: walking the mappings of every process is too slow to do at the edge of the window.
      windowStart: () => (start = pids.length > 0 ? sampleTrees(pids, false) : undefined),
      windowEnd: () => (end = pids.length > 0 ? sampleTrees(pids, true) : undefined),
    },
  );
  const c = r.counters;
  const secs = r.elapsedMs / 1000;
  const perMsg = (us: number): number => (c.accepted === 0 ? 0 : us / c.accepted);
  return {
    messages: c.accepted,
    started: r.started,
    failed4xx: c.failed4xx,
    failed5xx: c.failed5xx,
    rcptRefused: c.rcptRefused,
    protocolErrors: c.protocolErrors,
    connectErrors: c.connectErrors,
    connections: c.connections,
    unexpectedCodes: c.codesObject(),
    errorSamples: [...c.errorSamples],
    elapsedSec: secs,
    messagesPerSec: secs > 0 ? c.accepted / secs : 0,
    latencyMs: { p50: r.latency.p50Ms, p90: r.latency.p90Ms, p99: r.latency.p99Ms, max: r.latency.maxMs, mean: r.latency.meanMs },
    pipelining: { offered: r.pipeliningOffered ?? null, used: r.pipeliningUsed },
    server:
      start === undefined || end === undefined
        ? null
        : {
            processes: end.processes,
            cpuUsPerMessage: perMsg(end.cpuUs - start.cpuUs),
            cpuCores: secs > 0 ? (end.cpuUs - start.cpuUs) / 1e6 / secs : 0,
            rssKiBStart: start.rssKiB,
            rssKiBEnd: end.rssKiB,
            pssKiBEnd: end.pssKiB,
          },
    generator: {
      cpuUsPerMessage: perMsg(r.generatorCpuUs),
      cpuCores: secs > 0 ? r.generatorCpuUs / 1e6 / secs : 0,
      rssKiB: Math.round(process.memoryUsage.rss() / 1024),
    },
    aborted: r.aborted ?? null,
  };
}

/** 127.0.0.2, 127.0.0.3...: enough loopback source addresses for `n` connections. */
export function sourceAddresses(host: string, n: number, perSource: number): string[] {
  if (!host.startsWith('127.')) return [];
  const count = Math.min(250, Math.max(1, Math.ceil(n / perSource)));
  return Array.from({ length: count }, (_, i) => `127.0.0.${i + 2}`);
}

/** Holds `connections` idle connections to the server. */
export async function idlePhase(server: RunningTarget, connections: number, opts: BenchOptions, wire: Wire): Promise<IdleFigures> {
  const addrs = sourceAddresses(server.host, connections, opts.idlePerSource);
  const base: IdleFigures = {
    requested: connections,
    established: 0,
    failures: {},
    droppedDuringHold: 0,
    sourceAddresses: addrs.length,
    openSec: 0,
    holdSec: 0,
    server: null,
    skipped: null,
  };
  const limit = openFileLimit();
  if (limit !== undefined && limit < connections + FD_MARGIN) {
    return {
      ...base,
      skipped:
        `ulimit -n is ${limit}, too low for ${connections} connections (the generator needs at least ${connections + FD_MARGIN}, ` +
        `and a server started by the benchmark inherits the same limit): raise it (ulimit -n 20000) or lower --idle`,
    };
  }
  const pids = server.pids;
  const r: IdleResult = await runIdle({
    host: server.host,
    port: server.port,
    connections,
    holdSec: opts.idleHoldSec,
    localAddresses: addrs,
    openConcurrency: 100,
    timeoutMs: opts.timeoutSec * 1000,
    ehlo: wire.ehlo,
    ...(pids.length > 0 ? { sample: () => sampleTrees(pids, true) } : {}),
  });
  const per = (a: number, b: number): number => (r.established === 0 ? 0 : (b - a) / r.established);
  return {
    ...base,
    established: r.established,
    failures: r.failures,
    droppedDuringHold: r.droppedDuringHold,
    openSec: r.openMs / 1000,
    holdSec: r.holdMs / 1000,
    server:
      r.before === undefined || r.after === undefined
        ? null
        : {
            rssKiBBefore: r.before.rssKiB,
            rssKiBAfter: r.after.rssKiB,
            pssKiBBefore: r.before.pssKiB,
            pssKiBAfter: r.after.pssKiB,
            processesAfter: r.after.processes,
            kiBPerConnection: per(r.before.rssKiB, r.after.rssKiB),
            pssKiBPerConnection: per(r.before.pssKiB, r.after.pssKiB),
          },
  };
}
