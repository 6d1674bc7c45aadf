// buildDsn(): the multipart/report message of queue-and-bounces.md §6.2 (RFC 3464, RFC 6522) and the
// envelope to queue it with. The few lines of MIME are written here rather than by a library: the
// layout is fixed by the spec, and the returned message must go back byte for byte.

import type { Envelope } from '../queue/envelope.js';
import { compactDate, rfc5322Date } from '../smtp/dates.js';
import { chooseBoundary } from './boundary.js';
import { durationWords } from './duration-words.js';
import { returnedBytes, returnedContent } from './returned.js';
import { statusLines } from './status-part.js';
import { hasEightBit, isEightBitText, qualify } from './text.js';
import { textLines } from './text-part.js';
import type { BuiltDsn, DsnContext, DsnKind, DsnRecipient } from './types.js';

const CRLF = '\r\n';

function subject(kind: DsnKind, ctx: DsnContext): string {
  switch (kind) {
    case 'failure':
      return 'Returned mail: see transcript for details';
    case 'delay':
      return `Warning: could not send message for past ${durationWords(ctx.queuewarn)}`;
    case 'success':
      return 'Return receipt';
    case 'postmaster':
    case 'double':
      return 'Postmaster notify: see transcript for details';
  }
}

const AUTO_SUBMITTED: Record<DsnKind, string> = {
  failure: 'failure',
  delay: 'warning-timeout',
  success: 'return-receipt',
  postmaster: 'postmaster-notification',
  double: 'postmaster-notification',
};

/** Body lines joined with CR LF, each line ended. */
function block(lines: readonly string[]): string {
  return lines.map((l) => l + CRLF).join('');
}

/** Part headers that declare 8-bit text only when there is some (7bit is MIME's default). */
function eightBitHeaders(eightBit: boolean, textType?: string): string[] {
  if (!eightBit) return textType === undefined ? [] : [`Content-Type: ${textType}`];
  return [...(textType === undefined ? [] : [`Content-Type: ${textType}; charset=utf-8`]), 'Content-Transfer-Encoding: 8bit'];
}

/**
 * The report of `kind` about `recipients` of the queued message (`envelope`, `original` = its data),
 * addressed to ctx.to with the null sender. Dates use ctx.now (and ctx.offsetMinutes).
 */
export function buildDsn(
  kind: DsnKind,
  envelope: Envelope,
  recipients: readonly DsnRecipient[],
  original: Buffer,
  ctx: DsnContext,
): BuiltDsn {
  if (ctx.to.length === 0) throw new RangeError('buildDsn: a report needs at least one recipient');
  // The last guard of "never a report to <>": an empty address here is a bug upstream.
  if (ctx.to.some((a) => a.trim() === '')) throw new RangeError('buildDsn: a report is never sent to the null address');
  const to = ctx.to.map((a) => qualify(a, ctx.j));
  const text = block(textLines(kind, envelope, recipients, ctx));
  const status = block(statusLines(envelope, recipients, ctx));
  const content = returnedContent(kind, envelope, ctx.precedenceClass, ctx.nobodyreturn);
  const returned = returnedBytes(content, original);
  const textIs8 = isEightBitText(text);
  const statusIs8 = isEightBitText(status);
  const returnedIs8 = hasEightBit(returned);
  const boundary = chooseBoundary(ctx.qid, ctx.now.getTime(), ctx.j, [text, status, returned]);

  const header = [
    `From: Mail Delivery Subsystem <${ctx.mailerName}@${ctx.j}>`,
    `To: ${to.map((a) => `<${a}>`).join(',\r\n\t')}`,
    `Subject: ${subject(kind, ctx)}`,
    `Date: ${rfc5322Date(ctx.now, ctx.offsetMinutes)}`,
    `Message-Id: <${compactDate(ctx.now, ctx.offsetMinutes)}.${ctx.qid}@${ctx.j}>`,
    `Auto-Submitted: auto-generated (${AUTO_SUBMITTED[kind]})`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status;',
    `\tboundary="${boundary}"`,
    // RFC 2045 §6.4: a multipart entity is labelled with the widest encoding found in its parts.
    ...(textIs8 || statusIs8 || returnedIs8 ? ['Content-Transfer-Encoding: 8bit'] : []),
    '',
    'This is a MIME-encapsulated message',
    '',
  ];
  const delimiter = `--${boundary}`;
  const head = Buffer.from(
    block(header) +
      block([delimiter, ...eightBitHeaders(textIs8, textIs8 ? 'text/plain' : undefined), '']) +
      text +
      CRLF +
      block([delimiter, 'Content-Type: message/delivery-status', ...eightBitHeaders(statusIs8), '']) +
      status +
      CRLF +
      block([delimiter, `Content-Type: ${content === 'full' ? 'message/rfc822' : 'text/rfc822-headers'}`, ...eightBitHeaders(returnedIs8), '']),
    'utf8',
  );
  // The CR LF before the closing delimiter belongs to the delimiter (RFC 2046 §5.1.1), so the returned
  // bytes come back exactly; only data that lacks a final line end gets one for the delimiter line.
  const endsWithLine = returned.length === 0 || (returned.length >= 2 && returned[returned.length - 2] === 0x0d && returned[returned.length - 1] === 0x0a);
  const tail = Buffer.from(`${endsWithLine ? '' : CRLF}${CRLF}${delimiter}--${CRLF}`, 'utf8');
  const data = Buffer.concat([head, returned, tail]);
  return { kind, sender: '', to, data, envelope: dsnEnvelope(ctx.qid, ctx.now.getTime(), to, data) };
}

/** The envelope a report is queued with: null sender, local origin, one primary recipient per address. */
export function dsnEnvelope(qid: string, created: number, to: readonly string[], data: Buffer): Envelope {
  const eightBit = hasEightBit(data);
  return {
    version: 1,
    id: qid,
    created,
    sender: '',
    size: data.length,
    eightBit,
    ...(eightBit ? { bodyType: '8BITMIME' as const } : {}),
    ...(to.some((a) => isEightBitText(a)) ? { smtputf8: true } : {}),
    protocol: 'local',
    helo: '',
    client: 'localhost',
    clientAddr: '',
    recipients: to.map((address) => ({ address, primary: true })),
  };
}
