// The load generator: N sessions sending back to back, a warm-up, then a measured window that ends
// after a number of messages or a duration. A message belongs to the window if its MAIL was sent
// inside it; when the window closes no new transaction starts, the ones in flight are waited for,
// and the window ends with the last of them. Hooks let the caller sample the server at both ends.

import { LoadCounters } from './counters.js';
import { LatencyRecorder, type LatencySummary } from './latency.js';
import type { Wire } from './message.js';
import { selfCpuUs } from './proc.js';
import { CLAIM_MEASURED, CLAIM_NONE, CLAIM_WARMUP, LoadSession, type SessionControl } from './session.js';

export interface LoadOptions {
  host: string;
  port: number;
  sessions: number;
  rcptsPerMessage: number;
  perConn: number;
  /** Messages to send in the measured window; when unset, `durationSec` applies. */
  messages?: number;
  durationSec: number;
  warmupSec: number;
  pipelining: boolean;
  /** How long to wait for any one reply; also how long the run may go without progress. */
  timeoutMs: number;
  /** Source addresses to spread the connections over (round robin); none: the system's choice. */
  localAddresses?: readonly string[];
}

export interface LoadHooks {
  /** Called synchronously as the measured window opens. */
  windowStart?: () => void;
  /** Called synchronously as the measured window closes (before any session quits). */
  windowEnd?: () => void;
}

export interface LoadResult {
  counters: LoadCounters;
  latency: LatencySummary;
  /** Transactions started in the window (accepted + failed + cut by protocol errors). */
  started: number;
  elapsedMs: number;
  generatorCpuUs: number;
  /** Whether the server offered PIPELINING (undefined: no EHLO was ever answered). */
  pipeliningOffered: boolean | undefined;
  pipeliningUsed: boolean;
  /** Set when the run was cut short. */
  aborted?: string;
}

const QUIT_GRACE_MS = 5000;

export function runLoad(opts: LoadOptions, wire: Wire, hooks: LoadHooks = {}): Promise<LoadResult> {
  return new Promise((resolve) => new LoadRun(opts, wire, hooks, resolve).begin());
}

class LoadRun implements SessionControl {
  readonly host: string;
  readonly port: number;
  readonly rcptsPerMessage: number;
  readonly perConn: number;
  readonly pipelining: boolean;
  readonly timeoutMs: number;
  counters = new LoadCounters();
  stopping = false;

  private phase: 'warmup' | 'measure' | 'drain' | 'done' = 'warmup';
  private readonly latency = new LatencyRecorder();
  private readonly sessions: LoadSession[] = [];
  private open = 0;
  private claimed = 0;
  private inFlight = 0;
  private windowStartMs = 0;
  private windowEndMs = 0;
  private cpuStart = 0;
  private cpuEnd = 0;
  private lastProgressMs = 0;
  private offeredPipelining: boolean | undefined;
  private aborted: string | undefined;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly opts: LoadOptions,
    readonly wire: Wire,
    private readonly hooks: LoadHooks,
    private readonly resolve: (r: LoadResult) => void,
  ) {
    this.host = opts.host;
    this.port = opts.port;
    this.rcptsPerMessage = opts.rcptsPerMessage;
    this.perConn = opts.perConn;
    this.pipelining = opts.pipelining;
    this.timeoutMs = opts.timeoutMs;
  }

  begin(): void {
    this.lastProgressMs = performance.now();
    const addrs = this.opts.localAddresses ?? [];
    for (let i = 0; i < this.opts.sessions; i++) {
      // Sessions start at different recipients so that concurrent messages go to different users.
      const s = new LoadSession(this, addrs.length > 0 ? addrs[i % addrs.length] : undefined, i);
      this.sessions.push(s);
    }
    this.open = this.sessions.length;
    if (this.opts.warmupSec <= 0) this.startWindow();
    else this.timers.push(setTimeout(() => this.startWindow(), this.opts.warmupSec * 1000));
    this.timers.push(setInterval(() => this.watchdog(), 1000));
    for (const s of this.sessions) s.start();
  }

  private startWindow(): void {
    if (this.phase !== 'warmup') return;
    this.hooks.windowStart?.();
    this.counters = new LoadCounters();
    this.latency.reset();
    this.phase = 'measure';
    this.windowStartMs = performance.now();
    this.cpuStart = selfCpuUs();
    if (this.opts.messages === undefined) {
      this.timers.push(setTimeout(() => this.closeWindow(), this.opts.durationSec * 1000));
    }
  }

  /** No new transactions; the window ends when the ones in flight have ended. */
  private closeWindow(): void {
    if (this.phase !== 'measure') return;
    this.phase = 'drain';
    this.stopping = true;
    if (this.inFlight === 0) this.endWindow();
  }

  private endWindow(): void {
    if (this.windowEndMs !== 0) return;
    this.windowEndMs = performance.now();
    this.cpuEnd = selfCpuUs();
    this.hooks.windowEnd?.();
    this.stopping = true;
    // Idle sessions (between reconnects) notice `stopping` themselves; busy ones quit after their
    // current reply. Whatever has not closed after the grace period is cut.
    this.timers.push(setTimeout(() => this.finish(), QUIT_GRACE_MS));
  }

  private watchdog(): void {
    if (this.phase === 'done') return;
    if (performance.now() - this.lastProgressMs > this.timeoutMs) {
      this.aborted = `no progress for ${Math.round(this.timeoutMs / 1000)} s`;
      if (this.phase === 'warmup') this.startWindow();
      this.phase = 'drain';
      this.stopping = true;
      this.inFlight = 0;
      this.endWindow();
      this.finish();
    }
  }

  claim(): number {
    switch (this.phase) {
      case 'warmup':
        return CLAIM_WARMUP;
      case 'measure':
        if (this.opts.messages !== undefined && this.claimed >= this.opts.messages) {
          this.closeWindow();
          return CLAIM_NONE;
        }
        this.claimed++;
        this.inFlight++;
        return CLAIM_MEASURED;
      default:
        return CLAIM_NONE;
    }
  }

  finished(claim: number, accepted: boolean, latencyMs: number): void {
    this.lastProgressMs = performance.now();
    if (claim !== CLAIM_MEASURED) return;
    if (accepted) {
      this.counters.accepted++;
      this.latency.record(latencyMs);
    }
    this.inFlight--;
    if (this.opts.messages !== undefined && this.claimed >= this.opts.messages && this.phase === 'measure') this.closeWindow();
    else if (this.phase === 'drain' && this.inFlight === 0) this.endWindow();
  }

  offered(pipelining: boolean): void {
    this.offeredPipelining = pipelining;
  }

  progress(): void {
    this.lastProgressMs = performance.now();
  }

  closed(): void {
    this.open--;
    if (this.open === 0 && this.windowEndMs !== 0) this.finish();
  }

  private finish(): void {
    if (this.phase === 'done') return;
    this.phase = 'done';
    for (const t of this.timers) clearTimeout(t);
    for (const s of this.sessions) s.stop();
    this.resolve({
      counters: this.counters,
      latency: this.latency.summary(),
      started: this.claimed,
      elapsedMs: this.windowEndMs - this.windowStartMs,
      generatorCpuUs: this.cpuEnd - this.cpuStart,
      pipeliningOffered: this.offeredPipelining,
      pipeliningUsed: this.pipelining && this.offeredPipelining === true,
      ...(this.aborted === undefined ? {} : { aborted: this.aborted }),
    });
  }
}
