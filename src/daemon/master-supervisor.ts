// The master keeps one worker running: it spawns it as RunAsUser with the channel on fd 3 and the bound
// listening sockets on fds 4, 5, ...; forwards SIGTERM/SIGINT/SIGHUP to it; restarts it with a back-off
// when it dies unexpectedly (the sockets stay open in the master meanwhile); and ends with the worker's
// exit status when it was asked to stop, or when the first worker never came up.

import { spawn, type ChildProcess } from 'node:child_process';
import { Socket } from 'node:net';
import { constants } from 'node:os';
import type { Logger } from 'pino';
import { FramedChannel } from '../deliver/ipc-channel.js';
import { FIRST_LISTENER_FD, MASTER_LIMITS, type Hello } from '../deliver/ipc-protocol.js';
import type { BoundListeners } from './master-listeners.js';
import { MasterJobs, type MasterJobsOptions } from './master-jobs.js';

export interface WorkerSpec {
  command: string;
  args: string[];
  user: { name: string; uid: number; gid: number };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface SupervisorOptions {
  spec: WorkerSpec;
  bound: BoundListeners;
  log: Logger;
  /** how long a stopping worker may take before it is killed */
  stopTimeoutMs: number;
  jobs: Pick<MasterJobsOptions, 'agents' | 'view' | 'accounts' | 'maxInFlight'>;
  /** restart delays, one per consecutive early death (the last one repeats) */
  backoffMs?: readonly number[];
  /** a worker that ran this long resets the back-off */
  stableMs?: number;
}

const BACKOFF_MS = [250, 500, 1000, 2000, 5000, 10_000, 30_000];
const STABLE_MS = 30_000;
/** How long an exited worker's channel may take to deliver its last frames. */
const CHANNEL_DRAIN_MS = 1000;

type StopSignal = 'SIGTERM' | 'SIGINT';

/** Exit status of a process the way a shell reports it. */
function statusOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  const n = signal !== null ? constants.signals[signal] : undefined;
  return 128 + (n ?? 0);
}

export class WorkerSupervisor {
  readonly done: Promise<number>;
  private finish!: (code: number) => void;
  private child: ChildProcess | undefined;
  private childStarted = false;
  private childSince = 0;
  private everReady = false;
  private stopping: StopSignal | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private killTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private readonly hello: Hello;
  private readonly stdioFds: number[];

  constructor(private readonly opts: SupervisorOptions) {
    this.done = new Promise<number>((resolve) => {
      this.finish = resolve;
    });
    const { listeners, fds } = opts.bound;
    this.stdioFds = fds.filter((fd): fd is number => fd !== null);
    let next = FIRST_LISTENER_FD;
    this.hello = { t: 'hello', listeners, fds: fds.map((fd) => (fd === null ? null : next++)) };
  }

  /** The worker's pid while one runs. */
  get workerPid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    const { spec, log } = this.opts;
    let child: ChildProcess;
    try {
      child = spawn(spec.command, spec.args, {
        cwd: spec.cwd,
        env: spec.env,
        // uid and gid are set, and the supplementary groups cleared, in the child before it runs anything.
        uid: spec.user.uid,
        gid: spec.user.gid,
        stdio: ['ignore', 'inherit', 'inherit', 'pipe', ...this.stdioFds],
      });
    } catch (err) {
      log.error({ event: 'worker-failed', err }, `cannot start the worker: ${(err as Error).message}`);
      this.finish(71);
      return;
    }
    this.child = child;
    this.childStarted = false;
    this.childSince = Date.now();
    // The exit is judged once the channel has been read to its end: a "ready" the worker sent just
    // before it died must count (else a worker killed right after start looks like a failed start).
    let channelClosed!: () => void;
    const drained = new Promise<void>((resolve) => (channelClosed = resolve));
    child.once('error', (err) => {
      log.error({ event: 'worker-failed', err }, `cannot start the worker: ${err.message}`);
      if (child.pid === undefined) this.exited(child, 71, null);
    });
    child.once('exit', (code, signal) => {
      const late = setTimeout(channelClosed, CHANNEL_DRAIN_MS);
      void drained.then(() => {
        clearTimeout(late);
        this.exited(child, code, signal);
      });
    });
    const sock = child.stdio[3];
    if (!(sock instanceof Socket)) {
      child.kill('SIGKILL');
      channelClosed();
      return;
    }
    const channel = new FramedChannel(sock, MASTER_LIMITS);
    const jobs = new MasterJobs(channel, {
      ...this.opts.jobs,
      log,
      started: () => this.started(child),
      ready: () => this.ready(child),
    });
    jobs.serve((reason) => {
      channelClosed();
      if (reason === undefined || this.child !== child) return;
      // Input the master cannot frame: the worker is broken (or hostile). A fresh one gets a clean channel.
      log.error({ event: 'worker-channel', reason }, `unusable channel from the worker: ${reason}; killing it`);
      child.kill('SIGKILL');
    });
    channel.send(this.hello);
    if (child.pid !== undefined) {
      log.info({ event: 'privilege', user: spec.user.name, uid: spec.user.uid, gid: spec.user.gid, worker: child.pid }, `worker ${child.pid} runs as ${spec.user.name}`);
    }
  }

  /** SIGTERM/SIGINT stop the worker (and then the master); SIGHUP is passed on. */
  signal(sig: NodeJS.Signals): void {
    if (sig === 'SIGHUP') {
      if (this.child !== undefined && this.childStarted && this.stopping === undefined) this.child.kill('SIGHUP');
      return;
    }
    if (sig !== 'SIGTERM' && sig !== 'SIGINT') return;
    if (this.stopping !== undefined) return;
    this.stopping = sig;
    if (this.restartTimer !== undefined) clearTimeout(this.restartTimer);
    if (this.child === undefined) {
      this.finish(0);
      return;
    }
    // A worker that has not yet set up its handlers would die of the default action: it gets the signal
    // once it says it is started (or never, if it exits first).
    if (this.childStarted) this.child.kill(sig);
    this.killTimer = setTimeout(() => {
      this.opts.log.error({ event: 'worker-kill', pid: this.child?.pid }, 'the worker did not stop in time; killing it');
      this.child?.kill('SIGKILL');
    }, this.opts.stopTimeoutMs);
  }

  private started(child: ChildProcess): void {
    if (child !== this.child) return;
    this.childStarted = true;
    if (this.stopping !== undefined) child.kill(this.stopping);
  }

  private ready(child: ChildProcess): void {
    if (child !== this.child) return;
    this.everReady = true;
    this.opts.log.info({ event: 'worker-ready', worker: child.pid }, `worker ${child.pid} is serving`);
  }

  private exited(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== this.child) return;
    this.child = undefined;
    const status = statusOf(code, signal);
    const { log } = this.opts;
    if (this.stopping !== undefined) {
      if (this.killTimer !== undefined) clearTimeout(this.killTimer);
      log.info({ event: 'worker-exit', worker: child.pid, code, signal }, `worker ${child.pid} stopped`);
      this.finish(status);
      return;
    }
    if (!this.everReady) {
      // The first worker never came up: a configuration or start-up error it has reported itself.
      log.error({ event: 'worker-exit', worker: child.pid, code, signal }, `worker ${child.pid} failed to start`);
      this.finish(status);
      return;
    }
    if (Date.now() - this.childSince >= (this.opts.stableMs ?? STABLE_MS)) this.failures = 0;
    const delays = this.opts.backoffMs ?? BACKOFF_MS;
    const delay = delays[Math.min(this.failures, delays.length - 1)]!;
    this.failures++;
    log.error({ event: 'worker-exit', worker: child.pid, code, signal, restartInMs: delay }, `worker ${child.pid} died unexpectedly; restarting it in ${delay} ms`);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopping === undefined) this.start();
    }, delay);
  }
}
