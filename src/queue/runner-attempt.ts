// One delivery attempt of one message, which the caller has locked and read afresh
// (queue-and-bounces.md §4–§6, aliases-forward.md §8):
//
// 1. the message's timeouts: past Timeout.queuereturn every pending recipient fails with 4.4.7;
// 2. otherwise routing expands the pending envelope recipients, and each final delivery (its key) not
//    already delivered or failed is made: agent jobs through the DeliveryService (sharing the runner's
//    delivery slots), routing's failures and deferrals as they are, remote addresses through the
//    RemoteService (all of them in one request per envelope sender, which groups them per next hop;
//    deferred with REMOTE_NOT_YET when there is none);
// 3. every outcome is recorded as soon as it is known (the checkpoint: a crash repeats only the
//    deliveries in flight);
// 4. the reports this attempt calls for are committed as new messages (failures not yet reported,
//    even from an attempt a crash cut short; successes asked for; the delay warning once);
// 5. one last state record: the envelope recipients' status, attempts, the reported marks, and `done`
//    when nothing is pending and everything is reported (or `lost` for an undeliverable double bounce).
//
// When an attempt has a single delivery job (one agent job, or one remote request) and, once it has
// answered, no report is due, that job's outcome is the last thing that happens before step 5: it is
// written in the last state record instead of one of its own (half the state records of the common
// case). Whenever a report is due the outcome is written first, as the checkpoint before the report.

import type { DsnOutcome } from '../bounce/index.js';
import { durationWords } from '../bounce/index.js';
import type { DeliveryService } from '../deliver/agent-protocol.js';
import type { Expanded, StatusText } from '../route/types.js';
import type { Envelope } from './envelope.js';
import { errorMessage } from './errors.js';
import { jobFor } from './runner-jobs.js';
import { delayText, outcome, outcomeLine, outcomeOfResult, REMOTE_NOT_YET, routingFailed, statText } from './runner-outcome.js';
import { dsnOutcome, queueReports } from './runner-reports.js';
import type { Slots } from './runner-slots.js';
import type { Expander, RemoteRecipient, RemoteResult, RemoteService, RunnerLog, RunnerSettings } from './runner-types.js';
import { classTimeouts, priority, queueTimeouts } from './schedule.js';
import type { Spool } from './spool.js';
import { applyStateUpdate, type DeliveryState, type DeliveryUpdate, type MessageState, type RecipientUpdate, type StateUpdate } from './state.js';

export interface AttemptContext {
  spool: Spool;
  delivery: DeliveryService;
  expand: Expander;
  remote?: RemoteService;
  settings: RunnerSettings;
  log: RunnerLog;
  slots: Slots;
  now: () => number;
}

export interface AttemptSummary {
  delivered: number;
  failed: number;
  deferred: number;
  /** Reports queued by this attempt. */
  reports: number;
  done: boolean;
  lost?: string;
}

export interface AttemptOptions {
  /** Return the message now whatever its age (-OTimeout.queuereturn=now on a queue run). */
  expireNow?: boolean;
}

/** Keys of the success report for an envelope recipient expanded into several deliveries. */
const EXPANDED_PREFIX = 'expanded:';

function isPending(status: string): boolean {
  return status === 'pending' || status === 'deferred';
}

class Attempt {
  private readonly work: MessageState;
  private readonly pri: number;
  private readonly start: number;
  private readonly summary: AttemptSummary = { delivered: 0, failed: 0, deferred: 0, reports: 0, done: false };
  /** Set when this attempt has exactly one delivery job: its outcome may go into the last record. */
  private soleJob = false;
  /** The sole job's outcome, applied to `work` but not yet written (see step 5 above). */
  private held: { update: StateUpdate; started: number; extra: ReadonlyMap<string, Record<string, string>> | undefined } | undefined;

  constructor(
    private readonly ctx: AttemptContext,
    private readonly env: Envelope,
    state: MessageState,
    private readonly data: Buffer,
  ) {
    this.work = structuredClone(state);
    this.start = ctx.now();
    this.pri = priority(env, state, ctx.settings.schedule);
  }

  private update(fields: Omit<StateUpdate, 'version' | 'id' | 'at'>): StateUpdate {
    const u: StateUpdate = { version: 1, id: this.env.id, at: this.ctx.now(), ...fields };
    applyStateUpdate(this.work, u);
    return u;
  }

  /** Records outcomes durably (the checkpoint) and logs one line for each. */
  private async record(outcomes: DeliveryUpdate[], started = this.start, extra?: ReadonlyMap<string, Record<string, string>>): Promise<void> {
    if (outcomes.length === 0) return;
    await this.ctx.spool.appendState(this.update({ deliveries: outcomes }));
    for (const o of outcomes) this.logDelivery(o, started, extra?.get(o.key));
  }

  /** A delivery job's outcomes: recorded now, or held for the last record when the job is the attempt's only one. */
  private async recordJob(outcomes: DeliveryUpdate[], started: number, extra?: ReadonlyMap<string, Record<string, string>>): Promise<void> {
    if (!this.soleJob || outcomes.length === 0) return this.record(outcomes, started, extra);
    this.soleJob = false;
    this.held = { update: this.update({ deliveries: outcomes }), started, extra };
  }

  /** `extra`: remote deliveries' relay= and TLS facts, shown before dsn= as sendmail does with relay=. */
  private logDelivery(o: DeliveryUpdate, started: number, extra: Record<string, string> = {}): void {
    const now = this.ctx.now();
    if (o.status === 'delivered') this.summary.delivered++;
    else if (o.status === 'failed') this.summary.failed++;
    else this.summary.deferred++;
    const rcpt = this.env.recipients[o.recipient]?.address ?? '';
    const to = o.actual ?? o.final ?? rcpt;
    const shownTo = to.startsWith('|') || to.startsWith('/') ? to : `<${to}>`;
    const ctladdr = rcpt !== '' && rcpt !== to ? `<${rcpt}>` : undefined;
    const stat = statText(o);
    const fields = {
      event: 'delivery',
      qid: this.env.id,
      to: shownTo,
      ...(ctladdr !== undefined ? { ctladdr } : {}),
      delay: delayText(now - this.env.created),
      xdelay: delayText(now - started),
      mailer: o.mailer ?? 'local',
      pri: this.pri,
      ...extra,
      dsn: o.enh ?? '',
      stat,
    };
    const more = Object.entries(extra).map(([k, v]) => `, ${k}=${v}`).join('');
    const line =
      `${this.env.id}: to=${shownTo}${ctladdr !== undefined ? `, ctladdr=${ctladdr}` : ''}, delay=${fields.delay}, ` +
      `xdelay=${fields.xdelay}, mailer=${fields.mailer}, pri=${this.pri}${more}, dsn=${fields.dsn}, stat=${stat}`;
    this.ctx.log.info(fields, line);
  }

  async run(opts: AttemptOptions): Promise<AttemptSummary> {
    const s = this.ctx.settings;
    const t = queueTimeouts(this.env, this.work, s.schedule, this.start);
    const pending = this.work.recipients.flatMap((r, i) => (isPending(r.status) ? [i] : []));
    /** Keys that decide each pending recipient's status in this attempt. */
    let keys: Set<string>;
    if (pending.length > 0 && (t.expire || opts.expireNow === true)) keys = await this.expire(pending);
    else keys = await this.deliver(pending);
    return this.finish(pending, keys, t.warn);
  }

  /** Timeout.queuereturn: each pending delivery (or recipient never expanded) fails with 4.4.7. */
  private async expire(pending: number[]): Promise<Set<string>> {
    const words = durationWords(classTimeouts(this.env, this.ctx.settings.schedule).ret);
    const text = `Message could not be delivered for ${words}`;
    const outcomes: DeliveryUpdate[] = [];
    for (const r of pending) {
      const deferred = [...this.work.deliveries.values()].filter((d) => d.recipient === r && d.status === 'deferred');
      if (deferred.length > 0) {
        for (const { at: _at, reported: _reported, ...d } of deferred) outcomes.push({ ...d, status: 'failed', enh: '4.4.7' });
      } else {
        const address = this.env.recipients[r]?.address ?? '';
        outcomes.push({ key: `expired:${r}`, recipient: r, status: 'failed', enh: '4.4.7', text, final: address, mailer: 'local' });
      }
    }
    await this.record(outcomes);
    return new Set(outcomes.map((o) => o.key));
  }

  private async deliver(pending: number[]): Promise<Set<string>> {
    const keys = new Set<string>();
    if (pending.length === 0) return keys;
    let expanded: Expanded[];
    try {
      expanded = await this.ctx.expand(this.env, pending);
    } catch (err) {
      this.ctx.log.error({ event: 'routing-error', qid: this.env.id, err }, `${this.env.id}: routing failed: ${errorMessage(err)}`);
      const outcomes = pending.map((r): DeliveryUpdate => {
        const reply = routingFailed(errorMessage(err));
        return { key: `routing:${r}`, recipient: r, status: 'deferred', code: reply.code, enh: reply.enh, text: reply.text, final: this.env.recipients[r]?.address ?? '', mailer: 'local' };
      });
      await this.record(outcomes);
      return new Set(outcomes.map((o) => o.key));
    }
    const immediate: DeliveryUpdate[] = [];
    const jobs: Array<Promise<void>> = [];
    const remotes: Expanded[] = [];
    for (const e of expanded) {
      if (keys.has(e.key)) continue;
      keys.add(e.key);
      const prev = this.work.deliveries.get(e.key);
      // Each final delivery happens once per message (§8 rule 7), across attempts and crashes too.
      if (prev !== undefined && prev.status !== 'deferred') continue;
      if (e.failed !== undefined) immediate.push(outcome(e, 'failed', e.failed));
      else if (e.deferred !== undefined) immediate.push(outcome(e, 'deferred', e.deferred));
      else if (e.delivery === undefined) immediate.push(outcome(e, 'deferred', routingFailed('no delivery for this recipient')));
      else if (e.delivery.kind === 'remote') {
        if (this.ctx.remote === undefined) immediate.push(outcome(e, 'deferred', REMOTE_NOT_YET));
        else remotes.push(e);
      }
      // Mailbox deliveries take no slot: the delivery service batches them per mailbox and limits its agents.
      else jobs.push(e.delivery.kind === 'mailbox' ? this.runJob(e) : this.ctx.slots.run(() => this.runJob(e)));
    }
    for (const r of pending) {
      const rcpt = this.env.recipients[r];
      if (rcpt?.notify?.includes('SUCCESS') !== true) continue;
      // RFC 3461 §6.2.7.3: a recipient expanded into several deliveries is reported as "expanded".
      if (!expanded.some((e) => e.recipient === r && e.expanded === true)) continue;
      const key = `${EXPANDED_PREFIX}${r}`;
      if (this.work.deliveries.has(key)) continue;
      immediate.push({ key, recipient: r, status: 'delivered', enh: '2.0.0', text: 'expanded', final: rcpt.address, notify: rcpt.notify, mailer: 'local' });
    }
    const remote = this.ctx.remote;
    const remoteRequests = remote !== undefined ? new Set(remotes.map((e) => e.envelopeSender ?? this.env.sender)).size : 0;
    // Set before the first await: no job can have finished yet.
    this.soleJob = jobs.length + remoteRequests === 1;
    await this.record(immediate);
    if (remotes.length > 0 && remote !== undefined) jobs.push(this.runRemote(remote, remotes));
    await Promise.all(jobs);
    return keys;
  }

  /**
   * The remote deliveries of this attempt: one request per envelope sender (an owner-X list changes
   * it), all recipients at once so the service can put those for one next hop in one transaction.
   * They take one of the runner's delivery slots per request; the SMTP pool has its own limits.
   */
  private async runRemote(remote: RemoteService, list: Expanded[]): Promise<void> {
    const bySender = new Map<string, Expanded[]>();
    for (const e of list) {
      const sender = e.envelopeSender ?? this.env.sender;
      const group = bySender.get(sender);
      if (group === undefined) bySender.set(sender, [e]);
      else group.push(e);
    }
    await Promise.all([...bySender].map(([sender, es]) => this.ctx.slots.run(() => this.remoteRequest(remote, sender, es))));
  }

  private async remoteRequest(remote: RemoteService, sender: string, es: Expanded[]): Promise<void> {
    const started = this.ctx.now();
    const recipients = es.map((e): RemoteRecipient => {
      const rcpt = this.env.recipients[e.recipient];
      const notify = e.notify ?? rcpt?.notify;
      // ORCPT names the envelope recipient: passed on only when this delivery is that recipient itself.
      const orcpt = e.expanded === true ? undefined : rcpt?.orcpt;
      const address = e.delivery?.kind === 'remote' ? e.delivery.address : e.finalRecipient;
      return { key: e.key, address, ...(notify !== undefined ? { notify: [...notify] } : {}), ...(orcpt !== undefined ? { orcpt } : {}) };
    });
    let results: RemoteResult[];
    try {
      results = await remote.deliver({ envelope: this.env, sender, recipients, data: this.data });
    } catch (err) {
      const reply: StatusText = { code: 451, enh: '4.3.0', text: `remote delivery failed: ${errorMessage(err)}` };
      results = es.map((e) => ({ key: e.key, status: 'temp', reply }));
    }
    const byKey = new Map(results.map((r) => [r.key, r]));
    const extra = new Map<string, Record<string, string>>();
    const outcomes = es.map((e): DeliveryUpdate => {
      const r = byKey.get(e.key);
      if (r === undefined) return outcome(e, 'deferred', { code: 451, enh: '4.3.0', text: 'remote delivery gave no result for this recipient' });
      if (r.log !== undefined) extra.set(e.key, r.log);
      const status = r.status === 'sent' ? 'delivered' : r.status === 'temp' ? 'deferred' : 'failed';
      const more: Partial<DeliveryUpdate> = {
        ...(r.remoteMta !== undefined ? { remoteMta: r.remoteMta } : {}),
        ...(r.diagnostic !== undefined && r.status !== 'sent' ? { diagnostic: r.diagnostic } : {}),
        ...(r.transcript !== undefined && r.status !== 'sent' ? { transcript: r.transcript } : {}),
        // RFC 3461 §4.1: a server that takes NOTIFY on reports success itself; else ours says `relayed`.
        ...(r.status === 'sent' ? (r.dsnPassedOn === true ? { reported: true } : { relayed: true }) : {}),
      };
      return outcome(e, status, r.reply, more);
    });
    await this.recordJob(outcomes, started, extra);
  }

  private async runJob(e: Expanded): Promise<void> {
    const d = e.delivery;
    if (d === undefined || d.kind === 'remote') return;
    const started = this.ctx.now();
    const rcpt = this.env.recipients[e.recipient]?.address ?? e.finalRecipient;
    const job = jobFor(d, { id: this.env.id, sender: e.envelopeSender ?? this.env.sender, recipient: rcpt, created: this.env.created }, this.ctx.settings.jobs);
    let o: DeliveryUpdate;
    try {
      o = outcomeOfResult(e, await this.ctx.delivery.run(job, this.data));
    } catch (err) {
      o = outcome(e, 'deferred', { code: 451, enh: '4.3.0', text: `delivery failed: ${errorMessage(err)}` });
    }
    await this.recordJob([o], started);
  }

  private async finish(pending: number[], keys: Set<string>, warn: boolean): Promise<AttemptSummary> {
    const recipients: RecipientUpdate[] = [];
    let firstDeferral: string | undefined;
    for (const r of pending) {
      const ds = [...this.work.deliveries.values()].filter((d) => d.recipient === r && keys.has(d.key) && !d.key.startsWith(EXPANDED_PREFIX));
      const deferred = ds.find((d) => d.status === 'deferred');
      const failed = ds.find((d) => d.status === 'failed');
      if (deferred !== undefined) {
        const line = outcomeLine(deferred);
        firstDeferral ??= line;
        recipients.push({ index: r, status: 'deferred', text: line });
      } else if (ds.some((d) => d.status === 'delivered')) recipients.push({ index: r, status: 'delivered' });
      else if (failed !== undefined) recipients.push({ index: r, status: 'failed', text: outcomeLine(failed) });
      // Expanded to no recipients (aliases-forward.md §8 rule 12): nothing to deliver, nothing to report.
      else recipients.push({ index: r, status: 'delivered', text: 'expanded to no recipients' });
    }
    const unreported = [...this.work.deliveries.values()].filter((d) => !d.reported && d.status !== 'deferred');
    const outcomes: DsnOutcome[] = unreported.map((d) => dsnOutcome(this.env, d, this.actionOf(d)));
    if (warn) {
      for (const d of this.work.deliveries.values()) if (d.status === 'deferred' && keys.has(d.key)) outcomes.push(dsnOutcome(this.env, d, 'delayed'));
    }
    // The sole job's outcome goes into the last record only when no report can follow from this attempt
    // (a success without NOTIFY=SUCCESS reports nothing); otherwise it is the checkpoint before the reports.
    const held = this.held;
    this.held = undefined;
    const merge = held !== undefined && outcomes.every((o) => o.action !== 'failed' && o.action !== 'delayed' && o.notify?.includes('SUCCESS') !== true);
    if (held !== undefined && !merge) {
      await this.ctx.spool.appendState(held.update);
      this.logHeld(held);
    }
    let reported = false;
    let lost: string | undefined;
    try {
      const r = await queueReports({ ...this.ctx, now: this.ctx.now() }, this.env, this.data, outcomes);
      this.summary.reports = r.queued.length;
      lost = r.lost;
      reported = true;
    } catch (err) {
      // Nothing is marked reported: the next attempt tries again (a duplicate report at worst).
      this.ctx.log.error({ event: 'dsn-failed', qid: this.env.id, err }, `${this.env.id}: cannot queue a delivery status notification: ${errorMessage(err)}`);
    }
    const stillPending = this.work.recipients.some((x, i) => {
      const u = recipients.find((y) => y.index === i);
      return isPending(u?.status ?? x.status);
    });
    const done = reported && lost === undefined && !stillPending;
    const marks = reported ? unreported.map((d): DeliveryUpdate => ({ key: d.key, recipient: d.recipient, reported: true })) : [];
    if (merge && held !== undefined) {
      // The held outcomes first (with the time they were reached), the marks of their keys folded in.
      const heldKeys = new Set<string>();
      const at = held.update.at;
      const heldDeliveries = (held.update.deliveries ?? []).map((d): DeliveryUpdate => {
        heldKeys.add(d.key);
        return marks.some((m) => m.key === d.key) ? { ...d, at, reported: true } : { ...d, at };
      });
      marks.splice(0, marks.length, ...heldDeliveries, ...marks.filter((m) => !heldKeys.has(m.key)));
    }
    await this.ctx.spool.appendState(
      this.update({
        attempts: this.work.attempts + 1,
        lastAttempt: this.start,
        recipients,
        ...(firstDeferral !== undefined ? { status: `Deferred: ${firstDeferral}` } : {}),
        ...(warn && reported ? { warningSent: true } : {}),
        ...(marks.length > 0 ? { deliveries: marks } : {}),
        ...(lost !== undefined ? { lost } : {}),
        ...(done ? { done: true } : {}),
      }),
    );
    if (merge && held !== undefined) this.logHeld(held);
    this.summary.done = done;
    if (lost !== undefined) this.summary.lost = lost;
    return this.summary;
  }

  private logHeld(held: { update: StateUpdate; started: number; extra: ReadonlyMap<string, Record<string, string>> | undefined }): void {
    for (const o of held.update.deliveries ?? []) this.logDelivery(o, held.started, held.extra?.get(o.key));
  }

  private actionOf(d: DeliveryState): DsnOutcome['action'] {
    if (d.key.startsWith(EXPANDED_PREFIX)) return 'expanded';
    if (d.status === 'delivered' && d.relayed === true) return 'relayed';
    return d.status === 'failed' ? 'failed' : 'delivered';
  }
}

/** Makes one delivery attempt of a locked message whose state was read after locking. */
export function attemptMessage(ctx: AttemptContext, envelope: Envelope, state: MessageState, data: Buffer, opts: AttemptOptions = {}): Promise<AttemptSummary> {
  return new Attempt(ctx, envelope, state, data).run(opts);
}
