// AUTH PLAIN and LOGIN (smtp-session.md §10.2, RFC 4954): the command, its continuation lines, the
// password check, the per-session penalty (§3.4) and the per-client failure count (docs/auth.md).
// Neither credentials nor AUTH lines are ever logged; a success logs the user name (authid) only.

import { REPLIES, reply } from '../replies.js';
import { sanitizeEcho } from '../sanitize.js';
import { decodeBase64, isSupported, start, step, type Credentials, type Step } from '../sasl.js';
import type { Session } from '../session.js';

/** Mechanisms this session may use now: a credential source, not switched off (A), TLS if required. */
export function offeredMechanisms(s: Session): readonly string[] {
  if (!authOnListener(s)) return [];
  const a = s.host.settings.auth;
  if (a.requireTls && !s.tls) return [];
  return a.mechanisms;
}

/** The EHLO `AUTH` line: offered mechanisms, none once authenticated (AUTH is not usable then). */
export function ehloMechanisms(s: Session): readonly string[] {
  return s.authenticated ? [] : offeredMechanisms(s);
}

/** AUTH is configured for this listener (perhaps only after STARTTLS): relay refusals say so. */
export function authOnListener(s: Session): boolean {
  return s.host.authenticator !== undefined && !s.listener.modifiers.includes('A') && s.nullReply === null && s.host.settings.auth.mechanisms.length > 0;
}

/** The session is authenticated with a mechanism that may relay (TrustAuthMech, relay-and-access.md §7.2). */
export function trustedForRelay(s: Session): boolean {
  if (!s.authenticated || s.authMech === undefined) return false;
  const t = s.host.settings.auth.trusted;
  return t === undefined || t.has(s.authMech);
}

function sleep(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((r) => setTimeout(r, ms).unref());
}

/** A client's n-th failure waits min(2^(n−1) × SmtpPenaltyBase, MaxPenaltyDelay) before its 535. */
function failureDelay(s: Session, n: number): number {
  const st = s.host.settings;
  return Math.min(2 ** Math.min(n - 1, 30) * st.penaltyBase, st.maxPenaltyDelay);
}

function blocked(s: Session): boolean {
  const max = s.host.settings.auth.maxFailures;
  return max > 0 && s.host.authFailures.count(s.client.ip, s.host.now()) >= max;
}

async function finish(s: Session, mech: string, creds: Credentials | undefined, wait: number): Promise<void> {
  s.authExchange = null;
  const a = s.host.authenticator;
  const ok = creds !== undefined && a !== undefined && (await a.verify(creds.user, creds.password));
  if (s.closed) return;
  if (ok) {
    await sleep(wait);
    if (s.closed) return;
    s.authenticated = true;
    s.authUser = creds.user;
    s.authMech = mech;
    if (s.protocol.startsWith('ESMTP')) s.protocol = s.tls ? 'ESMTPSA' : 'ESMTPA';
    s.log.info({ client: s.client.label, event: 'auth', mech, authid: creds.user, tls: s.tls }, 'AUTH succeeded');
    s.sendDef(REPLIES.authOk);
    return;
  }
  const max = s.host.settings.auth.maxFailures;
  const n = s.host.authFailures.add(s.client.ip, s.host.now());
  s.log.warn({ client: s.client.label, event: 'auth-failed', mech, failures: n }, 'AUTH failed');
  if (max > 0 && n === max) {
    s.log.warn(
      { client: s.client.label, event: 'auth-limit', failures: n, windowMs: s.host.settings.auth.failureWindow },
      'client reached AuthMaxFailures; AUTH refused for it until the window ends',
    );
  }
  await sleep(Math.max(wait, failureDelay(s, n)));
  if (!s.closed) s.sendDef(REPLIES.authFailed);
}

function proceed(s: Session, mech: string, st: Step, wait: number): Promise<void> | undefined {
  if (st.kind === 'done') return finish(s, mech, st.credentials, wait);
  s.authExchange = st.next;
  return s.answerAfter({ delay: wait, close: false }, reply(REPLIES.authChallenge, { text: st.text }));
}

export function auth(s: Session, arg: string): Promise<void> | undefined {
  const offered = offeredMechanisms(s);
  // smtp-session.md §3.4: the limit is the number of mechanisms offered now, plus one.
  const penalty = s.count('auth', offered.length + 1);
  if (s.authenticated) return s.answerAfter(penalty, reply(REPLIES.authAlready));
  if (s.tx !== null) return s.answerAfter(penalty, reply(REPLIES.authInTransaction));
  const words = arg.trim().split(/ +/);
  const typed = words[0] ?? '';
  if (typed === '') return s.answerAfter(penalty, reply(REPLIES.authNoMechanism));
  const mech = typed.toUpperCase();
  if (!offered.includes(mech) || !isSupported(mech)) {
    return s.answerAfter(penalty, reply(REPLIES.authMechanismUnavailable, { name: sanitizeEcho(typed.slice(0, 32)) }));
  }
  if (penalty.close) return s.answerAfter(penalty, '');
  if (blocked(s)) {
    s.log.warn({ client: s.client.label, event: 'auth-blocked', mech }, 'AUTH refused: too many failures from this client');
    return s.answerAfter(penalty, reply(REPLIES.authTempFailure));
  }
  const initialText = words[1];
  let initial: Buffer | undefined;
  if (initialText !== undefined && initialText !== '') {
    initial = decodeBase64(initialText);
    if (initial === undefined) return s.answerAfter(penalty, reply(REPLIES.authBadBase64, { text: sanitizeEcho(initialText) }));
  }
  return proceed(s, mech, start(mech, initial), penalty.delay);
}

/** A line read while an exchange waits for the client (after a 334). */
export function authContinue(s: Session, line: string, hasNul: boolean): Promise<void> | undefined {
  const x = s.authExchange;
  s.authExchange = null;
  if (x === null) return undefined;
  const text = line.trim();
  if (text === '*') return void s.sendDef(REPLIES.authAborted);
  const decoded = hasNul ? undefined : decodeBase64(text);
  if (decoded === undefined) return void s.sendDef(REPLIES.authBadContinuation, { text: sanitizeEcho(line) });
  return proceed(s, x.mech, step(x, decoded), 0);
}
