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

export function initialState(envelope: Envelope): MessageState {
  return {
    attempts: 0,
    warningSent: false,
    recipients: envelope.recipients.map((r) => ({ ...r, status: 'pending' })),
    done: false,
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
