// Command line → handler (smtp-session.md §3.3, §4). Unknown verbs, the open-proxy trap and the null
// session's blanket rejection are decided here, before any handler runs.

import { REPLIES, reply } from '../replies.js';
import { sanitizeEcho } from '../sanitize.js';
import type { Session } from '../session.js';
import { data } from './data.js';
import { ehlo, helo } from './helo.js';
import { mail } from './mail.js';
import { rcpt } from './rcpt.js';
import { etrn, expn, help, verb, vrfy } from './info.js';
import { noop, quit, rset } from './simple.js';
import { starttls } from './tls-auth.js';
import { auth } from './auth.js';

export type Handler = (s: Session, arg: string, verbTyped: string) => Promise<void> | undefined | void;

const HANDLERS: Record<string, Handler> = {
  HELO: helo,
  EHLO: ehlo,
  MAIL: mail,
  RCPT: rcpt,
  DATA: data,
  RSET: rset,
  NOOP: noop,
  QUIT: quit,
  VRFY: vrfy,
  EXPN: expn,
  VERB: verb,
  ETRN: etrn,
  HELP: help,
  STARTTLS: starttls,
  AUTH: auth,
};

/** Answered normally in a null session (§4); every other known verb gets the rejection reply. */
const NULL_SESSION_ALLOWED = new Set(['QUIT', 'NOOP', 'RSET', 'HELO', 'EHLO']);
const NOT_IMPLEMENTED = new Set(['SEND', 'SAML', 'SOML', 'TURN']);
/** Probes worth a warning in the log (§3.3). */
const PROBES = new Set(['SHOWQ', 'DEBUG', 'WIZ']);
const OPEN_PROXY = /^(?:GET|POST|CONNECT|USER)(?:\s|$)/i;

function unrecognized(s: Session, line: string): void {
  if (s.countBad()) return;
  s.sendDef(REPLIES.unrecognized, { line: sanitizeEcho(line) });
}

export function dispatch(s: Session, line: string, hasNul: boolean): Promise<void> | undefined {
  if (s.firstCommand && OPEN_PROXY.test(line)) {
    s.log.warn({ client: s.client.label, event: 'open-proxy-probe' }, 'rejecting open proxy request');
    s.sendAndClose(reply(REPLIES.openProxy, s.vars));
    return undefined;
  }
  if (hasNul) {
    unrecognized(s, line);
    return undefined;
  }
  let start = 0;
  while (line.charCodeAt(start) === 32) start++;
  const sp = line.indexOf(' ', start);
  const verbTyped = sp === -1 ? line.slice(start) : line.slice(start, sp);
  const name = verbTyped.toUpperCase();
  const handler = verbTyped === '' ? undefined : HANDLERS[name];
  if (handler === undefined) {
    if (NOT_IMPLEMENTED.has(name)) {
      if (s.nullReply !== null) {
        if (!s.countBad()) s.send(s.nullReply);
        return undefined;
      }
      s.sendDef(REPLIES.notImplemented, { line: sanitizeEcho(line) });
      return undefined;
    }
    if (name === 'BDAT') {
      // Chunk octets must never be parsed as commands: stop here.
      s.sendAndClose(reply(REPLIES.bdatNotSupported));
      return undefined;
    }
    if (PROBES.has(name)) s.log.warn({ client: s.client.label, event: 'probe', command: sanitizeEcho(line) }, 'probe command');
    unrecognized(s, line);
    return undefined;
  }
  if (s.nullReply !== null && !NULL_SESSION_ALLOWED.has(name)) {
    if (!s.countBad()) s.send(s.nullReply);
    return undefined;
  }
  let argStart = sp === -1 ? line.length : sp + 1;
  while (line.charCodeAt(argStart) === 32) argStart++;
  const r = handler(s, line.slice(argStart), verbTyped);
  return r === undefined ? undefined : r;
}
