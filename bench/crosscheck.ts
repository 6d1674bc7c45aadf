// Cross-check of the load generator against Postfix's own smtp-source: both send the same number of
// messages of the same size over the same number of sessions, without pipelining and without
// reconnecting, to a private Postfix instance; the figures that both can give are printed side by
// side (messages/s, server CPU per message, client CPU per message). The two tools take turns
// (A B, B A, ...) for --rounds rounds, each run on a fresh instance, and the median of each is shown.
//
//   node dist/bench/crosscheck.js [--sessions 50] [--size 10240] [--messages 10000] [--rounds 2]

import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { runLoad } from './generator.js';
import { buildWire } from './message.js';
import { startPostfix } from './postfix.js';
import { reapedChildrenCpuUs, sampleTrees } from './proc.js';
import { freePort } from './targets.js';

type Tool = 'smtp-source' | 'postern bench';

interface Figures {
  messages: number;
  seconds: number;
  serverCpuUs: number;
  clientCpuUs: number;
}

/** The header smtp-source puts in front of its -l payload ("From: <...>", "To: <...>", Date, Message-Id), about this long. */
const SMTP_SOURCE_HEADER_BYTES = 150;

function runSmtpSource(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('smtp-source', args, { stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? 1));
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { sessions: { type: 'string' }, size: { type: 'string' }, messages: { type: 'string' }, rounds: { type: 'string' } } });
  const sessions = Number(values.sessions ?? 50);
  const size = Number(values.size ?? 10240);
  const messages = Number(values.messages ?? 10000);
  const rounds = Number(values.rounds ?? 2);
  const host = '127.0.0.1';
  const results: Array<[Tool, Figures]> = [];
  const order: Tool[] = [];
  for (let r = 0; r < rounds; r++) order.push(...(r % 2 === 0 ? (['smtp-source', 'postern bench'] as const) : (['postern bench', 'smtp-source'] as const)));

  for (const tool of order) {
    const port = await freePort(host);
    const pf = await startPostfix({ host, port, processLimit: sessions + 10, mode: 'discard', keep: false });
    try {
      const pids = [pf.masterPid];
      if (tool === 'smtp-source') {
        const s0 = sampleTrees(pids, false);
        const c0 = reapedChildrenCpuUs();
        const t0 = performance.now();
        const args = ['-d', '-s', String(sessions), '-m', String(messages), '-l', String(size - SMTP_SOURCE_HEADER_BYTES)];
        args.push('-f', 'bench@localhost', '-t', 'user1@localhost', '-M', 'bench.localdomain', `${host}:${port}`);
        const code = await runSmtpSource(args);
        const t1 = performance.now();
        const s1 = sampleTrees(pids, false);
        if (code !== 0) throw new Error(`smtp-source exited ${code}`);
        results.push([tool, { messages, seconds: (t1 - t0) / 1000, serverCpuUs: s1.cpuUs - s0.cpuUs, clientCpuUs: reapedChildrenCpuUs() - c0 }]);
      } else {
        const wire = buildWire({ from: 'bench@localhost', to: 'user{n}@localhost', toCount: 1, rcptsPerMessage: 1, size, ehlo: 'bench.localdomain' });
        let s0 = sampleTrees(pids, false);
        let s1 = s0;
        const r = await runLoad(
          { host, port, sessions, rcptsPerMessage: 1, perConn: messages, messages, durationSec: 0, warmupSec: 0, pipelining: false, timeoutMs: 30000 },
          wire,
          { windowStart: () => (s0 = sampleTrees(pids, false)), windowEnd: () => (s1 = sampleTrees(pids, false)) },
        );
        if (r.counters.accepted !== messages) throw new Error(`only ${r.counters.accepted} of ${messages} messages accepted`);
        results.push([tool, { messages, seconds: r.elapsedMs / 1000, serverCpuUs: s1.cpuUs - s0.cpuUs, clientCpuUs: r.generatorCpuUs }]);
      }
    } finally {
      await pf.stop();
    }
  }

  const row = (label: string, msgPerSec: number, serverUs: number, clientUs: number): string =>
    `${label.padEnd(24)}${msgPerSec.toFixed(0).padStart(10)}${serverUs.toFixed(0).padStart(16)}${clientUs.toFixed(0).padStart(16)}\n`;
  process.stdout.write(`${messages} messages of ${size} bytes over ${sessions} sessions, no pipelining, one connection per session, Postfix (discard)\n`);
  process.stdout.write(`${'run'.padEnd(24)}${'msg/s'.padStart(10)}${'server µs/msg'.padStart(16)}${'client µs/msg'.padStart(16)}\n`);
  for (const [i, [tool, f]] of results.entries()) {
    process.stdout.write(row(`${i + 1}. ${tool}`, f.messages / f.seconds, f.serverCpuUs / f.messages, f.clientCpuUs / f.messages));
  }
  for (const tool of ['smtp-source', 'postern bench'] as const) {
    const mine = results.filter(([t]) => t === tool).map(([, f]) => f);
    process.stdout.write(
      row(
        `median ${tool}`,
        median(mine.map((f) => f.messages / f.seconds)),
        median(mine.map((f) => f.serverCpuUs / f.messages)),
        median(mine.map((f) => f.clientCpuUs / f.messages)),
      ),
    );
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length === 0 ? 0 : s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

main().catch((err: Error) => {
  process.stderr.write(`crosscheck: ${err.message}\n`);
  process.exitCode = 1;
});
