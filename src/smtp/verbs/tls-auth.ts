// STARTTLS and AUTH (smtp-session.md §10). Both verbs are always known; STARTTLS is offered when a
// certificate and key are loaded, AUTH when an authenticator is configured (not in this build).

import { REPLIES, reply } from '../replies.js';
import { sanitizeEcho } from '../sanitize.js';
import type { Session } from '../session.js';

export function starttls(s: Session, arg: string): undefined {
  if (arg.trim() !== '') return void s.sendDef(REPLIES.tlsNoParams);
  if (s.listener.modifiers.includes('S')) return void s.sendDef(REPLIES.tlsOff);
  if (!s.host.tlsOffered || s.tls) return void s.sendDef(REPLIES.tlsUnavailable);
  if (s.tx !== null) return void s.sendDef(REPLIES.tlsInTransaction);
  s.sendDef(REPLIES.tlsReady);
  s.beginTls();
  return undefined;
}

/** AUTH is offered only with a credential source, which this build does not have yet. */
const OFFERED: readonly string[] = [];

export function auth(s: Session, arg: string): Promise<void> | undefined {
  const penalty = s.count('auth', OFFERED.length + 1);
  if (s.authenticated) return s.answerAfter(penalty, reply(REPLIES.authAlready));
  if (s.tx !== null) return s.answerAfter(penalty, reply(REPLIES.authInTransaction));
  const mech = arg.trim().split(' ')[0] ?? '';
  if (mech === '') return s.answerAfter(penalty, reply(REPLIES.authNoMechanism));
  return s.answerAfter(penalty, reply(REPLIES.authMechanismUnavailable, { name: sanitizeEcho(mech.slice(0, 32)) }));
}
