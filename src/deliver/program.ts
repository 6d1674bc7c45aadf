// Program delivery through the built-in smrsh (program-and-file-delivery.md §2–§3): check the
// allowlist, then run each command directly (execve with an argv, never a shell) as the delivering
// user, with the exact environment of §3.2, the message on standard input, the output captured,
// ProgTimeout killing the process group, and the exit status mapped to a delivery result.

import { spawn, type StdioOptions } from 'node:child_process';
import { accessSync, constants as fsConstants, statSync } from 'node:fs';
import { constants } from 'node:os';
import type { AgentResult, ProgramJob } from './agent-protocol.js';
import { dontBlame } from './job-parse.js';
import { programInput } from './mbox-format.js';
import { entryCheck, smrshDirectoryProblem } from './smrsh-check.js';
import { parseSmrsh, type SmrshCommand, type SmrshStep } from './smrsh-parse.js';
import { EX_CONFIG, EX_OSFILE, EX_UNAVAILABLE, exitFailure, sysexitReply } from './sysexits.js';
import { reasonOf, temp } from './errors.js';
import { openOutputChannel, type OutputChannel } from './output-channel.js';
import type { Identity } from './shared-types.js';

const OUTPUT_LIMIT = 4096;
/** How long to keep reading a command's output after it exited (a child it left may hold the pipe). */
const DRAIN_MS = 1000;

/** The first 4096 bytes of everything the commands write to standard output and error. */
class Transcript {
  private readonly chunks: Buffer[] = [];
  private size = 0;

  add(b: Buffer): void {
    if (this.size >= OUTPUT_LIMIT) return;
    const part = b.subarray(0, OUTPUT_LIMIT - this.size);
    this.chunks.push(part);
    this.size += part.length;
  }

  line(text: string): void {
    this.add(Buffer.from(`${text}\n`));
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** The environment of §3.2, exactly. */
export function programEnv(as: Identity, smrshPath: string, tz: string | undefined): Record<string, string> {
  const env: Record<string, string> = {
    PATH: smrshPath,
    SHELL: '/bin/sh',
    HOME: as.home,
    USER: as.name,
    LOGNAME: as.name,
    AGENT: 'sendmail',
  };
  if (tz !== undefined) env.TZ = tz;
  return env;
}

/** The user's home when it exists and they may enter it, else / (mailer D=$z:/). */
export function programCwd(home: string): string {
  try {
    if (home.startsWith('/') && statSync(home).isDirectory()) {
      accessSync(home, fsConstants.X_OK);
      return home;
    }
  } catch {
    // not usable: fall through
  }
  return '/';
}

interface Exit {
  status: number | null;
  signal: number | null;
  timedOut: boolean;
  spawnError?: unknown;
}

/** Where the programs' output goes: one shared channel, or (if none could be made) two pipes. */
type Sink = { kind: 'channel'; channel: OutputChannel } | { kind: 'pipes' };

function runOne(path: string, name: string, args: string[], cwd: string, env: Record<string, string>, input: Buffer, out: Transcript, sink: Sink, deadline: number): Promise<Exit> {
  return new Promise((resolve) => {
    let timedOut = false;
    let settled = false;
    const stdio: StdioOptions =
      sink.kind === 'channel' ? ['pipe', sink.channel.childEnd, sink.channel.childEnd] : ['pipe', 'pipe', 'pipe'];
    const child = spawn(path, args, { argv0: name, cwd, env, stdio, detached: true });
    const pid = child.pid;
    if (pid !== undefined) running.add(pid);
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, Math.max(0, deadline - Date.now()));
    const finish = (e: Exit): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (pid !== undefined) running.delete(pid);
      resolve(e);
    };
    const pipes = [child.stdout, child.stderr].filter((p): p is NonNullable<typeof p> => p !== null);
    for (const p of pipes) p.on('data', (b: Buffer) => out.add(b));
    // A program that does not read its input closes the pipe: EPIPE is its business, not a failure.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input);
    child.on('error', (err) => finish({ status: null, signal: null, timedOut: false, spawnError: err }));
    child.on('exit', (code, signal) => {
      const e: Exit = { status: code, signal: signal === null ? null : constants.signals[signal], timedOut };
      let open = pipes.filter((p) => !p.destroyed && !p.readableEnded).length;
      if (open === 0) return finish(e);
      for (const p of pipes) p.once('close', () => --open === 0 && finish(e));
      setTimeout(() => {
        for (const p of pipes) p.destroy();
        finish(e);
      }, Math.min(DRAIN_MS, Math.max(0, deadline - Date.now())));
    });
  });
}

/** Process groups of the programs running now, so that an agent told to stop can stop them too. */
const running = new Set<number>();

/** Kills every program this agent has running (the service stops an overdue agent with SIGTERM). */
export function killAllPrograms(): void {
  for (const pid of running) killGroup(pid);
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function exitArg(args: string[], previous: number, out: Transcript): number {
  if (args.length === 0) return previous;
  if (!/^[0-9]+$/.test(args[0])) {
    out.line(`smrsh: exit: Illegal number: ${args[0]}`);
    return 2;
  }
  return Number(args[0]) & 0xff;
}

export async function deliverToProgram(job: ProgramJob, message: Buffer, tz: string | undefined): Promise<AgentResult> {
  const log: string[] = [];
  const out = new Transcript();
  const refuse = (exit: number, text: string): AgentResult => {
    log.push(`uid ${process.getuid?.() ?? job.as.uid}: ${text}`);
    const r = sysexitReply(exit);
    return { status: 'perm', reply: r, output: `${text}\n`, log };
  };
  const dir = job.smrshDirectory.replace(/\/+$/, '') || '/';
  const problem = smrshDirectoryProblem(dir);
  if (problem !== undefined) return refuse(EX_CONFIG, problem);
  const parsed = parseSmrsh(job.command, Buffer.byteLength(dir), entryCheck(dir, dontBlame(job.dontBlame, 'RunWritableProgram'), (l) => log.push(l)));
  if (!parsed.ok) return refuse(EX_UNAVAILABLE, parsed.message);

  const env = programEnv(job.as, job.smrshPath, tz);
  const cwd = programCwd(job.as.home);
  const input = programInput(job.meta.sender, message, new Date());
  const deadline = Date.now() + job.timeoutMs;
  let sink: Sink = { kind: 'pipes' };
  try {
    const channel = await openOutputChannel();
    channel.ourEnd.on('data', (b: Buffer) => out.add(b));
    sink = { kind: 'channel', channel };
  } catch (e) {
    log.push(`programs' output read through two pipes (no output socket: ${reasonOf(e)})`);
  }
  let outcome: Outcome;
  try {
    outcome = await runSteps(job, parsed.steps, cwd, env, input, out, sink, deadline);
  } finally {
    if (sink.kind === 'channel') await closeChannel(sink.channel, deadline);
  }
  const output = out.text();
  const extra = { ...(output.length > 0 ? { output } : {}), ...(log.length > 0 ? { log } : {}) };
  if (outcome.timedOut !== undefined) {
    log.push(`${outcome.timedOut}: killed after ProgTimeout (${job.timeoutMs} ms)`);
    return { ...temp(451, '4.4.1', 'mailer prog timed out'), ...extra, log };
  }
  if (outcome.status === 0) return { status: 'delivered', detail: 'exit 0', ...(log.length > 0 ? { log } : {}) };
  const f = outcome.lastSignal !== null ? exitFailure(null, outcome.lastSignal) : exitFailure(outcome.status, null);
  return { ...f, ...extra };
}

interface Outcome {
  status: number;
  lastSignal: number | null;
  /** The command ProgTimeout stopped, if it did. */
  timedOut?: string;
}

/** Stops handing out the channel and reads what is still on its way, for a moment at most. */
async function closeChannel(c: OutputChannel, deadline: number): Promise<void> {
  c.childEnd.destroy();
  if (!c.ourEnd.readableEnded && !c.ourEnd.destroyed) {
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, Math.min(DRAIN_MS, Math.max(0, deadline - Date.now())));
      c.ourEnd.once('close', () => {
        clearTimeout(t);
        resolve();
      });
      c.ourEnd.once('end', () => {
        clearTimeout(t);
        resolve();
      });
    });
  }
  c.ourEnd.destroy();
}

async function runSteps(job: ProgramJob, steps: SmrshStep[], cwd: string, env: Record<string, string>, input: Buffer, out: Transcript, sink: Sink, deadline: number): Promise<Outcome> {
  const dir = job.smrshDirectory.replace(/\/+$/, '') || '/';
  let status = 0;
  let lastSignal: number | null = null;
  for (const step of steps) {
    if ((step.op === '||' && status === 0) || (step.op === '&&' && status !== 0)) continue;
    const cmd: SmrshCommand = step.command;
    if (cmd.kind === 'echo') {
      status = 0;
      lastSignal = null;
      continue;
    }
    if (cmd.kind === 'exit') {
      status = exitArg(cmd.args, status, out);
      lastSignal = null;
      break;
    }
    const r = await runOne(`${dir}/${cmd.name}`, cmd.name, cmd.args, cwd, env, input, out, sink, deadline);
    if (r.timedOut) return { status: 124, lastSignal: null, timedOut: cmd.name };
    if (r.spawnError !== undefined) {
      out.line(`smrsh: cannot execute ${cmd.name}: ${reasonOf(r.spawnError)}`);
      status = EX_OSFILE;
      lastSignal = null;
      break;
    }
    lastSignal = r.signal;
    // Like sh: a command killed by signal n has status 128+n for the operators that follow.
    status = r.status ?? 128 + (r.signal ?? 0);
  }
  return { status, lastSignal };
}
