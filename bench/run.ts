// `npm run bench`: parses the options, runs every target in turn and prints one report.

import { writeFileSync } from 'node:fs';
import { cpus, loadavg, release } from 'node:os';
import { formatAccessBench, runAccessBench } from './access-bench.js';
import { formatLocalReport, runLocalBench } from './local-bench.js';
import { buildWire, recipients } from './message.js';
import { parseOptions, USAGE, type BenchOptions } from './options.js';
import { openFileLimit } from './proc.js';
import { outboundMain } from './outbound.js';
import { checkGoals, computeRatios, formatReport, type BenchReport, type TargetReport } from './report.js';
import { runTargets } from './rounds.js';

export async function runBench(opts: BenchOptions, say: (line: string) => void): Promise<BenchReport> {
  const plan = { from: opts.from, to: opts.to, toCount: opts.toCount, rcptsPerMessage: opts.rcpts, size: opts.size, ehlo: opts.ehlo };
  const wire = buildWire(plan);
  const localParts = recipients(plan).map((a) => a.slice(0, a.lastIndexOf('@') < 0 ? a.length : a.lastIndexOf('@')));
  const ctx = {
    maxConnections: Math.max(opts.sessions, opts.idle),
    localParts,
    aliasTarget: opts.aliasTarget,
    postfixMode: opts.postfixMode,
    keep: opts.keep,
  };
  const startedAt = new Date().toISOString();
  const loadAverageAtStart = loadavg()[0] ?? 0;
  const runs: TargetReport[] = await runTargets(opts, wire, ctx, say);
  // The access map's own figures, whenever Postern itself is benchmarked.
  let access: BenchReport['access'];
  if (runs.some((r) => r.target === 'postern')) {
    say('access map: 1,000,000 entries (load, memory, reload, lookups)');
    access = await runAccessBench().catch((err: Error) => ({ error: err.message }));
  }
  const limit = openFileLimit();
  return {
    startedAt,
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
      node: process.version,
      kernel: release(),
      openFilesLimit: limit === undefined || !Number.isFinite(limit) ? null : limit,
      loadAverageAtStart,
    },
    scenario: {
      sessions: opts.sessions,
      sizeBytes: opts.size,
      rcptsPerMessage: opts.rcpts,
      perConn: opts.perConn,
      messages: opts.messages ?? null,
      durationSec: opts.messages === undefined ? opts.durationSec : null,
      warmupSec: opts.warmupSec,
      rounds: opts.rounds,
      pipelining: opts.pipelining,
      from: opts.from,
      to: opts.to,
      toCount: opts.toCount,
      idle: opts.idle,
      postfixIdle: opts.postfixIdle,
      idleHoldSec: opts.idleHoldSec,
    },
    runs,
    ratios: computeRatios(runs),
    goals: checkGoals(runs),
    ...(access === undefined ? {} : { access }),
  };
}

async function main(argv: string[]): Promise<number> {
  // The outbound benchmark has its own scenario and options (docs/benchmark.md "Outbound").
  if (argv.includes('--outbound')) return outboundMain(argv);
  let opts: BenchOptions;
  try {
    opts = parseOptions(argv);
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\n\n${USAGE}`);
    return 64;
  }
  if (opts.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (opts.local) {
    const local = await runLocalBench(
      {
        messages: opts.localMessages,
        size: opts.size,
        formats: opts.localFormats,
        postfix: opts.targets.some((t) => t.kind === 'postfix'),
        timeoutSec: Math.max(opts.timeoutSec, 120),
        keep: opts.keep,
        fs: opts.localFs,
        rounds: opts.rounds,
      },
      (line) => process.stderr.write(`bench: ${line}\n`),
    );
    const json = JSON.stringify(local, null, 2) + '\n';
    if (opts.jsonOut !== undefined) writeFileSync(opts.jsonOut, json);
    process.stdout.write(opts.json ? json : formatLocalReport(local));
    return local.runs.some((r) => r.error !== null) ? 1 : 0;
  }
  const report = await runBench(opts, (line) => process.stderr.write(`bench: ${line}\n`));
  const json = JSON.stringify(report, null, 2) + '\n';
  if (opts.jsonOut !== undefined) writeFileSync(opts.jsonOut, json);
  const a = report.access;
  const accessText = a === undefined ? '' : `\n${'error' in a ? `Access map benchmark failed: ${a.error}\n` : formatAccessBench(a)}`;
  process.stdout.write(opts.json ? json : formatReport(report) + accessText);
  return report.runs.some((r) => r.error !== null || r.load?.aborted != null) ? 1 : 0;
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\/dist\//, '/dist/'));
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: Error) => {
      process.stderr.write(`bench: ${err.stack ?? err.message}\n`);
      process.exitCode = 70;
    },
  );
}
