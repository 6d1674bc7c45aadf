// Postfix's smtp-sink as a destination for client tests: a real SMTP server on a loopback port that
// captures each transaction to a file (its -d dump), so a test can read back the MAIL and RCPT arguments
// and the message exactly as it arrived. Options choose the extensions it offers and the commands it
// refuses (-f hard, -r soft, -q drop, -Q 421).

import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitForPort } from '../../bench/spawn.js';

export const SMTP_SINK = '/usr/sbin/smtp-sink';

export async function freePort(host = '127.0.0.1'): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, host, r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface SinkMessage {
  mailArgs: string;
  rcptArgs: string[];
  helo: string;
  /** the message as the sink stored it (LF line ends, dots as received) */
  data: string;
}

export interface Sink {
  host: string;
  port: number;
  /** the captured transactions so far */
  messages(): Promise<SinkMessage[]>;
  /** waits until `n` transactions are captured */
  waitFor(n: number, timeoutMs?: number): Promise<SinkMessage[]>;
  stop(): Promise<void>;
}

function parseDump(text: string): SinkMessage {
  const lines = text.split('\n');
  let mailArgs = '';
  let helo = '';
  const rcptArgs: string[] = [];
  let i = 0;
  for (; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.startsWith('X-Mail-Args: ')) mailArgs = l.slice(13);
    else if (l.startsWith('X-Rcpt-Args: ')) rcptArgs.push(l.slice(13));
    else if (l.startsWith('X-Helo-Args: ')) helo = l.slice(13);
    else if (l.startsWith('Received: ')) {
      i += 3; // the sink's Received header is three lines
      break;
    }
  }
  // The dump ends with one empty line of its own.
  const data = lines.slice(i).join('\n').replace(/\n$/, '');
  return { mailArgs, rcptArgs, helo, data };
}

/**
 * Starts smtp-sink on `host` (default 127.0.0.1; IPv6 literals too) with extra options (e.g. ['-8'] for
 * no 8BITMIME), on `port` or a free one.
 */
export async function startSink(options: string[] = [], host = '127.0.0.1', port?: number): Promise<Sink> {
  const dir = await mkdtemp(join(tmpdir(), 'postern-sink-'));
  // The sink drops root for `nobody`, which must be able to write its dumps here.
  await chmod(dir, 0o777);
  port ??= await freePort(host);
  const where = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  const child: ChildProcess = spawn(SMTP_SINK, ['-u', 'nobody', '-d', `${dir}/m.`, ...options, where, '64'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  let exited: string | undefined;
  child.on('exit', (code, sig) => (exited = `smtp-sink on ${where} exited (${code ?? sig}): ${stderr}`));
  await waitForPort(host, port, 10_000, () => exited);
  const messages = async (): Promise<SinkMessage[]> => {
    const names = (await readdir(dir)).filter((n) => n.startsWith('m.')).sort();
    const out: SinkMessage[] = [];
    for (const n of names) out.push(parseDump(await readFile(join(dir, n), 'utf8')));
    return out;
  };
  return {
    host,
    port,
    messages,
    async waitFor(n, timeoutMs = 5000) {
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        const m = await messages();
        if (m.length >= n) return m;
        if (performance.now() > deadline) throw new Error(`smtp-sink ${where} captured ${m.length} messages, wanted ${n}`);
        await sleep(20);
      }
    },
    async stop() {
      if (exited === undefined) {
        const gone = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGTERM');
        await gone;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
