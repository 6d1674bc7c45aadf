// `npm run bench -- --local`: local delivery throughput. For each mailbox format and each server
// (Postern, and Postfix when it is installed), N messages for one real account are received and held
// in the queue first; then delivery is released and timed until the mailbox holds all N. Reported:
// messages delivered per second and the server's CPU per delivery (its whole process tree: master,
// worker, delivery agents; for Postfix master, qmgr, local...). Every delivery is durable on both
// sides (Postern's agents and Postfix's local(8) fsync the mailbox).

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

export type MailboxFormat = 'mbox' | 'maildir';

export interface LocalBenchOptions {
  messages: number;
  size: number;
  formats: MailboxFormat[];
  /** Also measure Postfix (skipped with a note when it is not installed or not root). */
  postfix: boolean;
  timeoutSec: number;
  keep: boolean;
}

export interface LocalFigures {
  server: 'postern' | 'postfix';
  format: MailboxFormat;
  detail: string;
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
  /** Postern's messages/s over Postfix's, per format (target ≥ 1.5). */
  ratios: Array<{ format: MailboxFormat; messagesPerSec: number | null; cpuPerDelivery: number | null }>;
  notes: string[];
}

async function measureOne(server: 'postern' | 'postfix', format: MailboxFormat, opts: LocalBenchOptions, say: (s: string) => void): Promise<LocalFigures> {
  const dir = mkdtempSync(join(tmpdir(), `postern-bench-local-${server}-`));
  chmodSync(dir, 0o755);
  const figures: LocalFigures = { server, format, detail: '', messages: 0, elapsedSec: 0, messagesPerSec: 0, cpuUsPerDelivery: 0, error: null };
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
    if (!opts.keep) rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}

export async function runLocalBench(opts: LocalBenchOptions, say: (s: string) => void): Promise<LocalReport> {
  const notes: string[] = [];
  const postfixWhy = opts.postfix ? postfixUnavailable() : 'not requested (--compare postfix)';
  if (postfixWhy !== undefined && opts.postfix) notes.push(`Postfix not measured: ${postfixWhy}`);
  const runs: LocalFigures[] = [];
  for (const format of opts.formats) {
    runs.push(await measureOne('postern', format, opts, say));
    if (postfixWhy === undefined) runs.push(await measureOne('postfix', format, opts, say));
  }
  const ratios = opts.formats.map((format) => {
    const p = runs.find((r) => r.server === 'postern' && r.format === format && r.error === null);
    const f = runs.find((r) => r.server === 'postfix' && r.format === format && r.error === null);
    return {
      format,
      messagesPerSec: p !== undefined && f !== undefined ? p.messagesPerSec / f.messagesPerSec : null,
      cpuPerDelivery: p !== undefined && f !== undefined ? p.cpuUsPerDelivery / f.cpuUsPerDelivery : null,
    };
  });
  return { messages: opts.messages, sizeBytes: opts.size, runs, ratios, notes };
}

export function formatLocalReport(r: LocalReport): string {
  const lines = [`Local delivery: ${r.messages} messages of ${r.sizeBytes} bytes to one account, queued first, then released`, ''];
  lines.push(`${'server'.padEnd(9)}${'format'.padEnd(9)}${'msg/s'.padStart(10)}${'CPU µs/delivery'.padStart(17)}${'seconds'.padStart(10)}  detail`);
  for (const x of r.runs) {
    if (x.error !== null) {
      lines.push(`${x.server.padEnd(9)}${x.format.padEnd(9)}  error: ${x.error}`);
      continue;
    }
    lines.push(
      `${x.server.padEnd(9)}${x.format.padEnd(9)}${x.messagesPerSec.toFixed(0).padStart(10)}${x.cpuUsPerDelivery.toFixed(0).padStart(17)}${x.elapsedSec.toFixed(2).padStart(10)}  ${x.detail}`,
    );
  }
  const measured = r.ratios.filter((x) => x.messagesPerSec !== null);
  if (measured.length > 0) {
    lines.push('', 'Postern / Postfix (goal: messages/s ≥ 1.5×):');
    for (const x of measured) {
      const ok = (x.messagesPerSec ?? 0) >= 1.5 ? 'met' : 'NOT met';
      lines.push(`  ${x.format.padEnd(8)} messages/s ×${x.messagesPerSec!.toFixed(2)} (${ok}), CPU per delivery ×${x.cpuPerDelivery!.toFixed(2)}`);
    }
  }
  for (const n of r.notes) lines.push('', n);
  return `${lines.join('\n')}\n`;
}
