// DeliveryService over agent processes (`node agent.js`, spawned with an argv, never a shell): the
// job and message are piped in, the JSON result read back. When this process is root, every agent is
// started as its job's identity (`setpriv --reuid U --regid G --init-groups -- node agent.js --plan
// <json>`, agent-plan.ts): no agent code runs as root for a user, not even to read its job. An agent that crashes, prints nonsense or
// outlives its time is killed and reported as a temporary failure, so the message stays queued. The
// root master puts its IPC in front of this; the job/result JSON is the whole interface.
//
// Starting node costs 40-100 ms of CPU, which would cap local delivery at a few dozen messages a
// second. So an agent that did a mailbox or read job is kept for a moment (reuseIdleMs) and given the
// next job for the very same identity (and spool directory and format); everything else, and every
// program or file job, gets a fresh agent.
//
// Mailbox jobs for one identity are also batched: at most a few agents work for one mailbox at a time
// (one for an mbox, whose locks would make more wait for each other anyway); jobs that come while they
// are busy wait and go to the next free agent together, as one batch frame, delivered under one lock
// and one fsync. Each job still gets its own result, only once its message is on disk. The callers see
// none of this: run() is per job.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { encodeBatch, encodeFrame, MAX_BATCH } from './agent-frames.js';
import { findSetpriv, launchArgv, planFor } from './agent-launch.js';
import { refusedAsRoot } from './agent-plan.js';
import { perm } from './errors.js';
import { checkJob } from './job-parse.js';
import type { AgentJob, AgentResult, DeliveryService, MailboxJob } from './agent-protocol.js';

export interface AgentServiceOptions {
  /** The agent script; default: agent.js next to this module. */
  agentPath?: string;
  /** Node binary; default process.execPath. */
  nodePath?: string;
  /** The agent's time limit for a job (it is killed after it); default: from the job's own timeouts. */
  killAfterMs?: (job: AgentJob) => number;
  /** TZ handed to the agent (and so to programs, §3.2); default: this process's TZ, if any. */
  tz?: string;
  /** How long an agent for mailbox and read jobs waits for another job of the same identity; 0: never reused. Default 2 s. */
  reuseIdleMs?: number;
  /** The most jobs one agent does. Default 2000 (batches make that a few hundred frames at most). */
  reuseMaxJobs?: number;
  /**
   * The program that starts an agent as its job's identity when this process is root (it sets the
   * groups, the group and the user, then runs node); default: util-linux's setpriv.
   */
  setprivPath?: string;
}

export interface AgentService extends DeliveryService {
  /** Ends the agents kept for reuse (they are never in the middle of a job); resolves once they have exited. */
  close(): Promise<void>;
}

/** A result line is small; a read job's may carry a file of at most 32 MiB (escaped as JSON). */
const MAX_RESULT = 80 * 1024 * 1024;
const MAX_STDERR = 16 * 1024;
/** Time for node to start and the agent to tidy up, on top of the job's own limits. */
const GRACE_MS = 15_000;
const FALLBACK_LIMIT_MS = 15 * 60_000;
const MAX_IDLE_PER_KEY = 4;
const KILL_GRACE_MS = 2000;
/**
 * Agents at work for one mailbox at a time. An mbox is written by one at a time anyway (its locks would
 * make a second wait). A Maildir needs no lock, and its agent spends most of a batch waiting for the
 * disk (the files' fsyncs, then new/'s): a second agent writes its batch meanwhile, and the two batches'
 * fsyncs share journal commits. More than two gained nothing: their creations in one tmp/ queue on
 * that directory's lock, and the CPU is the limit by then (docs/delivery.md "Local delivery throughput").
 */
const BUSY_PER_MBOX = 1;
const BUSY_PER_MAILDIR = 2;
/** Agents at work for mailbox jobs at once, all mailboxes together (a message to a hundred local users). */
const BUSY_MAILBOX_AGENTS = 8;
/** A batch is cut at this many jobs or this many bytes of messages. */
const BATCH_JOBS = 32;
/**
 * The agent's thread pool (libuv's, where fs.fsync runs): one thread per file of a full batch, so all its
 * fsyncs are with the kernel at once and share journal commits. With libuv's default of four they went
 * four at a time, and a batch waited for eight rounds of commits.
 */
const AGENT_THREADS = String(BATCH_JOBS);
const BATCH_BYTES = 32 << 20;

export function defaultKillAfter(job: AgentJob): number {
  switch (job.kind) {
    case 'program':
      return job.timeoutMs + GRACE_MS;
    case 'read':
      return job.timeoutMs + GRACE_MS;
    case 'file':
      return (job.openTimeoutMs ?? 60_000) + (job.lockTimeoutMs ?? 120_000) + GRACE_MS;
    case 'mailbox':
      // Two lock waits (dot-lock, then fcntl) and an open.
      return 2 * (job.lockTimeoutMs ?? 120_000) + 60_000 + GRACE_MS;
  }
}

function crashed(reason: string): AgentResult {
  return { status: 'temp', reply: { code: 451, enh: '4.3.0', text: `delivery agent failed: ${reason}` } };
}

function isResult(v: unknown): v is AgentResult {
  if (typeof v !== 'object' || v === null) return false;
  const s = (v as { status?: unknown }).status;
  if (s === 'delivered') return true;
  if (s === 'read') return typeof (v as { read?: unknown }).read === 'object';
  if (s === 'temp' || s === 'perm') {
    const r = (v as { reply?: { code?: unknown; enh?: unknown; text?: unknown } }).reply;
    return typeof r === 'object' && r !== null && typeof r.code === 'number' && typeof r.enh === 'string' && typeof r.text === 'string';
  }
  return false;
}

/** Agents may be shared only between jobs that need exactly the same credentials. */
function reuseKey(job: AgentJob): string | undefined {
  if (job.kind === 'mailbox') return JSON.stringify(['mailbox', job.user.name, job.user.uid, job.user.gid, job.user.home, job.spoolDir, job.format]);
  if (job.kind === 'read') return JSON.stringify(['read', job.as.name, job.as.uid, job.as.gid, job.as.home]);
  return undefined;
}

/** One agent process, doing one job (or one batch) at a time. */
class Agent {
  readonly child: ChildProcessWithoutNullStreams;
  jobs = 0;
  gone = false;
  idleTimer: NodeJS.Timeout | undefined;
  private out: Buffer[] = [];
  private outSize = 0;
  private err = '';
  private pending: { expected: number; results: AgentResult[]; resolve: (r: AgentResult[]) => void; timer: NodeJS.Timeout } | undefined;
  private killedFor: string | undefined;

  constructor(argv: readonly string[], env: Record<string, string>, onGone: (a: Agent) => void) {
    // cwd /: the agent is another user, who may not be allowed into ours.
    this.child = spawn(argv[0]!, argv.slice(1), { cwd: '/', env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.on('data', (b: Buffer) => this.onData(b));
    this.child.stderr.on('data', (b: Buffer) => {
      if (this.err.length < MAX_STDERR) this.err += b.toString('utf8');
    });
    // An agent that dies before reading everything closes the pipe: its exit status tells why.
    this.child.stdin.on('error', () => undefined);
    this.child.on('error', (e) => this.settle(crashed(`cannot start ${argv[0]!}: ${e.message}`)));
    this.child.on('close', (code, signal) => {
      this.gone = true;
      onGone(this);
      const firstErr = this.err.split('\n').find((l) => l.trim().length > 0);
      if (this.killedFor !== undefined) this.settle(crashed(this.killedFor));
      else if (code !== 0) this.settle(crashed(firstErr ?? (signal !== null ? `killed by ${signal}` : `exit ${code}`)));
      else this.settle(crashed(this.outSize > 0 ? 'unreadable result' : 'no result'));
    });
  }

  private onData(b: Buffer): void {
    this.out.push(b);
    this.outSize += b.length;
    if (!b.includes(10)) {
      if (this.outSize > MAX_RESULT) this.kill('too much output');
      return;
    }
    const all = Buffer.concat(this.out);
    let start = 0;
    for (let nl = all.indexOf(10); nl >= 0 && this.killedFor === undefined; nl = all.indexOf(10, start)) {
      const line = all.subarray(start, nl).toString('utf8');
      start = nl + 1;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        this.kill('unreadable result');
        break;
      }
      if (!isResult(parsed)) this.kill('malformed result');
      else this.accept(parsed);
    }
    const rest = all.subarray(start);
    this.out = rest.length > 0 ? [rest] : [];
    this.outSize = rest.length;
  }

  /** SIGTERM first, so the agent can stop the programs it runs (they have process groups of their own); SIGKILL if it does not go. */
  private kill(why: string): void {
    this.killedFor ??= why;
    this.child.kill('SIGTERM');
    setTimeout(() => {
      if (!this.gone) this.child.kill('SIGKILL');
    }, KILL_GRACE_MS).unref();
  }

  /** One result line: the next job's. A line nobody waits for is a confused agent. */
  private accept(r: AgentResult): void {
    const p = this.pending;
    if (p === undefined) return this.kill('unexpected result');
    p.results.push(r);
    if (p.results.length >= p.expected) this.finish();
  }

  /** Every job still without a result gets `r` (the agent crashed, was killed, or could not start). */
  private settle(r: AgentResult): void {
    const p = this.pending;
    if (p === undefined) return;
    while (p.results.length < p.expected) p.results.push(r);
    this.finish();
  }

  private finish(): void {
    const p = this.pending;
    if (p === undefined) return;
    this.pending = undefined;
    clearTimeout(p.timer);
    p.resolve(p.results);
  }

  send(items: ReadonlyArray<{ job: AgentJob; message: Buffer | undefined }>, limitMs: number, last: boolean): Promise<AgentResult[]> {
    this.jobs += items.length;
    return new Promise((resolve) => {
      // A job too malformed to have a time limit still gets one (the agent will refuse it anyway).
      const ms = Number.isFinite(limitMs) && limitMs > 0 ? limitMs : FALLBACK_LIMIT_MS;
      this.pending = { expected: items.length, results: [], resolve, timer: setTimeout(() => this.kill('timed out'), ms) };
      if (this.gone) return this.settle(crashed('agent ended'));
      const parts =
        items.length === 1 ? encodeFrame(items[0]!.job, items[0]!.message) : encodeBatch(items.map((i) => ({ job: i.job, message: i.message ?? Buffer.alloc(0) })));
      // One writev for the frame and its messages.
      this.child.stdin.cork();
      for (const part of parts) this.child.stdin.write(part);
      this.child.stdin.uncork();
      if (last) this.child.stdin.end();
    });
  }

  /** Kept or not kept: an idle agent must not keep the process alive. */
  setIdle(idle: boolean): void {
    const handles = [this.child, this.child.stdin, this.child.stdout, this.child.stderr] as Array<{ ref(): void; unref(): void }>;
    for (const h of handles) {
      if (idle) h.unref();
      else h.ref();
    }
  }

  end(): void {
    clearTimeout(this.idleTimer);
    this.child.stdin.end();
  }

  exited(): Promise<void> {
    return this.gone ? Promise.resolve() : new Promise((resolve) => this.child.once('close', () => resolve()));
  }
}

/** Mailbox jobs of one identity waiting for an agent, and how many agents work for it now. */
interface Lane {
  /** Agents this mailbox may have at work at once. */
  maxBusy: number;
  waiting: Array<{ job: MailboxJob; message: Buffer; resolve: (r: AgentResult) => void }>;
  busy: number;
}

function isCrash(r: AgentResult): boolean {
  return r.status === 'temp' && r.reply.text.startsWith('delivery agent failed');
}

export function spawnAgentService(opts: AgentServiceOptions = {}): AgentService {
  const agentPath = opts.agentPath ?? fileURLToPath(new URL('./agent.js', import.meta.url));
  const nodePath = opts.nodePath ?? process.execPath;
  const killAfter = opts.killAfterMs ?? defaultKillAfter;
  const tz = opts.tz ?? process.env.TZ;
  const env: Record<string, string> = { ...(tz === undefined ? {} : { TZ: tz }), UV_THREADPOOL_SIZE: AGENT_THREADS };
  const idleMs = opts.reuseIdleMs ?? 2000;
  const maxJobs = opts.reuseMaxJobs ?? 2000;
  const idle = new Map<string, Agent[]>();

  const forget = (a: Agent): void => {
    for (const [k, list] of idle) {
      const i = list.indexOf(a);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) idle.delete(k);
    }
  };

  const take = (key: string): Agent | undefined => {
    const list = idle.get(key);
    const a = list?.pop();
    if (list !== undefined && list.length === 0) idle.delete(key);
    if (a === undefined) return undefined;
    clearTimeout(a.idleTimer);
    a.setIdle(false);
    return a;
  };

  const park = (a: Agent, key: string): void => {
    const list = idle.get(key) ?? [];
    if (list.length >= MAX_IDLE_PER_KEY) return a.end();
    list.push(a);
    idle.set(key, list);
    a.setIdle(true);
    a.idleTimer = setTimeout(() => {
      forget(a);
      a.end();
    }, idleMs);
    a.idleTimer.unref();
  };

  const asRoot = process.getuid?.() === 0;
  const setpriv = opts.setprivPath ?? findSetpriv();

  /**
   * A new agent for a job. Started by root, it is started as the job's identity (agent-plan.ts), so
   * none of its code runs as root for a user; otherwise it runs as this process's user.
   */
  const fresh = (job: AgentJob): Agent | AgentResult => {
    if (!asRoot) return new Agent([nodePath, agentPath], env, forget);
    try {
      // The agent checks its jobs too; this one's identity is decided here, so it is checked here first.
      checkJob(job);
    } catch (e) {
      return crashed((e as Error).message);
    }
    const plan = planFor(job);
    if (refusedAsRoot(job, plan)) return perm(554, '5.3.0', `refusing to deliver as root (${job.kind === 'mailbox' ? job.user.name : job.as.name})`);
    if (setpriv === undefined) return crashed('cannot start an agent as its user: setpriv (util-linux) not found');
    return new Agent(launchArgv(setpriv, plan, nodePath, agentPath), env, forget);
  };

  /** Runs jobs on a reused agent when the key allows it (or a fresh one), and keeps or ends the agent after. */
  const runOn = async (key: string | undefined, items: ReadonlyArray<{ job: AgentJob; message: Buffer | undefined }>): Promise<AgentResult[]> => {
    const agent = (key !== undefined ? take(key) : undefined) ?? fresh(items[0]!.job);
    if (!(agent instanceof Agent)) return items.map(() => agent);
    const last = key === undefined || agent.jobs + items.length >= maxJobs;
    const limit = Math.max(...items.map((i) => killAfter(i.job)));
    const results = await agent.send(items, limit, last);
    if (!last && !agent.gone && key !== undefined && !results.some(isCrash)) park(agent, key);
    else if (!last) agent.end();
    return results;
  };

  const lanes = new Map<string, Lane>();
  /** Lanes with jobs waiting for an agent because BUSY_MAILBOX_AGENTS are at work, in the order they came. */
  const starved = new Set<string>();
  let busyAgents = 0;

  /** Starts an agent for a lane's waiting jobs (as one batch) if it and the service may have one more at work. */
  const dispatch = (key: string, lane: Lane): void => {
    while (lane.waiting.length > 0) {
      if (lane.busy >= lane.maxBusy) return;
      if (busyAgents >= BUSY_MAILBOX_AGENTS) {
        starved.add(key);
        return;
      }
      let bytes = 0;
      let n = 0;
      while (n < lane.waiting.length && n < Math.min(BATCH_JOBS, MAX_BATCH) && (n === 0 || bytes + lane.waiting[n]!.message.length <= BATCH_BYTES)) {
        bytes += lane.waiting[n]!.message.length;
        n++;
      }
      const batch = lane.waiting.splice(0, n);
      lane.busy++;
      busyAgents++;
      void runOn(key, batch)
        .catch((err: unknown) => batch.map(() => crashed((err as Error).message)))
        .then((results) => {
          lane.busy--;
          busyAgents--;
          batch.forEach((b, i) => b.resolve(results[i] ?? crashed('no result')));
          // Lanes that waited for an agent go first; then this one's own waiting jobs.
          for (const k of [...starved]) {
            if (busyAgents >= BUSY_MAILBOX_AGENTS) break;
            starved.delete(k);
            const l = lanes.get(k);
            if (l !== undefined) dispatch(k, l);
          }
          if (lane.busy === 0 && lane.waiting.length === 0) lanes.delete(key);
          else dispatch(key, lane);
        });
    }
  };

  return {
    async run(job: AgentJob, message?: Buffer): Promise<AgentResult> {
      const key = idleMs > 0 ? reuseKey(job) : undefined;
      if (key !== undefined && job.kind === 'mailbox') {
        return new Promise<AgentResult>((resolve) => {
          let lane = lanes.get(key);
          if (lane === undefined) {
            lane = { maxBusy: job.format === 'maildir' ? BUSY_PER_MAILDIR : BUSY_PER_MBOX, waiting: [], busy: 0 };
            lanes.set(key, lane);
          }
          lane.waiting.push({ job, message: message ?? Buffer.alloc(0), resolve });
          dispatch(key, lane);
        });
      }
      const [r] = await runOn(key, [{ job, message }]);
      return r!;
    },
    async close(): Promise<void> {
      const agents = [...idle.values()].flat();
      idle.clear();
      for (const a of agents) {
        // Referenced again, so that waiting for them keeps this process alive until they are gone.
        a.setIdle(false);
        a.end();
      }
      await Promise.all(agents.map((a) => a.exited()));
    },
  };
}
