// `npm run bench -- --local`: local delivery throughput. For each mailbox format and each server
// (Postern, and Postfix when it is installed), N messages for one real account are received and held
// in the queue first; then delivery is released and timed until the mailbox holds all N. Reported:
// messages delivered per second and the server's CPU per delivery (its whole process tree: master,
// worker, delivery agents; for Postfix master, qmgr, local...). Every delivery is durable on both
// sides (Postern's agents and Postfix's local(8) fsync the mailbox). Each run has a freshly made
// filesystem of its own for its queue and the mailbox (bench/local-fs.ts), unless --local-fs tmpdir.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createAccount, mailboxCounter } from './local-account.js';
import { startLocalPostern, type LocalServer } from './local-postern.js';
import { startLocalPostfix } from './local-postfix.js';
import { runLoad } from './generator.js';
import { buildWire } from './message.js';
import { postfixUnavailable } from './postfix.js';
import { sampleTrees } from './proc.js';
import { freePort } from './targets.js';
import { freshFsUnavailable, makeFreshFs, tmpdirFs, type BenchFs } from './local-fs.js';

export type MailboxFormat = 'mbox' | 'maildir';

export interface LocalBenchOptions {
  messages: number;
  size: number;
  formats: MailboxFormat[];
  /** Also measure Postfix (skipped with a note when it is not installed or not root). */
  postfix: boolean;
  timeoutSec: number;
  keep: boolean;
  /** Where each run's queue and mailbox live: a fresh ext4 per run (the default), or the temporary directory. */
  fs: 'fresh' | 'tmpdir';
  /** Runs per server and format; the order of the servers alternates from one round to the next. */
  rounds: number;
}

export interface LocalFigures {
  server: 'postern' | 'postfix';
  format: MailboxFormat;
  round: number;
  detail: string;
  /** The filesystem the run's queue and mailbox were on. */
  fs: string;
  messages: number;
  elapsedSec: number;
  messagesPerSec: number;
  cpuUsPerDelivery: number;
  error: string | null;
}

export interface LocalReport {
  messages: number;
  sizeBytes: number;
  runs: LocalFigures[];
  /** Postern's messages/s over Postfix's, per format (target ≥ 1.5): the median over the rounds, and each round's. */
  ratios: Array<{ format: MailboxFormat; messagesPerSec: number | null; cpuPerDelivery: number | null; rounds: Array<number | null> }>;
  notes: string[];
}

/** Room for the queue and the mailbox (each message twice, with headers), logs and the filesystem's own. */
function fsSizeMiB(opts: LocalBenchOptions): number {
  return Math.max(1024, Math.ceil((opts.messages * (opts.size + 4096) * 4) / (1024 * 1024)) + 256);
}

async function measureOne(server: 'postern' | 'postfix', format: MailboxFormat, round: number, opts: LocalBenchOptions, say: (s: string) => void): Promise<LocalFigures> {
  const figures: LocalFigures = { server, format, round, detail: '', fs: '', messages: 0, elapsedSec: 0, messagesPerSec: 0, cpuUsPerDelivery: 0, error: null };
  let fs: BenchFs;
  try {
    fs = opts.fs === 'fresh' ? makeFreshFs(tmpdir(), fsSizeMiB(opts)) : tmpdirFs(tmpdir());
  } catch (err) {
    figures.error = (err as Error).message;
    return figures;
  }
  figures.fs = fs.describe;
  const dir = mkdtempSync(join(fs.root, `postern-bench-local-${server}-`));
  chmodSync(dir, 0o755);
  const account = createAccount(dir);
  let srv: LocalServer | undefined;
  try {
    const host = '127.0.0.1';
    const port = await freePort(host);
    srv = server === 'postern' ? await startLocalPostern(dir, host, port, format) : await startLocalPostfix(dir, host, port, format);
    figures.detail = srv.detail;
    const to = `${account.name}@localhost`;
    const wire = buildWire({ from: 'bench@localhost', to, toCount: 1, rcptsPerMessage: 1, size: opts.size, ehlo: 'bench.localdomain' });
    say(`${server} (${format}): queueing ${opts.messages} messages`);
    const fill = await runLoad(
      { host, port, sessions: 8, rcptsPerMessage: 1, perConn: 100, messages: opts.messages, durationSec: 0, warmupSec: 0, pipelining: true, timeoutMs: opts.timeoutSec * 1000 },
      wire,
    );
    if (fill.counters.accepted < opts.messages) throw new Error(`only ${fill.counters.accepted} of ${opts.messages} messages were accepted`);
    const count = mailboxCounter(format, join(dir, 'mail', account.name), join(account.home, 'Maildir'));
    if (count() !== 0) throw new Error('mail was delivered before it was released');
    say(`${server} (${format}): delivering`);
    const cpu0 = sampleTrees([srv.pid], false);
    const t0 = performance.now();
    await srv.release();
    const deadline = t0 + opts.timeoutSec * 1000;
    let n = 0;
    while ((n = count()) < opts.messages) {
      if (performance.now() > deadline) throw new Error(`${n} of ${opts.messages} messages delivered after ${opts.timeoutSec} s`);
      await sleep(20);
    }
    const t1 = performance.now();
    const cpu1 = sampleTrees([srv.pid], false);
    figures.messages = n;
    figures.elapsedSec = (t1 - t0) / 1000;
    figures.messagesPerSec = n / figures.elapsedSec;
    figures.cpuUsPerDelivery = (cpu1.cpuUs - cpu0.cpuUs) / n;
  } catch (err) {
    figures.error = (err as Error).message;
  } finally {
    await srv?.stop();
    account.remove();
    if (!opts.keep) {
      rmSync(dir, { recursive: true, force: true });
      fs.remove();
    }
    // The next run should not share the disk with this one's write-back.
    execFileSync('sync');
    await sleep(1000);
  }
  return figures;
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Postern's figures over Postfix's per format: each round's, and their medians. */
export function localRatios(runs: readonly LocalFigures[], formats: readonly MailboxFormat[], rounds: number): LocalReport['ratios'] {
  return formats.map((format) => {
    const perRound = Array.from({ length: rounds }, (_, i) => {
      const at = (server: 'postern' | 'postfix'): LocalFigures | undefined =>
        runs.find((r) => r.server === server && r.format === format && r.round === i + 1 && r.error === null);
      const p = at('postern');
      const f = at('postfix');
      return p !== undefined && f !== undefined ? { mps: p.messagesPerSec / f.messagesPerSec, cpu: p.cpuUsPerDelivery / f.cpuUsPerDelivery } : null;
    });
    const done = perRound.filter((x): x is { mps: number; cpu: number } => x !== null);
    return {
      format,
      messagesPerSec: median(done.map((x) => x.mps)),
      cpuPerDelivery: median(done.map((x) => x.cpu)),
      rounds: perRound.map((x) => (x === null ? null : x.mps)),
    };
  });
}

export async function runLocalBench(opts: LocalBenchOptions, say: (s: string) => void): Promise<LocalReport> {
  const notes: string[] = [];
  const postfixWhy = opts.postfix ? postfixUnavailable() : 'not requested (--compare postfix)';
  if (postfixWhy !== undefined && opts.postfix) notes.push(`Postfix not measured: ${postfixWhy}`);
  let fsOpts = opts;
  if (opts.fs === 'fresh') {
    const why = freshFsUnavailable();
    if (why !== undefined) {
      notes.push(`No fresh filesystem per run (${why}): the runs share the temporary directory's, and on ext4 without a journal one run's deleted files slow the next one's file creation (docs/benchmark.md).`);
      fsOpts = { ...opts, fs: 'tmpdir' };
    }
  }
  const servers: Array<'postern' | 'postfix'> = postfixWhy === undefined ? ['postern', 'postfix'] : ['postern'];
  const runs: LocalFigures[] = [];
  for (const format of opts.formats) {
    for (let round = 1; round <= opts.rounds; round++) {
      // Alternate who goes first, so neither always runs on a machine just warmed (or just dirtied) by the other.
      const order = round % 2 === 1 ? servers : [...servers].reverse();
      for (const server of order) {
        if (opts.rounds > 1) say(`round ${round} of ${opts.rounds}`);
        runs.push(await measureOne(server, format, round, fsOpts, say));
      }
    }
  }
  const ratios = localRatios(runs, opts.formats, opts.rounds);
  return { messages: opts.messages, sizeBytes: opts.size, runs, ratios, notes };
}

export function formatLocalReport(r: LocalReport): string {
  const lines = [`Local delivery: ${r.messages} messages of ${r.sizeBytes} bytes to one account, queued first, then released`, ''];
  const fsUsed = [...new Set(r.runs.map((x) => x.fs).filter((f) => f !== ''))];
  if (fsUsed.length > 0) lines.splice(1, 0, `Queue and mailbox on: ${fsUsed.join('; ')}`);
  const rounds = Math.max(...r.runs.map((x) => x.round));
  lines.push(`${rounds > 1 ? 'round  ' : ''}${'server'.padEnd(9)}${'format'.padEnd(9)}${'msg/s'.padStart(10)}${'CPU µs/delivery'.padStart(17)}${'seconds'.padStart(10)}  detail`);
  for (const x of r.runs) {
    if (x.error !== null) {
      lines.push(`${rounds > 1 ? String(x.round).padEnd(7) : ''}${x.server.padEnd(9)}${x.format.padEnd(9)}  error: ${x.error}`);
      continue;
    }
    lines.push(
      `${rounds > 1 ? String(x.round).padEnd(7) : ''}${x.server.padEnd(9)}${x.format.padEnd(9)}${x.messagesPerSec.toFixed(0).padStart(10)}${x.cpuUsPerDelivery.toFixed(0).padStart(17)}${x.elapsedSec.toFixed(2).padStart(10)}  ${x.detail}`,
    );
  }
  const measured = r.ratios.filter((x) => x.messagesPerSec !== null);
  if (measured.length > 0) {
    lines.push('', `Postern / Postfix (goal: messages/s ≥ 1.5×)${rounds > 1 ? `, median of ${rounds} rounds` : ''}:`);
    for (const x of measured) {
      const ok = (x.messagesPerSec ?? 0) >= 1.5 ? 'met' : 'NOT met';
      const each = rounds > 1 ? ` (rounds: ${x.rounds.map((v) => (v === null ? '-' : `×${v.toFixed(2)}`)).join(' ')})` : '';
      lines.push(`  ${x.format.padEnd(8)} messages/s ×${x.messagesPerSec!.toFixed(2)} (${ok}), CPU per delivery ×${x.cpuPerDelivery!.toFixed(2)}${each}`);
    }
  }
  for (const n of r.notes) lines.push('', n);
  return `${lines.join('\n')}\n`;
}
