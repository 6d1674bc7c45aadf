// Delivery state of a queued message. The message record itself is never rewritten: the queue runner
// appends StateUpdate records, and a reader folds them, in order, over the envelope to get the
// current MessageState (what sendmail keeps in the qf file's N, K, M, flag and recipient lines).

import { checkRecipient, type Envelope, type RecipientRecord } from './envelope.js';
import { errorMessage } from './errors.js';
import { isQueueId } from './queue-id.js';

export type RecipientStatus = 'pending' | 'deferred' | 'delivered' | 'failed';

export interface RecipientUpdate {
  /** Index into the message's recipient list (envelope recipients, then added ones). */
  index: number;
  status: RecipientStatus;
  /** Last status text for this recipient (mailq -v, DSN diagnostic). */
  text?: string;
}

/** Outcome of one final delivery (a mailbox, file, program or remote address after expansion). */
export type DeliveryStatus = 'delivered' | 'failed' | 'deferred';

/**
 * One final delivery of a message, identified by its duplicate-suppression key (aliases-forward.md §8
 * rule 7): recorded after every attempt at it, so that a delivered key is never attempted again and a
 * failure is reported exactly once, even across a crash. Fields present in an update replace the
 * earlier values (absolute, so a repeated record is harmless).
 */
export interface DeliveryUpdate {
  key: string;
  /** Index of the envelope recipient it came from. */
  recipient: number;
  status?: DeliveryStatus;
  /** Reply: SMTP code, enhanced status code and text. */
  code?: number;
  enh?: string;
  text?: string;
  /** DSN Final-Recipient (an address, or a path / |command for files and programs). */
  final?: string;
  /** DSN X-Actual-Recipient. */
  actual?: string;
  /** The return address for DSNs about this delivery when it is not the envelope sender (owner-X). */
  returnPath?: string;
  /** NOTIFY of this delivery (expanded addresses lose SUCCESS). */
  notify?: string[];
  /** Mailer that handled it (local, prog, *file*, esmtp): the log's mailer= and the DSN's diagnostic type. */
  mailer?: string;
  /** DSN Diagnostic-Code text when it is not the reply (a program's first line of output). */
  diagnostic?: string;
  /** DSN transcript lines (a program's output, smrsh's refusal). */
  transcript?: string[];
  /** DSN `(expanded from: <alias>)`. */
  expandedFrom?: string;
  /** The remote server that answered (DSN Remote-MTA); remote deliveries only. */
  remoteMta?: string;
  /** Handed to a remote server that does not pass DSNs on: a success report says `relayed`. */
  relayed?: boolean;
  /** The DSN this outcome calls for (failure or success) has been committed, or none was due. */
  reported?: boolean;
  /** When the outcome was reached, if not the update's own time (consolidated records). */
  at?: number;
}

/** A final delivery as it stands: the updates applied in order, with status, reported and time settled. */
export type DeliveryState = Omit<DeliveryUpdate, 'status' | 'reported' | 'at'> & {
  status: DeliveryStatus;
  reported: boolean;
  /** When the outcome was reached. */
  at: number;
};

export interface StateUpdate {
  version: 1;
  id: string;
  /** When the change was made (ms since the epoch); updates are applied in this order. */
  at: number;
  /** Attempts made so far (absolute, not an increment, so a repeated record does no harm). */
  attempts?: number;
  lastAttempt?: number;
  /** Last status text of the message: mailq's "(Deferred: ...)" line. */
  status?: string;
  warningSent?: boolean;
  /** A reason puts the message in quarantine; null releases it. */
  quarantine?: string | null;
  recipients?: RecipientUpdate[];
  /** Recipients found by expansion (primary: false), appended after the existing ones. */
  addRecipients?: RecipientRecord[];
  /** No recipient is pending any more: the message is finished and may be compacted away. */
  done?: boolean;
  /** Set aside by the runner (e.g. an undeliverable double bounce): never processed automatically. */
  lost?: string;
  /** Outcomes of final deliveries (the checkpoint after every delivery, §2.3). */
  deliveries?: DeliveryUpdate[];
}

export interface RecipientState extends RecipientRecord {
  status: RecipientStatus;
  text?: string;
}

export interface MessageState {
  attempts: number;
  lastAttempt?: number;
  status?: string;
  warningSent: boolean;
  quarantine?: string;
  recipients: RecipientState[];
  done: boolean;
  lost?: string;
  /** Final deliveries by key. */
  deliveries: Map<string, DeliveryState>;
  /** Time of the last update applied (the envelope's creation time if none). */
  updated: number;
}

const STATUSES = new Set<string>(['pending', 'deferred', 'delivered', 'failed']);

export class StateFormatError extends Error {
  override readonly name = 'StateFormatError';
}

function need(cond: boolean, what: string): void {
  if (!cond) throw new StateFormatError(what);
}

const isCount = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Checks a decoded state record; throws StateFormatError if it is not a version 1 StateUpdate. */
export function checkStateUpdate(v: unknown): StateUpdate {
  need(typeof v === 'object' && v !== null && !Array.isArray(v), 'state update is not an object');
  const o = v as Record<string, unknown>;
  need(o.version === 1, `unknown state version ${String(o.version)}`);
  need(typeof o.id === 'string' && isQueueId(o.id), 'bad queue id');
  need(isCount(o.at), 'bad time');
  if (o.attempts !== undefined) need(isCount(o.attempts), 'bad attempts');
  if (o.lastAttempt !== undefined) need(isCount(o.lastAttempt), 'bad lastAttempt');
  if (o.status !== undefined) need(typeof o.status === 'string', 'bad status');
  if (o.warningSent !== undefined) need(typeof o.warningSent === 'boolean', 'bad warningSent');
  if (o.quarantine !== undefined) need(o.quarantine === null || typeof o.quarantine === 'string', 'bad quarantine');
  if (o.done !== undefined) need(typeof o.done === 'boolean', 'bad done');
  if (o.lost !== undefined) need(typeof o.lost === 'string', 'bad lost');
  if (o.recipients !== undefined) {
    need(Array.isArray(o.recipients), 'bad recipients');
    for (const r of o.recipients as unknown[]) {
      need(typeof r === 'object' && r !== null, 'bad recipient update');
      const u = r as Record<string, unknown>;
      need(isCount(u.index), 'bad recipient index');
      need(typeof u.status === 'string' && STATUSES.has(u.status), 'bad recipient status');
      if (u.text !== undefined) need(typeof u.text === 'string', 'bad recipient text');
    }
  }
  if (o.deliveries !== undefined) {
    need(Array.isArray(o.deliveries), 'bad deliveries');
    for (const d of o.deliveries as unknown[]) checkDelivery(d);
  }
  if (o.addRecipients !== undefined) {
    need(Array.isArray(o.addRecipients), 'bad addRecipients');
    (o.addRecipients as unknown[]).forEach((r, i) => {
      try {
        checkRecipient(r, `added recipient ${i}`);
      } catch (err) {
        throw new StateFormatError(errorMessage(err));
      }
    });
  }
  return o as unknown as StateUpdate;
}

const DELIVERY_STATUSES = new Set<string>(['delivered', 'failed', 'deferred']);

function checkDelivery(v: unknown): void {
  need(typeof v === 'object' && v !== null && !Array.isArray(v), 'bad delivery update');
  const d = v as Record<string, unknown>;
  need(typeof d.key === 'string' && d.key !== '', 'bad delivery key');
  need(isCount(d.recipient), 'bad delivery recipient');
  if (d.status !== undefined) need(typeof d.status === 'string' && DELIVERY_STATUSES.has(d.status), 'bad delivery status');
  if (d.code !== undefined) need(isCount(d.code), 'bad delivery code');
  for (const k of ['enh', 'text', 'final', 'actual', 'returnPath', 'mailer', 'diagnostic', 'expandedFrom', 'remoteMta']) {
    if (d[k] !== undefined) need(typeof d[k] === 'string', `bad delivery ${k}`);
  }
  if (d.notify !== undefined) need(Array.isArray(d.notify) && d.notify.every((w) => typeof w === 'string'), 'bad delivery notify');
  if (d.transcript !== undefined) need(Array.isArray(d.transcript) && d.transcript.every((w) => typeof w === 'string'), 'bad delivery transcript');
  if (d.reported !== undefined) need(typeof d.reported === 'boolean', 'bad delivery reported flag');
  if (d.relayed !== undefined) need(typeof d.relayed === 'boolean', 'bad delivery relayed flag');
  if (d.at !== undefined) need(isCount(d.at), 'bad delivery time');
}

export function initialState(envelope: Envelope): MessageState {
  return {
    attempts: 0,
    warningSent: false,
    recipients: envelope.recipients.map((r) => ({ ...r, status: 'pending' })),
    done: false,
    deliveries: new Map(),
    updated: envelope.created,
    ...(envelope.quarantine !== undefined ? { quarantine: envelope.quarantine } : {}),
  };
}

/** Applies one update to a state (in place). Indexes beyond the recipient list are ignored. */
export function applyStateUpdate(s: MessageState, u: StateUpdate): void {
  if (u.addRecipients) for (const r of u.addRecipients) s.recipients.push({ ...r, status: 'pending' });
  if (u.recipients) {
    for (const r of u.recipients) {
      const target = s.recipients[r.index];
      if (target === undefined) continue;
      target.status = r.status;
      if (r.text !== undefined) target.text = r.text;
    }
  }
  if (u.deliveries) for (const d of u.deliveries) applyDelivery(s, d, u.at);
  if (u.attempts !== undefined) s.attempts = u.attempts;
  if (u.lastAttempt !== undefined) s.lastAttempt = u.lastAttempt;
  if (u.status !== undefined) s.status = u.status;
  if (u.warningSent !== undefined) s.warningSent = u.warningSent;
  if (u.quarantine === null) delete s.quarantine;
  else if (u.quarantine !== undefined) s.quarantine = u.quarantine;
  if (u.done !== undefined) s.done = u.done;
  if (u.lost !== undefined) s.lost = u.lost;
  s.updated = Math.max(s.updated, u.at);
}

function applyDelivery(s: MessageState, d: DeliveryUpdate, at: number): void {
  let cur = s.deliveries.get(d.key);
  if (cur === undefined) {
    // An update without a status (e.g. only `reported`) for an unknown key has nothing to amend.
    if (d.status === undefined) return;
    cur = { key: d.key, recipient: d.recipient, status: d.status, reported: false, at };
    s.deliveries.set(d.key, cur);
  }
  cur.recipient = d.recipient;
  if (d.status !== undefined) {
    cur.status = d.status;
    cur.at = d.at ?? at;
  }
  if (d.code !== undefined) cur.code = d.code;
  if (d.enh !== undefined) cur.enh = d.enh;
  if (d.text !== undefined) cur.text = d.text;
  if (d.final !== undefined) cur.final = d.final;
  if (d.actual !== undefined) cur.actual = d.actual;
  if (d.returnPath !== undefined) cur.returnPath = d.returnPath;
  if (d.notify !== undefined) cur.notify = d.notify;
  if (d.mailer !== undefined) cur.mailer = d.mailer;
  if (d.diagnostic !== undefined) cur.diagnostic = d.diagnostic;
  if (d.transcript !== undefined) cur.transcript = d.transcript;
  if (d.expandedFrom !== undefined) cur.expandedFrom = d.expandedFrom;
  if (d.remoteMta !== undefined) cur.remoteMta = d.remoteMta;
  if (d.relayed !== undefined) cur.relayed = d.relayed;
  if (d.reported !== undefined) cur.reported = d.reported;
}

/**
 * One update that brings a fresh state to `s` (compaction's consolidated record). Every field is
 * absolute, so applying it on top of the records it summarises changes nothing.
 */
export function consolidatedUpdate(id: string, s: MessageState): StateUpdate {
  return {
    version: 1,
    id,
    at: s.updated,
    attempts: s.attempts,
    ...(s.lastAttempt !== undefined ? { lastAttempt: s.lastAttempt } : {}),
    ...(s.status !== undefined ? { status: s.status } : {}),
    warningSent: s.warningSent,
    quarantine: s.quarantine ?? null,
    recipients: s.recipients.map((r, index) => ({ index, status: r.status, ...(r.text !== undefined ? { text: r.text } : {}) })),
    ...(s.deliveries.size > 0 ? { deliveries: [...s.deliveries.values()].map((d) => ({ ...d })) } : {}),
    done: s.done,
    ...(s.lost !== undefined ? { lost: s.lost } : {}),
  };
}
