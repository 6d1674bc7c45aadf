// HELO and EHLO (smtp-session.md §5, §3.6 transaction stuffing).

import { ehloTail } from '../ehlo-keywords.js';
import { checkHeloArg } from '../helo-arg.js';
import { REPLIES, multiline, reply, replyText } from '../replies.js';
import { sanitizeValue } from '../sanitize.js';
import type { Session } from '../session.js';
import { ehloMechanisms } from './auth.js';

function greet(s: Session, verbTyped: string, arg: string, extended: boolean): Promise<void> | undefined {
  const penalty = s.count('helo', 3);
  const check = checkHeloArg(verbTyped, arg, s.host.settings.allowBogusHelo);
  if (!check.ok) return s.answerAfter(penalty, check.reply);
  if (s.host.settings.strictPipelining && s.moreInput) {
    // The client did not wait for our answer: it is stuffing commands. Not recorded; null session.
    s.log.warn({ client: s.client.label, event: 'pipelining-violation', command: verbTyped }, 'input after HELO/EHLO before reply');
    s.nullReply = reply(REPLIES.commandRejected);
    s.sendDef(REPLIES.protocolError);
    return undefined;
  }
  s.resetTransaction();
  s.helo = sanitizeValue(check.name);
  s.protocol = extended ? `ESMTP${s.tls ? 'S' : ''}${s.authenticated ? 'A' : ''}` : 'SMTP';
  const hello = replyText(check.bogus ? REPLIES.heloBogusOk : REPLIES.heloOk, s.vars);
  if (!extended) return s.answerAfter(penalty, multiline(250, [hello]));
  const tail = ehloTail(s.host.settings, s.listener, {
    tlsOffered: s.host.tlsOffered,
    tlsActive: s.tls,
    authMechanisms: ehloMechanisms(s),
    nullSession: s.nullReply !== null,
  });
  return s.answerAfter(penalty, `250-${hello}\r\n${tail}`);
}

export function helo(s: Session, arg: string, verbTyped: string): Promise<void> | undefined {
  return greet(s, verbTyped, arg, false);
}

export function ehlo(s: Session, arg: string, verbTyped: string): Promise<void> | undefined {
  return greet(s, verbTyped, arg, true);
}
