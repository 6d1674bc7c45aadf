// Destinations for the outbound end-to-end tests: Postfix's smtp-sink on chosen loopback addresses
// that all listen on one port (MX records carry no port: the sending daemon's OutboundPort is it),
// each capturing its transactions to files; and the test DNS server giving the MX records.

import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitForPort } from '../../bench/spawn.js';
import { SMTP_SINK } from '../outbound/sink.js';

export interface Capture {
  mailArgs: string;
  /** `<address>` of each RCPT */
  rcpts: string[];
  /** each RCPT's whole argument (`<address> NOTIFY=... ORCPT=...`) */
  rcptArgs: string[];
  /** the message as stored (LF line ends) */
  data: string;
}

export interface LoopbackSink {
  host: string;
  port: number;
  /** the captured transactions so far (in no particular order) */
  captured(): Promise<Capture[]>;
  waitFor(n: number, timeoutMs?: number): Promise<Capture[]>;
  stop(): Promise<void>;
}

function parse(text: string): Capture {
  const lines = text.split('\n');
  let mailArgs = '';
  const rcpts: string[] = [];
  const rcptArgs: string[] = [];
  let i = 0;
  for (; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.startsWith('X-Mail-Args: ')) mailArgs = l.slice(13);
    else if (l.startsWith('X-Rcpt-Args: ')) {
      rcptArgs.push(l.slice(13));
      rcpts.push(l.slice(13).split(/\s+/)[0]!);
    }
    else if (l.startsWith('Received: ')) break;
  }
  return { mailArgs, rcpts, rcptArgs, data: lines.slice(i + 3).join('\n') };
}

/** smtp-sink on host:port; `options` choose refusals (-f RCPT: 5xx, -r RCPT: 4xx, -q: drop). */
export async function sinkAt(host: string, port: number, options: string[] = []): Promise<LoopbackSink> {
  const dir = await mkdtemp(join(tmpdir(), 'postern-osink-'));
  await chmod(dir, 0o777);
  const where = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  const child: ChildProcess = spawn(SMTP_SINK, ['-u', 'nobody', '-d', `${dir}/m.`, ...options, where, '64'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  let exited: string | undefined;
  child.on('exit', (code, sig) => (exited = `smtp-sink on ${where} exited (${code ?? sig}): ${stderr}`));
  await waitForPort(host, port, 10_000, () => exited);
  const captured = async (): Promise<Capture[]> => {
    const names = (await readdir(dir)).filter((n) => n.startsWith('m.')).sort();
    return Promise.all(names.map(async (n) => parse(await readFile(join(dir, n), 'utf8'))));
  };
  return {
    host,
    port,
    captured,
    async waitFor(n, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const c = await captured();
        if (c.length >= n) return c;
        if (Date.now() > deadline) throw new Error(`smtp-sink ${host}:${port} captured ${c.length} transactions, wanted ${n}`);
        await sleep(50);
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
