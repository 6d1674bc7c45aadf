// Runs the real daemon (`node dist/src/cli/main.js serve`) as a child process for end-to-end tests:
// writes its configuration into a temporary directory, waits for the `ready` log line, and gives the
// test the bound port, the pid, the parsed log lines and stderr, signals, and the spool as another
// process sees it (SpoolReader).

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SpoolReader, type QueuedMessage } from '../../src/queue/index.js';
import { RawClient } from './raw-client.js';

/** The compiled entry point, next to this compiled helper (dist/test/helpers → dist/src/cli). */
export const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
/** The repository root (for bin/ and for test fixtures that are not compiled, such as Python scripts). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export const E2E_HOST = 'mx.example.com';
/** Loopback and an ephemeral port: daemons of parallel tests never collide. */
export const LOOPBACK_LISTENER = 'Name=MTA, Addr=127.0.0.1, Port=0';

export type LogLine = Record<string, unknown>;

/** A fresh temporary directory; `remove` deletes it. */
export async function tempDaemonDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'postern-e2e-'));
}

/**
 * The postern.conf lines every test daemon starts from: loopback listener on port 0, spool and
 * aliases inside `dir`, $j fixed, DNS pointed at a port where nothing answers (lookups fail at once
 * instead of leaving the machine; sender domains are therefore not looked up:
 * accept_unresolvable_domains), no penalty delays, and root kept when the tests run as root (the
 * privilege tests set RunAsUser themselves). The relay policy has its own tests with a DNS server.
 * The queue runner is off (no immediate attempt, no queue runs: sendmail -odq without -q), so what
 * a test sends stays in the spool for it to read; the delivery tests turn it on.
 */
export function baseConf(dir: string): string[] {
  return [
    `DaemonPortOptions = ${LOOPBACK_LISTENER}`,
    `QueueDirectory = ${join(dir, 'spool')}`,
    `AliasFile = ${join(dir, 'aliases')}`,
    `Macro j ${E2E_HOST}`,
    'RunAsUser = root',
    'DnsServers = 127.0.0.1:1',
    'Timeout.resolver.retrans = 1s',
    'Timeout.resolver.retry = 1',
    'SmtpPenaltyBase = 0',
    'DontProbeInterfaces = True',
    'Feature accept_unresolvable_domains',
    'DeliveryMode = queue',
    'QueueInterval = 0',
    // Each daemon its own control socket (the system default, /run/postern/control, is shared by all).
    `ControlSocket = ${join(dir, 'run', 'control.sock')}`,
  ];
}

export const E2E_ALIASES = 'postmaster: root\nann: root\n';

/** Writes `dir/aliases` and `dir/postern.conf` (base lines, then `extra`); returns the conf path. */
export async function writeDaemonConfig(dir: string, extra: readonly string[] = [], aliases = E2E_ALIASES): Promise<string> {
  await writeFile(join(dir, 'aliases'), aliases);
  const path = join(dir, 'postern.conf');
  await writeFile(path, `${[...baseConf(dir), ...extra].join('\n')}\n`);
  return path;
}

export interface SpawnOptions {
  /** working directory of the daemon (the embedded default puts ./spool here) */
  cwd: string;
  /** `--config FILE`; absent = the embedded default */
  config?: string;
  /** further arguments after `serve` (`-O ...`, `--pretty`, `--grace`) */
  args?: readonly string[];
  /** argv put in front of `node main.js serve`, e.g. an `unshare` wrapper that ends in exec "$@" */
  prefix?: readonly string[];
  /** how long to wait for the ready line (default 10 s) */
  readyTimeoutMs?: number;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const running = new Set<ChildProcess>();
// A test that fails before it stops its daemon must not leave it behind.
process.on('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

export class Daemon {
  readonly logs: LogLine[] = [];
  stdout = '';
  stderr = '';
  /** the first listener's port, from the ready line */
  port = 0;
  readonly exited: Promise<Exit>;
  private exit: Exit | undefined;
  private partial = '';
  private waiters: Array<() => void> = [];

  constructor(
    readonly child: ChildProcess,
    readonly cwd: string,
  ) {
    running.add(child);
    child.stdout?.setEncoding('utf8');
    child.stderr?.setEncoding('utf8');
    child.stdout?.on('data', (d: string) => {
      this.stdout += d;
      this.partial += d;
      let nl: number;
      while ((nl = this.partial.indexOf('\n')) !== -1) {
        const line = this.partial.slice(0, nl);
        this.partial = this.partial.slice(nl + 1);
        if (line.startsWith('{')) {
          try {
            this.logs.push(JSON.parse(line) as LogLine);
          } catch {
            // --pretty output and anything not JSON stay in `stdout` only.
          }
        }
      }
      this.wake();
    });
    child.stderr?.on('data', (d: string) => {
      this.stderr += d;
      this.wake();
    });
    this.exited = new Promise<Exit>((resolve) => {
      child.on('exit', (code, signal) => {
        running.delete(child);
        this.exit = { code, signal };
        resolve(this.exit);
        this.wake();
      });
    });
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  get hasExited(): boolean {
    return this.exit !== undefined;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Resolves with the first defined value of `check`, re-evaluated whenever the daemon writes. */
  async waitUntil<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = check();
      if (found !== undefined) return found;
      if (this.exit !== undefined) throw new Error(`daemon exited (${JSON.stringify(this.exit)}) before ${what}; stderr: ${this.stderr}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${what} within ${timeoutMs} ms; stdout: ${this.stdout}; stderr: ${this.stderr}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Resolves with the first log line (already written or to come) that matches. */
  waitForLog(match: (l: LogLine) => boolean, timeoutMs = 10_000, what = 'log line'): Promise<LogLine> {
    return this.waitUntil(() => this.logs.find(match), timeoutMs, what);
  }

  /** Resolves with the first match of `re` in everything written on stdout so far or later. */
  waitForOutput(re: RegExp, timeoutMs = 10_000): Promise<RegExpExecArray> {
    return this.waitUntil(() => re.exec(this.stdout) ?? undefined, timeoutMs, `output matching ${re}`);
  }

  /** Log lines carrying `event: name`. */
  events(name: string): LogLine[] {
    return this.logs.filter((l) => l.event === name);
  }

  signal(sig: NodeJS.Signals): void {
    if (this.exit === undefined) this.child.kill(sig);
  }

  /** Waits for the exit; SIGKILLs the process if it has not exited within the timeout and rejects. */
  async waitExit(timeoutMs = 10_000): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        reject(new Error(`daemon did not exit within ${timeoutMs} ms; stderr: ${this.stderr}`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGTERM and wait (the normal stop); SIGKILL if it hangs. */
  async stop(timeoutMs = 10_000): Promise<Exit> {
    this.signal('SIGTERM');
    return this.waitExit(timeoutMs);
  }

  async kill9(): Promise<Exit> {
    this.signal('SIGKILL');
    return this.exited;
  }

  connect(): Promise<RawClient> {
    return RawClient.connect(this.port);
  }

  /** Connects and reads the 220 greeting. */
  async session(): Promise<RawClient> {
    const c = await RawClient.connect(this.port);
    const g = await c.reply();
    if (g.code !== 220) throw new Error(`unexpected greeting ${g.lines.join('|')}`);
    return c;
  }
}

/** Starts the daemon without waiting for it (for start-up failures: wait on `exited`). */
export function spawnDaemon(opts: SpawnOptions): Daemon {
  const argv = [MAIN, 'serve', ...(opts.config !== undefined ? ['--config', opts.config] : []), ...(opts.args ?? [])];
  const prefix = opts.prefix ?? [];
  const cmd = prefix.length > 0 ? prefix[0]! : process.execPath;
  const full = prefix.length > 0 ? [...prefix.slice(1), process.execPath, ...argv] : argv;
  const child = spawn(cmd, full, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Daemon(child, opts.cwd);
}

/** Starts the daemon and waits for its ready line; the port is then known. */
export async function startDaemon(opts: SpawnOptions): Promise<Daemon> {
  const d = spawnDaemon(opts);
  const timeout = opts.readyTimeoutMs ?? 10_000;
  try {
    if (opts.args?.includes('--pretty') === true) {
      // pino-pretty prints the ready line's fields indented under its message.
      d.port = Number((await d.waitForOutput(/INFO: postern ready\n[\s\S]*?"port": (\d+)/, timeout))[1]);
    } else {
      const ready = await d.waitForLog((l) => l.event === 'ready', timeout, 'ready line');
      d.port = (ready.listeners as Array<{ port: number }>)[0]!.port;
    }
  } catch (err) {
    d.signal('SIGKILL');
    throw err;
  }
  return d;
}

/** Every message listed in a queue directory, and a reader for their data. */
export async function queued(spoolDir: string): Promise<QueuedMessage[]> {
  const out: QueuedMessage[] = [];
  for await (const m of new SpoolReader(spoolDir).list()) out.push(m);
  return out;
}

export async function queuedData(spoolDir: string, id: string): Promise<Buffer> {
  return new SpoolReader(spoolDir).readData(id);
}

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (argv array, no shell), with optional stdin, environment and working directory. */
export function run(
  cmd: string,
  args: readonly string[],
  opts: { cwd?: string; input?: string | Buffer; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, ...(opts.env !== undefined ? { env: opts.env } : {}), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${cmd} ${args.join(' ')}: no exit within ${opts.timeoutMs ?? 20_000} ms; stderr: ${stderr}`));
    }, opts.timeoutMs ?? 20_000);
    child.on('error', (err) => {
      clearTimeout(t);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
    // A command that exits without reading its input must not fail the test with EPIPE.
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}

/** `argv` run as `user` (setpriv with the user's groups), or as is when there is none. */
export function asUser(user: { uid: number; gid: number } | undefined, argv: readonly string[]): [string, string[]] {
  return user === undefined ? [argv[0]!, argv.slice(1)] : ['setpriv', [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--init-groups', ...argv]];
}

/** `postern <args>` through the compiled entry point. */
export function postern(args: readonly string[], cwd?: string): Promise<CommandResult> {
  return run(process.execPath, [MAIN, ...args], cwd !== undefined ? { cwd } : {});
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
