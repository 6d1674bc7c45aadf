// `npm run bench -- --outbound`: how fast Postern delivers queued mail to remote servers, and what it
// costs. N messages (one recipient each) to M domains are first queued (the runner off), then a queue
// run delivers them by MX — the test DNS server answers for d1.bench … dM.bench, every MX is a
// loopback smtp-sink — and the measured window runs from the start of that run until the last
// message is logged as sent: messages/s and CPU µs per message of the MTA's process tree.
//
// With `--compare postfix` a private Postfix does the same: the messages are held as they arrive,
// released (postsuper -H ALL, then postqueue -f), and its smtp client delivers them to the same sink through a transport
// map (Postfix cannot be pointed at the test DNS server, so it does no DNS lookups: an advantage).
// The machine is shared and noisy: compare the ratio from one run, not absolute figures.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, chmodSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { inject } from './outbound-inject.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { startTestDns, type TestDns, type Zone } from '../test/helpers/dns-server.js';
import { startPostfix, postfixUnavailable } from './postfix.js';
import { repoRoot } from './postern.js';
import { sampleTrees } from './proc.js';
import { spawnServer, waitForPort, type SpawnedServer } from './spawn.js';
import { freePort } from './targets.js';

export interface OutboundOptions {
  messages: number;
  domains: number;
  size: number;
  /** Messages worked on at once by Postern's runner (MaxRunnersPerQueue). */
  runners: number;
  compare: boolean;
  keep: boolean;
  json: boolean;
}

export const OUTBOUND_USAGE = `Usage: npm run bench -- --outbound [--messages N] [--domains M] [--size BYTES]
                        [--runners R] [--compare postfix] [--keep] [--json]

  --messages N   messages to deliver, one recipient each (default 2000)
  --domains M    recipient domains d1.bench .. dM.bench, each with its own MX (default 50)
  --size BYTES   message size (default 10240)
  --runners R    Postern's MaxRunnersPerQueue for the run (default 32)
  --compare postfix   the same delivery by a private Postfix's smtp client
`;

export function parseOutboundOptions(argv: readonly string[]): OutboundOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      outbound: { type: 'boolean' },
      messages: { type: 'string' },
      domains: { type: 'string' },
      size: { type: 'string' },
      runners: { type: 'string' },
      compare: { type: 'string' },
      keep: { type: 'boolean' },
      json: { type: 'boolean' },
    },
    strict: true,
  });
  const num = (v: string | undefined, def: number, name: string): number => {
    if (v === undefined) return def;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name}: "${v}" is not a positive integer`);
    return n;
  };
  if (values.compare !== undefined && values.compare !== 'postfix') throw new Error('--compare: only postfix with --outbound');
  return {
    messages: num(values.messages, 2000, 'messages'),
    domains: num(values.domains, 50, 'domains'),
    size: num(values.size, 10240, 'size'),
    runners: num(values.runners, 32, 'runners'),
    compare: values.compare === 'postfix',
    keep: values.keep === true,
    json: values.json === true,
  };
}

function countMatches(file: string, needle: string): number {
  let text: string;
  try {
    text = readFileSync(file, 'latin1');
  } catch {
    return 0;
  }
  let n = 0;
  for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length)) n++;
  return n;
}

export interface OutboundFigures {
  target: 'postern' | 'postfix';
  messages: number;
  seconds: number;
  messagesPerSec: number;
  cpuUsPerMessage: number;
  error?: string;
}

/** Waits until `done()` reaches `n` (or nothing moves for `stallMs`); measures the tree of `pids`. */
async function measure(pids: () => number[], start: () => Promise<void> | void, done: () => number, n: number, target: OutboundFigures['target']): Promise<OutboundFigures> {
  const before = sampleTrees(pids(), false);
  await start();
  let last = 0;
  let lastMove = performance.now();
  let count = 0;
  while ((count = done()) < n) {
    if (count !== last) {
      last = count;
      lastMove = performance.now();
    } else if (performance.now() - lastMove > 60_000) break;
    await sleep(50);
  }
  const after = sampleTrees(pids(), false);
  const seconds = (after.atMs - before.atMs) / 1000;
  return {
    target,
    messages: count,
    seconds,
    messagesPerSec: count / seconds,
    cpuUsPerMessage: (after.cpuUs - before.cpuUs) / Math.max(1, count),
    ...(count < n ? { error: `only ${count} of ${n} messages were delivered` } : {}),
  };
}

function zoneFor(domains: number): Zone {
  const MX: NonNullable<Zone['MX']> = {};
  const A: NonNullable<Zone['A']> = {};
  for (let i = 1; i <= domains; i++) {
    MX[`d${i}.bench`] = [{ preference: 10, exchange: `mx.d${i}.bench` }];
    A[`mx.d${i}.bench`] = ['127.0.0.1'];
  }
  return { MX, A };
}

async function startSinkProcess(port: number): Promise<ChildProcess> {
  const child = spawn('/usr/sbin/smtp-sink', ['-u', 'nobody', `127.0.0.1:${port}`, '1024'], { stdio: 'ignore' });
  await waitForPort('127.0.0.1', port, 10_000);
  return child;
}

async function runPostern(o: OutboundOptions, dns: TestDns, sinkPort: number, say: (s: string) => void): Promise<OutboundFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'postern-obench-'));
  chmodSync(dir, 0o755);
  const port = await freePort('127.0.0.1');
  const conf = join(dir, 'postern.conf');
  const base = [
    `DaemonPortOptions = Name=MTA, Addr=127.0.0.1, Port=${port}`,
    `QueueDirectory = ${join(dir, 'spool')}`,
    `AliasFile = ${join(dir, 'aliases')}`,
    'Macro j bench.localdomain',
    `DnsServers = 127.0.0.1:${dns.port}`,
    `OutboundPort = ${sinkPort}`,
    'MaxDaemonChildren = 1000',
    'MaxConnectionsPerClient = 1000',
    'SmtpPenaltyBase = 0',
    'PrivacyOptions = authwarnings',
    'DeliveryMode = queue',
    'QueueInterval = 0',
    `MaxRunnersPerQueue = ${o.runners}`,
    ...(process.getuid?.() === 0 ? ['RunAsUser = nobody'] : []),
  ];
  writeFileSync(conf, `${base.join('\n')}\n`, { mode: 0o644 });
  writeFileSync(join(dir, 'aliases'), 'postmaster: /dev/null\n', { mode: 0o644 });
  const main = join(repoRoot(), 'dist', 'src', 'cli', 'main.js');
  const log = join(dir, 'postern.log');
  let server: SpawnedServer | undefined;
  try {
    server = await spawnServer([process.execPath, main, 'serve', '--config', conf], '127.0.0.1', port, log, { cwd: dir });
    say(`postern: queueing ${o.messages} messages`);
    await inject(port, o.messages, o.domains, o.size);
    const srv = server;
    say('postern: delivering (ETRN #mqueue)');
    const etrn = async (): Promise<void> => {
      const sock = connect(port, '127.0.0.1');
      sock.setEncoding('latin1');
      let text = '';
      const until = (re: RegExp): Promise<void> =>
        new Promise((r) => {
          const check = (): void => {
            if (re.test(text)) {
              sock.off('data', onData);
              r();
            }
          };
          const onData = (d: string): void => {
            text += d;
            check();
          };
          sock.on('data', onData);
          check();
        });
      await until(/^220 .*\r\n/m);
      sock.write('EHLO bench\r\n');
      await until(/^250 .*\r\n/m);
      text = '';
      sock.write('ETRN #mqueue\r\n');
      await until(/^\d{3} .*\r\n/m);
      sock.end('QUIT\r\n');
      if (!text.startsWith('250 ')) throw new Error(`ETRN: ${text}`);
    };
    return await measure(() => [srv.pid], etrn, () => countMatches(log, 'stat=Sent'), o.messages, 'postern');
  } catch (err) {
    return { target: 'postern', messages: 0, seconds: 0, messagesPerSec: 0, cpuUsPerMessage: 0, error: (err as Error).message };
  } finally {
    await server?.stop();
    if (!o.keep) rmSync(dir, { recursive: true, force: true });
  }
}

async function runPostfix(o: OutboundOptions, sinkPort: number, say: (s: string) => void): Promise<OutboundFigures> {
  const why = postfixUnavailable();
  if (why !== undefined) return { target: 'postfix', messages: 0, seconds: 0, messagesPerSec: 0, cpuUsPerMessage: 0, error: why };
  const port = await freePort('127.0.0.1');
  const pf = await startPostfix({ host: '127.0.0.1', port, processLimit: 100, mode: 'hold', keep: o.keep, relay: { host: '127.0.0.1', port: sinkPort, domainSuffix: 'bench' } });
  try {
    say(`postfix: queueing ${o.messages} messages (held)`);
    await inject(port, o.messages, o.domains, o.size);
    const hold = join(pf.dir, 'spool', 'hold');
    for (let i = 0; i < 200 && (existsSync(hold) ? readdirSync(hold).length : 0) < o.messages; i++) await sleep(50);
    say('postfix: delivering (postsuper -H ALL, postqueue -f)');
    const release = (): void => {
      // Released mail goes to the deferred queue; a flush makes the queue manager take it now.
      const r = spawnSync('postsuper', ['-c', join(pf.dir, 'etc'), '-H', 'ALL'], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`postsuper -H ALL: ${r.stderr}`);
      const f = spawnSync('postqueue', ['-c', join(pf.dir, 'etc'), '-f'], { encoding: 'utf8' });
      if (f.status !== 0) throw new Error(`postqueue -f: ${f.stderr}`);
    };
    return await measure(() => [pf.masterPid], release, () => countMatches(pf.logFile, 'status=sent'), o.messages, 'postfix');
  } catch (err) {
    return { target: 'postfix', messages: 0, seconds: 0, messagesPerSec: 0, cpuUsPerMessage: 0, error: (err as Error).message };
  } finally {
    await pf.stop();
  }
}

export interface OutboundReport {
  options: OutboundOptions;
  runs: OutboundFigures[];
  /** Postern / Postfix: messages/s (higher is better) and CPU per message (lower is better). */
  ratios?: { messagesPerSec: number; cpuPerMessage: number };
}

export async function runOutboundBench(o: OutboundOptions, say: (s: string) => void): Promise<OutboundReport> {
  if (!existsSync('/usr/sbin/smtp-sink')) throw new Error('the outbound benchmark needs smtp-sink (apt-get install postfix)');
  const dns = await startTestDns(zoneFor(o.domains));
  const sinkPort = await freePort('127.0.0.1');
  const sink = await startSinkProcess(sinkPort);
  try {
    const runs = [await runPostern(o, dns, sinkPort, say)];
    if (o.compare) runs.push(await runPostfix(o, sinkPort, say));
    const [a, b] = runs;
    const ratios =
      a !== undefined && b !== undefined && a.error === undefined && b.error === undefined
        ? { messagesPerSec: a.messagesPerSec / b.messagesPerSec, cpuPerMessage: a.cpuUsPerMessage / b.cpuUsPerMessage }
        : undefined;
    return { options: o, runs, ...(ratios !== undefined ? { ratios } : {}) };
  } finally {
    sink.kill('SIGTERM');
    await dns.close();
  }
}

export function formatOutboundReport(r: OutboundReport): string {
  const o = r.options;
  const lines = [
    `Outbound delivery: ${o.messages} messages of ${o.size} bytes, 1 recipient each, to ${o.domains} domains by MX, loopback smtp-sink`,
    '',
    `${'target'.padEnd(10)}${'messages'.padStart(10)}${'seconds'.padStart(10)}${'msg/s'.padStart(10)}${'CPU µs/msg'.padStart(12)}`,
  ];
  for (const x of r.runs) {
    if (x.error !== undefined && x.messages === 0) lines.push(`${x.target.padEnd(10)} error: ${x.error}`);
    else lines.push(`${x.target.padEnd(10)}${String(x.messages).padStart(10)}${x.seconds.toFixed(2).padStart(10)}${x.messagesPerSec.toFixed(1).padStart(10)}${x.cpuUsPerMessage.toFixed(0).padStart(12)}${x.error !== undefined ? `  (${x.error})` : ''}`);
  }
  if (r.ratios !== undefined) {
    lines.push('', `Postern / Postfix: ${r.ratios.messagesPerSec.toFixed(2)}× messages/s (goal ≥ 1.5), ${r.ratios.cpuPerMessage.toFixed(2)}× CPU per message (lower is better)`);
  }
  return `${lines.join('\n')}\n`;
}

export async function outboundMain(argv: readonly string[]): Promise<number> {
  let o: OutboundOptions;
  try {
    o = parseOutboundOptions(argv);
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\n\n${OUTBOUND_USAGE}`);
    return 64;
  }
  const r = await runOutboundBench(o, (s) => process.stderr.write(`bench: ${s}\n`));
  process.stdout.write(o.json ? `${JSON.stringify(r, null, 2)}\n` : formatOutboundReport(r));
  return r.runs.some((x) => x.error !== undefined) ? 1 : 0;
}
