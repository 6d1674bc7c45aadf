// The machine-readable part: message/delivery-status (RFC 3464 §2.2, §2.3; queue-and-bounces.md §6.3).
// Per-message fields first, then one block per reported recipient, blocks separated by empty lines.

import type { Envelope } from '../queue/envelope.js';
import { rfc5322Date } from '../smtp/dates.js';
import { actualRecipient, remoteHost, statusCode, typedFinal } from './recipient-fields.js';
import { oneLine } from './text.js';
import type { DsnContext, DsnRecipient } from './types.js';

/**
 * The client's name as Received-From-MTA wants it: the verified host name, else the bracketed address
 * (a name marked `(may be forged)` is not repeated as if it were the client's).
 */
function clientName(envelope: Envelope): string {
  const label = oneLine(envelope.client);
  const first = label.split(' ')[0] ?? '';
  if (first !== '' && !label.endsWith('(may be forged)')) return first;
  return `[${oneLine(envelope.clientAddr)}]`;
}

export function statusLines(envelope: Envelope, recipients: readonly DsnRecipient[], ctx: DsnContext): string[] {
  const date = (ms: number): string => rfc5322Date(new Date(ms), ctx.offsetMinutes);
  const lines: string[] = [];
  if (envelope.envid !== undefined && envelope.envid !== '') lines.push(`Original-Envelope-Id: ${oneLine(envelope.envid)}`);
  lines.push(`Reporting-MTA: dns; ${ctx.j}`);
  // Only mail that came over SMTP has a client MTA; command-line submissions have no address.
  if (envelope.clientAddr !== '') lines.push(`Received-From-MTA: DNS; ${clientName(envelope)}`);
  lines.push(`Arrival-Date: ${date(envelope.created)}`);
  for (const r of recipients) {
    lines.push('');
    if (r.original !== undefined && r.original !== '') lines.push(`Original-Recipient: ${oneLine(r.original)}`);
    const final = typedFinal(r.final);
    lines.push(`Final-Recipient: ${final.type}; ${final.value}`);
    const actual = ctx.noactualrecipient ? undefined : actualRecipient(r, ctx.j);
    if (actual !== undefined) lines.push(`X-Actual-Recipient: ${actual}`);
    lines.push(`Action: ${r.action}`);
    lines.push(`Status: ${statusCode(r)}`);
    const mta = remoteHost(r);
    if (mta !== undefined) lines.push(`Remote-MTA: DNS; ${mta}`);
    if (r.diagnostic !== undefined && r.diagnostic !== '') {
      const type = r.diagnosticType ?? (mta !== undefined ? 'SMTP' : 'X-Unix');
      lines.push(`Diagnostic-Code: ${type}; ${oneLine(r.diagnostic)}`);
    }
    lines.push(`Last-Attempt-Date: ${date(r.lastAttempt ?? ctx.now.getTime())}`);
    if (r.action === 'delayed') lines.push(`Will-Retry-Until: ${date(r.willRetryUntil ?? envelope.created + ctx.queuereturn)}`);
  }
  return lines;
}
