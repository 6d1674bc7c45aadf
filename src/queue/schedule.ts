// The queue's clock (queue-and-bounces.md §2.5 and §5): priority, when a message is next tried, and
// when it is old enough for a delay warning or to be returned. Every function is a pure function of
// its arguments, time included, so the queue runner, mailq and the tests agree on every instant.

import type { Envelope } from './envelope.js';
import type { MessageState } from './state.js';

/**
 * The options the schedule reads, under their sendmail names and in the config's units (durations in
 * ms), so the effective configuration's `options` object fits as it is; `precedence` is the P-line
 * table (EffectiveConfig.precedence).
 */
export interface ScheduleOptions {
  MinQueueAge: number;
  MaxQueueAge: number;
  ClassFactor: number;
  RecipientFactor: number;
  RetryFactor: number;
  'Timeout.queuewarn.urgent': number;
  'Timeout.queuewarn.normal': number;
  'Timeout.queuewarn.non-urgent': number;
  'Timeout.queuewarn.dsn': number;
  'Timeout.queuereturn.urgent': number;
  'Timeout.queuereturn.normal': number;
  'Timeout.queuereturn.non-urgent': number;
  'Timeout.queuereturn.dsn': number;
  precedence: Readonly<Record<string, number>>;
}

/** Precedence class of a message: its `Precedence:` value looked up in the P lines, 0 if unknown. */
export function precedenceClass(envelope: Pick<Envelope, 'precedence'>, table: Readonly<Record<string, number>>): number {
  if (envelope.precedence === undefined) return 0;
  const name = envelope.precedence.trim().toLowerCase();
  return Object.prototype.hasOwnProperty.call(table, name) ? (table[name] ?? 0) : 0;
}

/** Lower value = processed earlier (op.me §4.3). Grows by RetryFactor with every attempt made. */
export function priority(envelope: Envelope, state: Pick<MessageState, 'attempts'>, opts: ScheduleOptions): number {
  return (
    envelope.size -
    precedenceClass(envelope, opts.precedence) * opts.ClassFactor +
    envelope.recipients.length * opts.RecipientFactor +
    state.attempts * opts.RetryFactor
  );
}

/** How long to wait after attempt `n` (n ≥ 1): MinQueueAge doubled per attempt, capped at MaxQueueAge. */
export function retryDelay(attempts: number, opts: Pick<ScheduleOptions, 'MinQueueAge' | 'MaxQueueAge'>): number {
  if (attempts < 1) return 0;
  if (opts.MaxQueueAge <= 0) return opts.MinQueueAge;
  // Doubling past the cap would only overflow: stop as soon as the cap is reached.
  let wait = opts.MinQueueAge;
  for (let i = 1; i < attempts && wait < opts.MaxQueueAge; i++) wait *= 2;
  return Math.min(wait, opts.MaxQueueAge);
}

/**
 * When the message may next be attempted (ms since the epoch): at once when it was never tried, else
 * the last attempt plus retryDelay(). A last attempt in the future (the clock was stepped back) counts
 * from `now`, so a message never waits longer than one interval. Infinity for a message that is never
 * tried again by the schedule: done, quarantined or set aside as lost.
 */
export function nextAttemptAt(
  state: MessageState,
  envelope: Envelope,
  opts: Pick<ScheduleOptions, 'MinQueueAge' | 'MaxQueueAge'>,
  now: number,
): number {
  if (state.done || state.quarantine !== undefined || state.lost !== undefined) return Infinity;
  if (state.attempts === 0 || state.lastAttempt === undefined) return envelope.created;
  const from = Math.min(state.lastAttempt, now);
  return from + retryDelay(state.attempts, opts);
}

/** The message's turn has come (mailq marks a message that is not due with `-`). */
export function isDue(state: MessageState, envelope: Envelope, opts: Pick<ScheduleOptions, 'MinQueueAge' | 'MaxQueueAge'>, now: number): boolean {
  return nextAttemptAt(state, envelope, opts, now) <= now;
}

/** The timeout class of §5: `.dsn` for the null sender, else by precedence class. */
export type TimeoutClass = 'urgent' | 'normal' | 'non-urgent' | 'dsn';

export function timeoutClass(envelope: Pick<Envelope, 'sender' | 'precedence'>, table: Readonly<Record<string, number>>): TimeoutClass {
  if (envelope.sender === '') return 'dsn';
  const c = precedenceClass(envelope, table);
  return c > 0 ? 'urgent' : c < 0 ? 'non-urgent' : 'normal';
}

/** Timeout.queuewarn and Timeout.queuereturn (ms) that apply to this message. */
export function classTimeouts(envelope: Pick<Envelope, 'sender' | 'precedence'>, opts: ScheduleOptions): { warn: number; ret: number; cls: TimeoutClass } {
  const cls = timeoutClass(envelope, opts.precedence);
  return { warn: opts[`Timeout.queuewarn.${cls}`], ret: opts[`Timeout.queuereturn.${cls}`], cls };
}

export interface QueueTimeouts {
  /** Send the delay warning now (whether a DSN goes out is dsnTargets' decision); then set warningSent. */
  warn: boolean;
  /** Return the message now: every pending recipient fails with 4.4.7. */
  expire: boolean;
  /** When the warning is due and when the message expires (ms since the epoch; Infinity = never). */
  warnAt: number;
  expireAt: number;
  cls: TimeoutClass;
}

function hasPending(state: MessageState): boolean {
  return state.recipients.some((r) => r.status === 'pending' || r.status === 'deferred');
}

/**
 * Which of the two message timeouts has run out. Timeout.queuereturn 0 is `now` (op.me §4.1.3): every
 * message expires whatever its age. Timeout.queuewarn 0 means no warning (as in sendmail). Expiry wins
 * over the warning; the warning is given once (state.warningSent).
 */
export function queueTimeouts(envelope: Envelope, state: MessageState, opts: ScheduleOptions, now: number): QueueTimeouts {
  const { warn, ret, cls } = classTimeouts(envelope, opts);
  const warnAt = warn > 0 ? envelope.created + warn : Infinity;
  const expireAt = ret > 0 ? envelope.created + ret : -Infinity;
  const pending = !state.done && hasPending(state);
  const expire = pending && now >= expireAt;
  return {
    warn: pending && !expire && !state.warningSent && now >= warnAt,
    expire,
    warnAt,
    expireAt: Math.max(expireAt, envelope.created),
    cls,
  };
}

export type QueueSortOrder = 'priority' | 'filename' | 'time' | 'random' | 'modification' | 'none' | 'host';

export interface Queued {
  envelope: Envelope;
  state: MessageState;
}

/** 32-bit FNV-1a of the id mixed with a seed: a per-run shuffle that needs no random source here. */
function shuffleKey(id: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * A comparator for QueueSortOrder (§2.5). `host` sorts by priority in v1; `none` keeps the order the
 * messages were found in (Array.prototype.sort is stable); `random` shuffles by `seed` (pass a new
 * one per run). Ties are broken by queue id so the order is total.
 */
export function queueComparator(order: QueueSortOrder, opts: ScheduleOptions, seed = 0): (a: Queued, b: Queued) => number {
  const byId = (a: Queued, b: Queued): number => (a.envelope.id < b.envelope.id ? -1 : a.envelope.id > b.envelope.id ? 1 : 0);
  const by = (key: (q: Queued) => number) => (a: Queued, b: Queued): number => key(a) - key(b) || byId(a, b);
  switch (order) {
    case 'priority':
    case 'host':
      return by((q) => priority(q.envelope, q.state, opts));
    case 'filename':
      return byId;
    case 'time':
      return by((q) => q.envelope.created);
    case 'modification':
      return by((q) => q.state.updated);
    case 'random':
      return by((q) => shuffleKey(q.envelope.id, seed));
    case 'none':
      return () => 0;
  }
}
