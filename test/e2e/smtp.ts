// Small pieces the end-to-end tests share: one SMTP transaction over the byte-exact client, and the
// split of a queued message into the Received field the server added and the text the client sent.

import assert from 'node:assert/strict';
import type { RawClient } from '../helpers/raw-client.js';

export const ACCEPTED = /^250 2\.0\.0 ([0-9A-Za-z]{14}) Message accepted for delivery$/;
export const RFC5322_DATE = '\\w{3}, \\d{1,2} \\w{3} \\d{4} \\d\\d:\\d\\d:\\d\\d [+-]\\d{4}';

export interface Outcome {
  /** the reply to the final dot (or to the first command refused) */
  reply: string;
  /** the queue id when the reply was 250 */
  qid?: string;
}

/** MAIL, RCPT..., DATA, text, dot — one command at a time; stops at the first refusal. */
export async function transaction(c: RawClient, from: string, to: readonly string[], text: string): Promise<Outcome> {
  const mail = await c.cmd(`MAIL FROM:<${from}>`);
  if (!mail.startsWith('250 ')) return { reply: mail };
  for (const r of to) {
    const rr = await c.cmd(`RCPT TO:<${r}>`);
    if (!rr.startsWith('250 ')) return { reply: rr };
  }
  const go = await c.cmd('DATA');
  if (!go.startsWith('354 ')) return { reply: go };
  c.send(`${dotStuff(text)}.\r\n`);
  const reply = await c.text(15_000);
  const m = ACCEPTED.exec(reply);
  return m !== null ? { reply, qid: m[1]! } : { reply };
}

/** RFC 5321 §4.5.2 transparency: a leading dot is doubled. `text` ends in CR LF. */
export function dotStuff(text: string): string {
  return text.replace(/(^|\r\n)\./g, '$1..');
}

/** Splits a stored message into its first header field (the server's Received) and the rest. */
export function splitReceived(stored: string): { received: string; rest: string } {
  assert.ok(stored.startsWith('Received: '), `stored text starts with Received: ${JSON.stringify(stored.slice(0, 80))}`);
  let end = stored.indexOf('\r\n');
  while (end !== -1 && (stored[end + 2] === '\t' || stored[end + 2] === ' ')) end = stored.indexOf('\r\n', end + 2);
  assert.notEqual(end, -1, 'Received field ends');
  return { received: stored.slice(0, end + 2), rest: stored.slice(end + 2) };
}

/** The Received field Postern writes for one recipient over ESMTP (smtp-session.md §8.5). */
export function receivedPattern(opts: { helo: string; client: string; j: string; qid: string; rcpt?: string; protocol?: string }): RegExp {
  const q = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const forPart = opts.rcpt !== undefined ? `\\r\\n\\tfor <${q(opts.rcpt)}>; ` : ';\\r\\n\\t';
  return new RegExp(
    `^Received: from ${q(opts.helo)} \\(${q(opts.client)}\\)\\r\\n\\tby ${q(opts.j)} \\(Postern\\) with ${opts.protocol ?? 'ESMTP'} id ${opts.qid}${forPart}${RFC5322_DATE}\\r\\n$`,
  );
}
