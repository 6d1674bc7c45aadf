// Changes to single queued messages (-Q quarantine and release, `postern queue hold|release|delete|
// requeue|bounce`). Each one takes the message's lock (src/queue/message-lock.ts) so that no runner —
// the daemon's or another command's — works on it meanwhile, reads its state afresh under the lock,
// appends one state record, and is logged with who asked.

import type { Envelope } from '../../queue/envelope.js';
import { errorMessage } from '../../queue/errors.js';
import type { MessageState, StateUpdate } from '../../queue/state.js';
import type { QueueAccess } from './access.js';

export type ActionName = 'quarantine' | 'release' | 'hold' | 'delete' | 'requeue' | 'bounce';

export type ActionResult =
  | { id: string; ok: true; text: string }
  | { id: string; ok: false; why: 'missing' | 'locked' | 'state' | 'error'; text: string };

export interface ActionBy {
  uid: number;
  login: string;
}

interface Current {
  envelope: Envelope;
  state: MessageState;
}

/** Runs `fn` on message `id` under its lock, with its state as of now; a finished message is missing. */
async function underLock(access: QueueAccess, id: string, fn: (m: Current) => Promise<ActionResult>): Promise<ActionResult> {
  let lock;
  try {
    lock = await access.locks.tryLock(id);
  } catch (err) {
    return { id, ok: false, why: 'error', text: `${id}: cannot lock: ${errorMessage(err)}` };
  }
  if (lock === null) return { id, ok: false, why: 'locked', text: `${id}: being processed, try again later` };
  try {
    const m = await access.reader.get(id);
    if (m === undefined || m.state.done || m.state.lost !== undefined) return { id, ok: false, why: 'missing', text: `${id}: not in the queue` };
    return await fn({ envelope: m.envelope, state: m.state });
  } catch (err) {
    return { id, ok: false, why: 'error', text: `${id}: ${errorMessage(err)}` };
  } finally {
    await lock.release();
  }
}

async function append(access: QueueAccess, id: string, fields: Omit<StateUpdate, 'version' | 'id' | 'at'>): Promise<void> {
  const spool = await access.writer();
  await spool.appendState({ version: 1, id, at: Date.now(), ...fields });
}

function logAction(access: QueueAccess, action: ActionName, id: string, by: ActionBy, msg: string, extra: Record<string, unknown> = {}): void {
  access.log.info({ event: 'queue-admin', action, qid: id, by: by.login, uid: by.uid, ...extra }, `${id}: ${msg} by ${by.login}`);
}

/** Quarantines a message that is not, or changes the reason of one that is (hf in sendmail). */
export function quarantine(access: QueueAccess, id: string, reason: string, by: ActionBy, action: 'quarantine' | 'hold' = 'quarantine'): Promise<ActionResult> {
  return underLock(access, id, async () => {
    await append(access, id, { quarantine: reason });
    logAction(access, action, id, by, `quarantined (${reason})`, { reason });
    return { id, ok: true, text: `${id}: quarantined (${reason})` };
  });
}

export function release(access: QueueAccess, id: string, by: ActionBy): Promise<ActionResult> {
  return underLock(access, id, async (m) => {
    if (m.state.quarantine === undefined) return { id, ok: false, why: 'state', text: `${id}: not quarantined` };
    await append(access, id, { quarantine: null });
    logAction(access, 'release', id, by, 'released from quarantine');
    return { id, ok: true, text: `${id}: released` };
  });
}

/** Removes a message without delivering it and without a report: its pending recipients fail silently. */
export function remove(access: QueueAccess, id: string, by: ActionBy): Promise<ActionResult> {
  return underLock(access, id, async (m) => {
    const text = `Deleted by ${by.login}`;
    const recipients = m.state.recipients
      .map((r, index) => ({ r, index }))
      .filter(({ r }) => r.status === 'pending' || r.status === 'deferred')
      .map(({ index }) => ({ index, status: 'failed' as const, text }));
    await append(access, id, { status: text, recipients, done: true });
    logAction(access, 'delete', id, by, 'deleted', { recipients: recipients.length });
    return { id, ok: true, text: `${id}: deleted` };
  });
}

/**
 * An attempt now, ignoring the retry schedule (`requeue`), or a failure report now for every pending
 * recipient (`bounce`, Timeout.queuereturn=now). A held message is released first for a bounce: the
 * report says what happened to it; a requeue leaves quarantine alone.
 */
export async function attemptNow(access: QueueAccess, id: string, by: ActionBy, action: 'requeue' | 'bounce'): Promise<ActionResult> {
  if (action === 'bounce') {
    const held = await access.reader.get(id);
    if (held !== undefined && held.state.quarantine !== undefined) {
      const r = await release(access, id, by);
      if (!r.ok) return r;
    }
  }
  const before = await access.reader.get(id);
  if (before === undefined || before.state.done || before.state.lost !== undefined) return { id, ok: false, why: 'missing', text: `${id}: not in the queue` };
  if (action === 'requeue' && before.state.quarantine !== undefined) return { id, ok: false, why: 'state', text: `${id}: quarantined (release it first)` };
  const summary = await access.run({ force: true, ...(action === 'bounce' ? { expireNow: true } : {}), match: (m) => m.envelope.id === id });
  // Not taken although it is queued: a runner of this process (the daemon's own) is already on it.
  if (summary.locked > 0 || summary.attempted === 0) return { id, ok: false, why: 'locked', text: `${id}: being processed, try again later` };
  const after = await access.reader.get(id);
  const left = after === undefined || after.state.done ? 0 : after.state.recipients.filter((r) => r.status === 'pending' || r.status === 'deferred').length;
  const outcome = action === 'bounce' ? 'returned to the sender' : left === 0 ? 'finished, no recipient pending' : `attempted, ${left} recipient(s) still pending`;
  logAction(access, action, id, by, outcome, { pending: left });
  return { id, ok: true, text: `${id}: ${outcome}` };
}
