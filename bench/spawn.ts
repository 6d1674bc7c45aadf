// Starting and stopping a server under test: spawned with an argv array (never a shell), ready when
// its port accepts a connection, stopped with SIGTERM and, if it lingers, SIGKILL.

import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readSync, fstatSync } from 'node:fs';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Splits a --spawn value into an argv array: a JSON array of strings as is, otherwise the words
 * between spaces (no quoting: use the JSON form for arguments that contain spaces).
 */
export function parseCommand(text: string): string[] {
  const t = text.trim();
  if (t.startsWith('[')) {
    const parsed: unknown = JSON.parse(t);
    if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((a): a is string => typeof a === 'string')) {
      throw new Error('--spawn: a JSON command must be a non-empty array of strings');
    }
    return parsed;
  }
  const words = t.split(/ +/).filter((w) => w !== '');
  if (words.length === 0) throw new Error('--spawn: empty command');
  return words;
}

/** Resolves once host:port accepts a TCP connection; rejects after `timeoutMs` or if `gaveUp()` says so. */
export async function waitForPort(host: string, port: number, timeoutMs: number, gaveUp?: () => string | undefined): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const why = gaveUp?.();
    if (why !== undefined) throw new Error(why);
    if (await canConnect(host, port)) return;
    if (performance.now() > deadline) throw new Error(`nothing accepts connections on ${host}:${port} after ${Math.round(timeoutMs / 1000)} s`);
    await sleep(50);
  }
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export interface SpawnedServer {
  readonly child: ChildProcess;
  readonly pid: number;
  /** The end of the server's output (its log file), for error messages. */
  output(): string;
  stop(): Promise<void>;
}

const OUTPUT_KEPT = 4096;

/** The last `OUTPUT_KEPT` bytes of a file, '' if it cannot be read. */
export function fileTail(path: string): string {
  try {
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      const len = Math.min(size, OUTPUT_KEPT);
      const buf = Buffer.alloc(len);
      readSync(fd, buf, 0, len, size - len);
      return buf.toString('utf8').trim();
    } finally {
      closeSync(fd);
    }
  } catch {
    return '';
  }
}

/**
 * Spawns `argv` and waits until host:port accepts connections. The server's stdout and stderr go to
 * `logFile` directly (not through a pipe), so a server that logs every message costs the generator
 * nothing.
 */
export async function spawnServer(
  argv: readonly string[],
  host: string,
  port: number,
  logFile: string,
  options: { cwd?: string; env?: NodeJS.ProcessEnv; readyTimeoutMs?: number } = {},
): Promise<SpawnedServer> {
  const [cmd, ...args] = argv;
  if (cmd === undefined) throw new Error('empty server command');
  const logFd = openSync(logFile, 'a', 0o600);
  let child: ChildProcess;
  try {
    child = spawn(cmd, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', logFd, logFd] });
  } finally {
    closeSync(logFd); // the child has its own copy
  }
  const tail = (): string => fileTail(logFile);
  let exited: string | undefined;
  let spawnError: string | undefined;
  const exitedPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = `exit ${code ?? signal}`;
      resolve();
    });
  });
  child.once('error', (err) => {
    spawnError = err.message;
  });
  const server: SpawnedServer = {
    child,
    pid: child.pid ?? -1,
    output: tail,
    stop: async () => {
      if (exited !== undefined || spawnError !== undefined) return;
      child.kill('SIGTERM');
      const killed = await Promise.race([exitedPromise.then(() => true), sleep(5000).then(() => false)]);
      if (!killed) {
        child.kill('SIGKILL');
        await exitedPromise;
      }
    },
  };
  try {
    await waitForPort(host, port, options.readyTimeoutMs ?? 20000, () => {
      if (spawnError !== undefined) return `${argv.join(' ')}: ${spawnError}`;
      if (exited !== undefined) {
        const out = tail();
        return `${argv.join(' ')} stopped (${exited}) before accepting connections${out === '' ? '' : `:\n${out}`}`;
      }
      return undefined;
    });
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}
