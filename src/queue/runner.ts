// The queue runner (queue-and-bounces.md §4): attempts every message as soon as its commit resolved
// (unless DeliveryMode is `queue`), runs the whole queue at start and every QueueInterval (messages
// whose retry time has come, in QueueSortOrder), and on ETRN. Up to MaxRunnersPerQueue deliveries are
// in flight at once; local mailbox deliveries are not counted there (the delivery service batches them
// per mailbox and limits its own agents), and so that they can be batched more messages are worked on
// at once: MaxRunnersPerQueue, and up to SPREAD_MESSAGES while their data is small.
//
// Every message is locked before it is looked at (locks/<qid>): a second runner — another daemon on the
// same queue, a `sendmail -q` — skips it. After locking, the message's state is read afresh, so a
// delivery another runner finished just before is never made again. Quarantined, finished and lost
// messages are never attempted. After a queue run, finished segments are compacted away.

import { compact } from './compaction.js';
import type { Envelope } from './envelope.js';
import { errorMessage } from './errors.js';
import { MessageLocks } from './message-lock.js';
import { SpoolReader } from './reader.js';
import type { MessageState } from './state.js';
import { attemptMessage, type AttemptContext, type AttemptSummary } from './runner-attempt.js';
import { Slots } from './runner-slots.js';
import type { Expander, RemoteService, RunnerDeps, RunnerSettings } from './runner-types.js';
import { isDue, queueComparator } from './schedule.js';

export interface RunFilter {
  /** Only messages with a recipient containing this text (case-insensitive): ETRN, -qR. */
  recipient?: string;
  /** Ignore the retry schedule (filtered runs, ETRN: op.me §3.3). */
  force?: boolean;
  /** Return every message processed now (-OTimeout.queuereturn=now). */
  expireNow?: boolean;
  /** Only messages this accepts (the command line's -qI/-qS/-qQ/-q! filters, `postern queue`). */
  match?: (m: { envelope: Envelope; state: MessageState }) => boolean;
}

export interface RunSummary {
  /** Messages taken into the run. */
  selected: number;
  attempted: number;
  /** Messages another runner held. */
  locked: number;
  /** Messages finished by this run. */
  finished: number;
}

/**
 * Messages received since the runner started, never attempted and younger than this, are left to the
 * in-process notification by a periodic run: a record read before its batch's fdatasync resolved could
 * still be cut off again. (What was in the queue at start has been through recovery: it is durable.)
 */
const FRESH_GRACE_MS = 5000;
/** Compaction after a queue run, at most this often. */
const COMPACT_EVERY_MS = 60_000;
/**
 * Messages worked on at once beyond MaxRunnersPerQueue, while their data fits IN_FLIGHT_BYTES: enough
 * for local deliveries to be batched, for state records to share their fdatasync, and for messages to be
 * routed and recorded while a Maildir's two agents write their batches and the next two wait at the
 * master (2 × 2 × 32), with as many again on their way. (The worker's delivery service keeps its jobs
 * within the master's in-flight limit: the excess waits there.)
 */
const SPREAD_MESSAGES = 192;
const IN_FLIGHT_BYTES = 16 << 20;

interface WorkItem {
  id: string;
  /** The message data's size, as known when it was chosen. */
  size: number;
  filter: RunFilter;
  done: (r: ItemResult) => void;
}

type ItemResult = 'attempted' | 'finished' | 'locked' | 'skipped';

export class QueueRunner {
  readonly reader: SpoolReader;
  private readonly locks: MessageLocks;
  private settings: RunnerSettings;
  private expand: Expander;
  private remote: RemoteService | undefined;
  private slots: Slots;
  private readonly now: () => number;
  private readonly fresh: WorkItem[] = [];
  private readonly runItems: WorkItem[] = [];
  /** Ids waiting or being worked on. */
  private readonly busy = new Set<string>();
  private workers = 0;
  /** Data bytes of the messages being worked on. */
  private workBytes = 0;
  private idle: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: Array<() => void> = [];
  private stopping = false;
  private running: Promise<RunSummary> | null = null;
  private lastCompaction = 0;
  private startedAt = 0;
  /** Finished-message count since the last compaction (a hint that compaction has work). */
  private finishedSince = 0;

  constructor(private readonly deps: RunnerDeps) {
    this.reader = new SpoolReader(deps.spool.dir);
    this.locks = new MessageLocks(deps.spool.dir);
    this.settings = deps.settings;
    this.expand = deps.expand;
    this.remote = deps.remote;
    this.slots = new Slots(deps.settings.parallel);
    this.now = deps.now ?? Date.now;
  }

  /** Starts listening for new mail and the periodic runs (the first one at once). */
  start(): void {
    this.startedAt = this.now();
    if (this.settings.immediate) {
      for (const s of this.deps.watch) this.unsubscribe.push(s.onCommit((e) => this.arrived(e)));
    }
    if (this.settings.queueIntervalMs > 0) {
      void this.runQueue();
      this.timer = setInterval(() => void this.runQueue(), this.settings.queueIntervalMs);
      this.timer.unref();
    }
  }

  /** SIGHUP: new settings and routing for the next attempts (remote delivery too, when given). */
  reload(settings: RunnerSettings, expand: Expander, remote?: RemoteService): void {
    const interval = this.settings.queueIntervalMs;
    this.settings = settings;
    this.expand = expand;
    if (remote !== undefined) this.remote = remote;
    this.slots = new Slots(settings.parallel);
    if (settings.queueIntervalMs !== interval && !this.stopping) {
      if (this.timer !== undefined) clearInterval(this.timer);
      this.timer = undefined;
      if (settings.queueIntervalMs > 0) {
        this.timer = setInterval(() => void this.runQueue(), settings.queueIntervalMs);
        this.timer.unref();
      }
    }
  }

  /** ETRN: `''` (the queue group) runs the queue; a host or domain forces its messages (§4, -qR@node). */
  etrn(node: string): void {
    if (this.stopping) return;
    void this.runQueue(node === '' ? {} : { recipient: `@${node}`, force: true });
  }

  /** Attempts a message at once (a commit resolved). */
  arrived(envelope: Envelope): void {
    if (this.stopping || envelope.quarantine !== undefined || this.busy.has(envelope.id)) return;
    this.busy.add(envelope.id);
    this.fresh.push({ id: envelope.id, size: envelope.size, filter: {}, done: () => undefined });
    this.pump();
  }

  /**
   * One queue run. Runs do not overlap: a run asked for while one is going waits for it, then runs
   * (requests made meanwhile share that next run when they are plain runs).
   */
  runQueue(filter: RunFilter = {}): Promise<RunSummary> {
    const go = (): Promise<RunSummary> => {
      const p = this.runOnce(filter).finally(() => {
        if (this.running === p) this.running = null;
      });
      this.running = p;
      return p;
    };
    if (this.running === null) return go();
    return this.running.then(go, go);
  }

  private async runOnce(filter: RunFilter): Promise<RunSummary> {
    const summary: RunSummary = { selected: 0, attempted: 0, locked: 0, finished: 0 };
    if (this.stopping) return summary;
    const s = this.settings;
    const now = this.now();
    let candidates;
    try {
      await this.reader.index.refresh();
      candidates = this.reader.index.all();
    } catch (err) {
      this.deps.log.error({ event: 'queue-run', err }, `queue run: cannot read the queue: ${errorMessage(err)}`);
      return summary;
    }
    const needle = filter.recipient?.toLowerCase();
    const chosen = candidates
      .filter(({ envelope: e, state: st }) => {
        if (st.done || st.lost !== undefined || st.quarantine !== undefined || this.busy.has(e.id)) return false;
        if (needle !== undefined && !st.recipients.some((r) => r.address.toLowerCase().includes(needle))) return false;
        if (filter.match !== undefined && !filter.match({ envelope: e, state: st })) return false;
        if (filter.force === true) return true;
        if (s.immediate && st.attempts === 0 && e.created >= this.startedAt && now - e.created < FRESH_GRACE_MS) return false;
        return isDue(st, e, s.schedule, now);
      })
      .sort(queueComparator(s.sortOrder, s.schedule, now));
    const limited = s.maxRunSize > 0 ? chosen.slice(0, s.maxRunSize) : chosen;
    summary.selected = limited.length;
    const results = limited.map(
      ({ envelope: e, loc }) =>
        new Promise<ItemResult>((done) => {
          this.busy.add(e.id);
          this.runItems.push({ id: e.id, size: loc.dataSize, filter, done });
        }),
    );
    this.pump();
    for (const r of await Promise.all(results)) {
      if (r === 'attempted' || r === 'finished') summary.attempted++;
      if (r === 'finished') summary.finished++;
      else if (r === 'locked') summary.locked++;
    }
    if (limited.length > 0) {
      this.deps.log.info({ event: 'queue-run', ...summary }, `queue run: ${summary.attempted} attempted, ${summary.finished} finished, ${summary.locked} locked by another runner`);
    }
    await this.maybeCompact();
    return summary;
  }

  private async maybeCompact(): Promise<void> {
    const now = this.now();
    if (this.stopping || this.finishedSince === 0 || now - this.lastCompaction < COMPACT_EVERY_MS) return;
    this.lastCompaction = now;
    this.finishedSince = 0;
    try {
      const r = await compact(this.deps.spool, this.reader.index);
      if (r.deleted.length > 0) {
        this.deps.log.info({ event: 'compaction', deleted: r.deleted.length, copied: r.copied }, `queue compaction: ${r.deleted.length} segment(s) removed, ${r.copied} message(s) copied`);
      }
    } catch (err) {
      this.deps.log.error({ event: 'compaction', err }, `queue compaction failed: ${errorMessage(err)}`);
    }
  }

  /** Whether one more message may be worked on now: within MaxRunnersPerQueue, or small enough to spread. */
  private admits(item: WorkItem): boolean {
    const p = this.settings.parallel;
    if (this.workers < p) return true;
    return this.workers < SPREAD_MESSAGES && this.workBytes + item.size <= IN_FLIGHT_BYTES;
  }

  private pump(): void {
    while (!this.stopping) {
      const next = this.fresh[0] ?? this.runItems[0];
      if (next === undefined || !this.admits(next)) break;
      const item = (this.fresh.shift() ?? this.runItems.shift())!;
      this.workers++;
      this.workBytes += item.size;
      void this.process(item)
        .catch((err: unknown) => {
          this.deps.log.error({ event: 'runner-error', qid: item.id, err }, `${item.id}: ${errorMessage(err)}`);
          return 'skipped' as const;
        })
        .then((r) => {
          this.workers--;
          this.workBytes -= item.size;
          this.busy.delete(item.id);
          item.done(r);
          this.pump();
          if (this.workers === 0) for (const w of this.idle.splice(0)) w();
        });
    }
  }

  private async process(item: WorkItem): Promise<ItemResult> {
    const lock = await this.locks.tryLock(item.id);
    if (lock === null) return 'locked';
    try {
      // Read after locking: whatever another runner did before it let go of the message is seen.
      await this.reader.index.refresh();
      const m = this.reader.index.get(item.id);
      if (m === undefined || m.state.done || m.state.lost !== undefined || m.state.quarantine !== undefined) return 'skipped';
      const s = this.settings;
      if (item.filter.force !== true && !isDue(m.state, m.envelope, s.schedule, this.now())) return 'skipped';
      const data = await this.reader.readData(item.id);
      const ctx: AttemptContext = {
        spool: this.deps.spool,
        delivery: this.deps.delivery,
        expand: this.expand,
        ...(this.remote !== undefined ? { remote: this.remote } : {}),
        settings: s,
        log: this.deps.log,
        slots: this.slots,
        now: this.now,
      };
      const r: AttemptSummary = await attemptMessage(ctx, m.envelope, m.state, data, { ...(item.filter.expireNow === true ? { expireNow: true } : {}) });
      if (!r.done) return 'attempted';
      this.finishedSince++;
      return 'finished';
    } finally {
      await lock.release();
    }
  }

  /** Whether the runner is working on nothing (tests, shutdown). */
  get isIdle(): boolean {
    return this.workers === 0 && this.fresh.length === 0 && this.runItems.length === 0;
  }

  /** Resolves when nothing is being worked on. */
  whenIdle(): Promise<void> {
    if (this.isIdle) return Promise.resolve();
    return new Promise((r) => this.idle.push(r));
  }

  /**
   * Stops taking work and waits up to `graceMs` for the attempts in flight. Messages that were only
   * waiting stay queued for the next start; an attempt cut short repeats only its delivery in flight.
   */
  async stop(graceMs = 30_000): Promise<void> {
    this.stopping = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    for (const u of this.unsubscribe.splice(0)) u();
    for (const item of [...this.fresh.splice(0), ...this.runItems.splice(0)]) {
      this.busy.delete(item.id);
      item.done('skipped');
    }
    if (this.workers === 0) return this.reader.index.closeFiles();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((r) => this.idle.push(r)),
      new Promise<void>((r) => {
        timer = setTimeout(r, graceMs);
        timer.unref();
      }),
    ]);
    clearTimeout(timer);
    if (this.workers === 0) this.reader.index.closeFiles();
  }
}
