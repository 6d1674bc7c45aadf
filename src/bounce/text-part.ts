// The human-readable first part of a report (queue-and-bounces.md §6.2, item 1), laid out as sendmail
// lays it out: the warning box of delay reports, where the message came from, one section per outcome
// and the transcript.

import type { Envelope } from '../queue/envelope.js';
import { rfc5322Date } from '../smtp/dates.js';
import { durationWords } from './duration-words.js';
import { displayName, statusCode } from './recipient-fields.js';
import { oneLine } from './text.js';
import type { DsnAction, DsnContext, DsnKind, DsnRecipient } from './types.js';

const WARNING_BOX = [
  '    **********************************************',
  '    **      THIS IS A WARNING MESSAGE ONLY      **',
  '    **  YOU DO NOT NEED TO RESEND YOUR MESSAGE  **',
  '    **********************************************',
];

const SECTIONS: ReadonlyArray<{ title: string; actions: readonly DsnAction[] }> = [
  { title: '   ----- The following addresses had permanent fatal errors -----', actions: ['failed'] },
  { title: '   ----- The following addresses had transient non-fatal errors -----', actions: ['delayed'] },
  {
    title: '   ----- The following addresses had successful delivery notifications -----',
    actions: ['delivered', 'relayed', 'expanded'],
  },
];

const SUCCESS_NOTE: Partial<Record<DsnAction, string>> = {
  delivered: 'successfully delivered to mailbox',
  relayed: 'relayed to non-DSN-aware mailer',
  expanded: 'expanded by alias',
};

function recipientLines(r: DsnRecipient): string[] {
  const note = SUCCESS_NOTE[r.action];
  const out = [note === undefined ? displayName(r) : `${displayName(r)}  (${note})`];
  if (note === undefined && r.diagnostic !== undefined && r.diagnostic !== '') out.push(`    (reason: ${oneLine(r.diagnostic)})`);
  if (r.expandedFrom !== undefined && r.expandedFrom !== '') out.push(`    (expanded from: ${oneLine(r.expandedFrom)})`);
  return out;
}

function transcriptLines(kind: DsnKind, recipients: readonly DsnRecipient[], ctx: DsnContext): string[] {
  const out: string[] = [];
  for (const r of recipients) {
    const lines = r.transcript ?? (r.diagnostic !== undefined && r.diagnostic !== '' ? [r.diagnostic] : []);
    for (const l of lines) out.push(oneLine(l));
  }
  if (kind === 'delay') {
    out.push(`Warning: message still undelivered after ${durationWords(ctx.queuewarn)}`);
    out.push(`Will keep trying until message is ${durationWords(ctx.queuereturn)} old`);
  }
  if (recipients.some((r) => r.action === 'failed' && statusCode(r) === '4.4.7')) {
    out.push(`Message could not be delivered for ${durationWords(ctx.queuereturn)}`);
    out.push('Message will be deleted from queue');
  }
  return out;
}

export function textLines(kind: DsnKind, envelope: Envelope, recipients: readonly DsnRecipient[], ctx: DsnContext): string[] {
  const lines: string[] = [];
  if (kind === 'delay') lines.push(...WARNING_BOX, '');
  lines.push(`The original message was received at ${rfc5322Date(new Date(envelope.created), ctx.offsetMinutes)}`);
  lines.push(`from ${envelope.client === '' ? 'localhost' : oneLine(envelope.client)}`);
  // Postmaster reports name the queue id, so the postmaster can find the message in the logs.
  if (kind === 'postmaster' || kind === 'double') lines.push(`with id ${envelope.id}`);
  lines.push('');
  for (const section of SECTIONS) {
    const members = recipients.filter((r) => section.actions.includes(r.action));
    if (members.length === 0) continue;
    lines.push(section.title);
    for (const r of members) lines.push(...recipientLines(r));
    lines.push('');
  }
  const transcript = transcriptLines(kind, recipients, ctx);
  if (transcript.length > 0) lines.push('   ----- Transcript of session follows -----', ...transcript);
  return lines;
}
