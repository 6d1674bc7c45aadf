// Micro-benchmark of the two ways to make a received message durable before the 250:
//   (a) a file per message: write, fsync, rename into place, fsync the directory (sendmail's way);
//   (b) the segment log with group commit (src/queue/spool.ts).
// Run: node dist/bench/spool-bench.js [--dir D] [--seconds S] [--concurrency C] [--size BYTES]
// The directory must be on the disk the queue will live on (not tmpfs) for the figures to mean much.

import { mkdir, mkdtemp, open, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Envelope } from '../src/queue/envelope.js';
import { Spool } from '../src/queue/spool.js';

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    seconds: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '50' },
    size: { type: 'string', default: '10240' },
  },
});
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);
const size = Number(values.size);

function envelope(id: string): Envelope {
  return {
    version: 1,
    id,
    created: Date.now(),
    sender: 'alice@example.com',
    size,
    eightBit: false,
    protocol: 'ESMTP',
    helo: 'client.example.com',
    client: 'client.example.com [192.0.2.1]',
    clientAddr: '192.0.2.1',
    recipients: [{ address: 'bob@example.net', primary: true }],
  };
}

interface Result {
  rate: number; // messages per second
  p50: number; // commit latency, ms
  p99: number;
}

/** Runs `concurrency` loops of `one` for the given time; returns throughput and latency. */
async function drive(one: (loop: number, n: number) => Promise<void>): Promise<Result> {
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  const latencies: number[] = [];
  await Promise.all(
    Array.from({ length: concurrency }, async (_, loop) => {
      for (let n = 0; performance.now() < deadline; n++) {
        const t0 = performance.now();
        await one(loop, n);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  latencies.sort((x, y) => x - y);
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { rate: latencies.length / ((performance.now() - started) / 1000), p50: at(0.5), p99: at(0.99) };
}

async function filePerMessage(dir: string, data: Buffer): Promise<Result> {
  return drive(async (loop, n) => {
    const name = `${loop}-${n}`;
    const tmp = join(dir, `tf${name}`);
    const fh = await open(tmp, 'wx', 0o600);
    try {
      await fh.writev([Buffer.from(JSON.stringify(envelope(name.padStart(14, '0')))), data]);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, join(dir, `qf${name}`));
    const d = await open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  });
}

async function segmentLog(dir: string, data: Buffer): Promise<Result & { flushes: number; commits: number }> {
  const spool = await Spool.open({ dir });
  try {
    const r = await drive(async () => {
      const id = spool.newId();
      await spool.commit(envelope(id), data);
    });
    return { ...r, flushes: spool.stats.flushes, commits: spool.stats.commits };
  } finally {
    await spool.close();
  }
}

async function main(): Promise<void> {
  const base = values.dir ?? (await mkdtemp(join(tmpdir(), 'postern-spool-bench-')));
  const data = Buffer.alloc(size, 'x');
  const a = join(base, 'files');
  const b = join(base, 'log');
  try {
    await mkdir(a, { recursive: true, mode: 0o700 });
    const files = await filePerMessage(a, data);
    const log = await segmentLog(b, data);
    const fmt = (x: number): string => x.toFixed(0).padStart(7);
    const lat = (r: Result): string => `latency p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms`;
    process.stdout.write(
      `spool-bench: concurrency ${concurrency}, ${size}-octet messages, ${seconds} s each, in ${base}\n` +
        `  (a) file per message + fsync + rename + dir fsync: ${fmt(files.rate)} messages/s (${lat(files)})\n` +
        `  (b) segment log, group commit:                    ${fmt(log.rate)} messages/s (${lat(log)}; ` +
        `${log.commits} commits in ${log.flushes} fdatasyncs, ${(log.commits / log.flushes).toFixed(1)} per batch)\n` +
        `  ratio (b)/(a): ${(log.rate / files.rate).toFixed(1)}\n`,
    );
  } finally {
    if (values.dir === undefined) await rm(base, { recursive: true, force: true });
    else {
      await rm(a, { recursive: true, force: true });
      await rm(b, { recursive: true, force: true });
    }
  }
}

await main();
