// One final delivery's outcome as the runner records it (a DeliveryUpdate: the checkpoint of
// queue-and-bounces.md §2.3), from routing's Expanded and the agent's result, and the texts it shows.

import { replyLine, type AgentResult } from '../deliver/agent-protocol.js';
import type { Expanded, StatusText } from '../route/types.js';
import type { DeliveryStatus, DeliveryUpdate } from './state.js';
import { mailerOf } from './runner-jobs.js';

/**
 * Remote recipients wait for the SMTP client (issue 7): a temporary failure, so they stay queued and
 * mailq shows why; queuewarn and queuereturn apply to them as to any other deferral.
 */
export const REMOTE_NOT_YET: StatusText = { code: 451, enh: '4.4.1', text: 'Remote delivery is not available yet; message kept in the queue' };

export const DELIVERED: StatusText = { code: 250, enh: '2.0.0', text: 'Delivered' };

/** A delivery agent answered something that is not a delivery result: try again later. */
export const ODD_RESULT: StatusText = { code: 451, enh: '4.3.0', text: 'delivery agent gave an unexpected result' };

/** The whole message could not be routed (an internal error): try again later. */
export function routingFailed(reason: string): StatusText {
  return { code: 451, enh: '4.3.0', text: `routing failed: ${reason}` };
}

function isUnixTarget(s: string | undefined): s is string {
  return s !== undefined && (s.startsWith('|') || s.startsWith('/'));
}

/**
 * The DSN identity of a delivery. Programs and files are reported as `Final-Recipient: X-Unix;
 * |command` / `X-Unix; /path` (program-and-file-delivery.md §3.3, §4.5); everything else by the
 * envelope recipient, with the local account as X-Actual-Recipient.
 */
function identityOf(e: Expanded): Pick<DeliveryUpdate, 'final' | 'actual'> {
  if (isUnixTarget(e.actualRecipient)) return { final: e.actualRecipient };
  return { final: e.finalRecipient, ...(e.actualRecipient !== undefined ? { actual: e.actualRecipient } : {}) };
}

/** The outcome of expansion result `e` with reply `reply`. */
export function outcome(e: Expanded, status: DeliveryStatus, reply: StatusText, extra: Partial<DeliveryUpdate> = {}): DeliveryUpdate {
  return {
    key: e.key,
    recipient: e.recipient,
    status,
    code: reply.code,
    enh: reply.enh,
    text: reply.text,
    ...identityOf(e),
    ...(e.envelopeSender !== undefined ? { returnPath: e.envelopeSender } : {}),
    ...(e.notify !== undefined ? { notify: [...e.notify] } : {}),
    mailer: mailerOf(e.delivery),
    ...(e.expanded === true ? { expandedFrom: e.finalRecipient } : {}),
    ...extra,
  };
}

/** What an agent's result means for the delivery of `e`. */
export function outcomeOfResult(e: Expanded, r: AgentResult): DeliveryUpdate {
  if (r.status === 'delivered') return outcome(e, 'delivered', DELIVERED);
  if (r.status === 'read') return outcome(e, 'deferred', ODD_RESULT);
  const lines = (r.output ?? '').split('\n').map((l) => l.trimEnd()).filter((l) => l.trim() !== '');
  const extra: Partial<DeliveryUpdate> = lines.length > 0 ? { diagnostic: lines[0]!.trim(), transcript: lines.slice(0, 20) } : {};
  return outcome(e, r.status === 'temp' ? 'deferred' : 'failed', r.reply, extra);
}

/** `550 5.1.1 <bob@example.com>... User unknown` */
export function outcomeLine(d: Pick<DeliveryUpdate, 'code' | 'enh' | 'text'>): string {
  if (d.code === undefined || d.enh === undefined) return d.text ?? '';
  return replyLine({ code: d.code, enh: d.enh, text: d.text ?? '' });
}

/** sendmail's stat= text: Sent, Deferred: <reply>, or the failure's reply. */
export function statText(d: DeliveryUpdate): string {
  // sendmail shows the remote server's answer: `Sent (OK id=1a2b3c)`.
  if (d.status === 'delivered') return d.mailer === 'esmtp' && d.text !== undefined && d.text !== '' ? `Sent (${d.text})` : 'Sent';
  const line = outcomeLine(d);
  return d.status === 'deferred' ? `Deferred: ${line}` : line;
}

/** sendmail's delay= and xdelay= form: `HH:MM:SS`, with `D+` in front from one day on. */
export function delayText(ms: number): string {
  let s = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(s / 86_400);
  s -= days * 86_400;
  const two = (n: number): string => String(n).padStart(2, '0');
  const hms = `${two(Math.floor(s / 3600))}:${two(Math.floor((s % 3600) / 60))}:${two(s % 60)}`;
  return days > 0 ? `${days}+${hms}` : hms;
}
