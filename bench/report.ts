// The benchmark's report: figures per target as a plain object (what --json prints) and the same as
// a table for people, with a ratio column when two targets ran and the project's goals checked for
// Postern.

import type { AccessBenchFigures } from './access-bench.js';

export interface ServerLoadFigures {
  /** Processes in the measured trees at the end of the window. */
  processes: number;
  cpuUsPerMessage: number;
  /** Average number of cores the server kept busy during the window. */
  cpuCores: number;
  rssKiBStart: number;
  rssKiBEnd: number;
  pssKiBEnd: number;
}

export interface LoadFigures {
  /** Messages answered 250 after the final dot (transactions started in the window). */
  messages: number;
  /** Transactions started in the window. */
  started: number;
  failed4xx: number;
  failed5xx: number;
  rcptRefused: number;
  protocolErrors: number;
  connectErrors: number;
  connections: number;
  unexpectedCodes: Record<string, number>;
  errorSamples: string[];
  elapsedSec: number;
  messagesPerSec: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  pipelining: { offered: boolean | null; used: boolean };
  server: ServerLoadFigures | null;
  generator: { cpuUsPerMessage: number; cpuCores: number; rssKiB: number };
  aborted: string | null;
}

export interface IdleFigures {
  requested: number;
  established: number;
  failures: Record<string, number>;
  droppedDuringHold: number;
  sourceAddresses: number;
  openSec: number;
  holdSec: number;
  server: {
    rssKiBBefore: number;
    rssKiBAfter: number;
    pssKiBBefore: number;
    pssKiBAfter: number;
    processesAfter: number;
    /** RSS growth per established connection. */
    kiBPerConnection: number;
    /** PSS growth per established connection (the fair figure for a multi-process server). */
    pssKiBPerConnection: number;
  } | null;
  /** Why the idle test did not run, if it did not. */
  skipped: string | null;
}

export interface TargetReport {
  target: string;
  detail: string;
  /** The median round's figures (the only round's when --rounds is 1). */
  load: LoadFigures | null;
  /** Messages/s of every round, in the order they ran. */
  roundsMessagesPerSec: number[];
  idle: IdleFigures | null;
  error: string | null;
}

export interface Goal {
  what: string;
  goal: string;
  value: number | null;
  met: boolean | null;
}

export interface BenchReport {
  startedAt: string;
  machine: { cpus: number; cpuModel: string; node: string; kernel: string; openFilesLimit: number | null; loadAverageAtStart: number };
  scenario: {
    sessions: number;
    sizeBytes: number;
    rcptsPerMessage: number;
    perConn: number;
    messages: number | null;
    durationSec: number | null;
    warmupSec: number;
    rounds: number;
    pipelining: boolean;
    from: string;
    to: string;
    toCount: number;
    idle: number;
    postfixIdle: number;
    idleHoldSec: number;
  };
  runs: TargetReport[];
  /** First run's figure divided by the second's, when two targets ran. */
  ratios: { of: string; to: string; messagesPerSec: number | null; serverCpuUsPerMessage: number | null; p99Ms: number | null; kiBPerIdleConnection: number | null } | null;
  /** The project's goals, checked against the Postern run (empty when Postern did not run). */
  goals: Goal[];
  /** The 1,000,000-entry access map benchmark (bench/access-bench.ts), when Postern ran. */
  access?: AccessBenchFigures | { error: string };
}

function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a === null || a === undefined || b === null || b === undefined || b === 0) return null;
  return a / b;
}

export function idleKiB(idle: IdleFigures | null): number | null {
  if (idle?.server == null) return null;
  // Several processes share code pages; only PSS divides them fairly.
  return idle.server.processesAfter > 1 ? idle.server.pssKiBPerConnection : idle.server.kiBPerConnection;
}

export function computeRatios(runs: readonly TargetReport[]): BenchReport['ratios'] {
  if (runs.length < 2) return null;
  const [a, b] = runs as [TargetReport, TargetReport];
  return {
    of: a.target,
    to: b.target,
    messagesPerSec: ratio(a.load?.messagesPerSec, b.load?.messagesPerSec),
    serverCpuUsPerMessage: ratio(a.load?.server?.cpuUsPerMessage, b.load?.server?.cpuUsPerMessage),
    p99Ms: ratio(a.load?.latencyMs.p99, b.load?.latencyMs.p99),
    kiBPerIdleConnection: ratio(idleKiB(a.idle), idleKiB(b.idle)),
  };
}

/** The targets the project set for Postern on the 2-core benchmark machine. */
export function checkGoals(runs: readonly TargetReport[]): Goal[] {
  const p = runs.find((r) => r.target === 'postern');
  if (p === undefined) return [];
  const check = (what: string, goal: string, value: number | null | undefined, ok: (v: number) => boolean): Goal => {
    const v = value ?? null;
    return { what, goal, value: v, met: v === null ? null : ok(v) };
  };
  return [
    check('messages/s', '>= 3000', p.load?.messagesPerSec, (v) => v >= 3000),
    check('server CPU per message (µs)', '<= 400', p.load?.server?.cpuUsPerMessage, (v) => v <= 400),
    check('latency p99 (ms)', '<= 30', p.load?.latencyMs.p99, (v) => v <= 30),
    check('KiB per idle connection', '<= 6', idleKiB(p.idle), (v) => v <= 6),
  ];
}

function fmt(v: number | null | undefined, digits = 0): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '-';
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function fmtRatio(v: number | null): string {
  if (v === null) return '';
  return `${v >= 10 ? v.toFixed(1) : v >= 0.1 ? v.toFixed(2) : v.toPrecision(2)}x`;
}

function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('   ').trimEnd()).join('\n');
}

export function formatReport(rep: BenchReport): string {
  const s = rep.scenario;
  const out: string[] = [];
  out.push(`Postern benchmark, ${rep.startedAt}`);
  out.push(
    `machine: ${rep.machine.cpus} CPUs (${rep.machine.cpuModel}), Node ${rep.machine.node}, Linux ${rep.machine.kernel}, ` +
      `ulimit -n ${rep.machine.openFilesLimit ?? '?'}, load average ${rep.machine.loadAverageAtStart.toFixed(2)} at start`,
  );
  const window = s.messages !== null ? `${fmt(s.messages)} messages measured` : `${s.durationSec} s measured`;
  out.push(
    `scenario: ${s.sessions} sessions, ${fmt(s.sizeBytes)}-byte messages, ${s.rcptsPerMessage} recipient(s) each (${s.to}, ${s.toCount} distinct), ` +
      `${s.perConn} messages per connection, ${s.pipelining ? 'pipelining' : 'no pipelining'}, ${s.warmupSec} s warm-up, ${window}` +
      `${s.rounds > 1 ? ` x ${s.rounds} rounds (alternating order, median shown)` : ''}; ` +
      (s.idle > 0
        ? `idle test: ${fmt(s.idle)} connections${rep.runs.some((r) => r.target === 'postfix') ? ` (Postfix: at most ${fmt(s.postfixIdle)})` : ''} held ${s.idleHoldSec} s; ` +
          'idle memory is RSS, or PSS for a server of several processes'
        : 'no idle test'),
  );
  out.push('');
  for (const r of rep.runs) out.push(`${r.target}: ${r.detail}`);
  out.push('');

  const runs = rep.runs;
  const header = ['', ...runs.map((r) => r.target)];
  const rt = rep.ratios;
  if (rt !== null) header.push(`${rt.of}/${rt.to}`);
  const row = (label: string, values: string[], r: number | null | undefined = undefined): string[] => {
    const line = [label, ...values];
    if (rt !== null) line.push(r === undefined ? '' : fmtRatio(r));
    return line;
  };
  const L = (f: (l: LoadFigures) => number | null | undefined, digits = 0): string[] => runs.map((r) => (r.load === null ? '-' : fmt(f(r.load), digits)));
  const rows: string[][] = [header];
  rows.push(row('messages accepted (250)', L((l) => l.messages)));
  rows.push(row('messages/s', L((l) => l.messagesPerSec), rt?.messagesPerSec));
  rows.push(row('latency p50 (ms)', L((l) => l.latencyMs.p50, 2)));
  rows.push(row('latency p99 (ms)', L((l) => l.latencyMs.p99, 2), rt?.p99Ms));
  rows.push(row('latency max (ms)', L((l) => l.latencyMs.max, 2)));
  rows.push(row('server CPU per message (µs)', L((l) => l.server?.cpuUsPerMessage), rt?.serverCpuUsPerMessage));
  rows.push(row('server CPU (cores busy)', L((l) => l.server?.cpuCores, 2)));
  rows.push(row('server RSS at end (MiB)', L((l) => (l.server === null ? null : l.server.rssKiBEnd / 1024), 1)));
  rows.push(row('server PSS at end (MiB)', L((l) => (l.server === null ? null : l.server.pssKiBEnd / 1024), 1)));
  rows.push(row('server processes', L((l) => l.server?.processes)));
  rows.push(row('generator CPU per message (µs)', L((l) => l.generator.cpuUsPerMessage)));
  rows.push(row('generator CPU (cores busy)', L((l) => l.generator.cpuCores, 2)));
  rows.push(row('failed 4xx / 5xx', runs.map((r) => (r.load === null ? '-' : `${r.load.failed4xx} / ${r.load.failed5xx}`))));
  rows.push(row('protocol / connect errors', runs.map((r) => (r.load === null ? '-' : `${r.load.protocolErrors} / ${r.load.connectErrors}`))));
  if (s.idle > 0) {
    rows.push(row('idle connections held', runs.map((r) => (r.idle === null || r.idle.skipped !== null ? '-' : `${fmt(r.idle.established)}/${fmt(r.idle.requested)}`))));
    rows.push(row('KiB per idle connection', runs.map((r) => fmt(idleKiB(r.idle), 2)), rt?.kiBPerIdleConnection));
    rows.push(
      row(
        'server memory before/after (MiB)',
        runs.map((r) => {
          const m = r.idle?.server;
          if (m == null) return '-';
          const [b, a] = m.processesAfter > 1 ? [m.pssKiBBefore, m.pssKiBAfter] : [m.rssKiBBefore, m.rssKiBAfter];
          return `${fmt(b / 1024, 1)} / ${fmt(a / 1024, 1)}`;
        }),
      ),
    );
  }
  out.push(table(rows));

  const notes: string[] = [];
  for (const r of runs) {
    if (r.error !== null) notes.push(`${r.target}: ERROR ${r.error}`);
    const l = r.load;
    if (l !== null) {
      if (l.aborted !== null) notes.push(`${r.target}: load run cut short: ${l.aborted}`);
      if (r.roundsMessagesPerSec.length > 1) notes.push(`${r.target}: messages/s by round ${r.roundsMessagesPerSec.map((v) => fmt(v)).join(', ')} (median round shown)`);
      if (l.pipelining.offered === false && s.pipelining) notes.push(`${r.target}: the server does not offer PIPELINING; commands were sent one by one`);
      if (Object.keys(l.unexpectedCodes).length > 0) notes.push(`${r.target}: unexpected replies ${JSON.stringify(l.unexpectedCodes)}`);
      if (l.rcptRefused > 0) notes.push(`${r.target}: ${l.rcptRefused} recipients refused in messages that were accepted`);
      for (const e of l.errorSamples) notes.push(`${r.target}: e.g. ${e}`);
      if (l.server === null) notes.push(`${r.target}: server not measured (give --server-pid or --spawn)`);
    }
    const i = r.idle;
    if (i !== null) {
      if (i.skipped !== null) notes.push(`${r.target}: idle test not run: ${i.skipped}`);
      if (Object.keys(i.failures).length > 0) notes.push(`${r.target}: idle connections that failed: ${JSON.stringify(i.failures)}`);
      if (i.droppedDuringHold > 0) notes.push(`${r.target}: ${i.droppedDuringHold} idle connections closed by the server during the hold`);
      if (i.skipped === null && i.server !== null && i.server.processesAfter > 1) notes.push(`${r.target}: ${fmt(i.server.processesAfter)} server processes with the idle connections open; KiB per idle connection is from PSS`);
    }
  }
  if (notes.length > 0) out.push('', ...notes);

  if (rep.goals.length > 0) {
    out.push('', 'Postern goals (this machine, this run):');
    for (const g of rep.goals) {
      const mark = g.met === null ? 'n/a ' : g.met ? 'met ' : 'MISS';
      out.push(`  ${mark} ${g.what} ${g.goal}: ${g.value === null ? 'not measured' : fmt(g.value, g.value < 100 ? 2 : 0)}`);
    }
  }
  return out.join('\n') + '\n';
}
