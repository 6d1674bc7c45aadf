// The EHLO extension list, in sendmail's order (smtp-session.md §5). Pure: settings and session facts in,
// keyword lines out.

import type { ListenerSettings, SmtpSettings } from './settings.js';

export interface EhloFacts {
  tlsOffered: boolean;
  tlsActive: boolean;
  /** mechanisms offered right now (empty = no AUTH line) */
  authMechanisms: readonly string[];
  nullSession: boolean;
}

export function ehloKeywords(s: SmtpSettings, listener: ListenerSettings, f: EhloFacts): string[] {
  if (f.nullSession) return ['ENHANCEDSTATUSCODES'];
  const p = s.privacy;
  const k = ['ENHANCEDSTATUSCODES', 'PIPELINING'];
  if (!p.noexpn) k.push('EXPN');
  if (!p.noexpn && !p.noverb) k.push('VERB');
  k.push('8BITMIME');
  k.push(s.maxMessageSize > 0 ? `SIZE ${s.maxMessageSize}` : 'SIZE');
  if (!p.noreceipts && s.sendMimeErrors) k.push('DSN');
  if (s.smtputf8) k.push('SMTPUTF8');
  if (!p.noetrn && !listener.modifiers.includes('E')) k.push('ETRN');
  if (f.authMechanisms.length > 0) k.push(`AUTH ${f.authMechanisms.join(' ')}`);
  if (f.tlsOffered && !f.tlsActive && !listener.modifiers.includes('S')) k.push('STARTTLS');
  k.push('HELP');
  return k;
}

/** DSN parameters are accepted only when DSN is advertised. */
export function dsnOffered(s: SmtpSettings): boolean {
  return !s.privacy.noreceipts && s.sendMimeErrors;
}

const tails = new WeakMap<SmtpSettings, Map<string, string>>();

/**
 * The EHLO reply after its first line, on the wire (`250-ENHANCEDSTATUSCODES` CR LF ... `250 HELP` CR LF),
 * cached per settings object: it changes only on reload, and every client asks for it.
 */
export function ehloTail(s: SmtpSettings, listener: ListenerSettings, f: EhloFacts): string {
  let byKey = tails.get(s);
  if (byKey === undefined) {
    byKey = new Map();
    tails.set(s, byKey);
  }
  const key = `${listener.name}\0${listener.modifiers}\0${f.tlsOffered ? 1 : 0}${f.tlsActive ? 1 : 0}${f.nullSession ? 1 : 0}\0${f.authMechanisms.join(' ')}`;
  let tail = byKey.get(key);
  if (tail === undefined) {
    const k = ehloKeywords(s, listener, f);
    tail = k.map((kw, i) => `250${i === k.length - 1 ? ' ' : '-'}${kw}\r\n`).join('');
    byKey.set(key, tail);
  }
  return tail;
}
