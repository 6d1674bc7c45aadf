// SMART_HOST and mailertable values (config-formats.md SMART_HOST; sendmail's mailertable(5)):
//
//   relay.example.net           a host: its MX records are used (sendmail's default for SMART_HOST)
//   [relay.example.net]         brackets: the host's own A/AAAA addresses, no MX lookup
//   [192.0.2.1]  [IPv6:2001:db8::1]
//   esmtp:[mx.example.net]      with a mailer name (esmtp, smtp, smtp8, dsmtp, relay: all SMTP)
//   smtp:host:2525              a number after a host is that host's port [Postern]
//   esmtp:[a.example]:[b.example]   several hosts, tried in order (sendmail's host list)
//   local:user  local:          a local delivery (`local:` alone keeps the recipient's local part)
//   error:5.1.1:550 No such user here     error:550 text     error:4.4.1:451 try later
//
// A parse never throws: it gives the spec or a message for the configuration's diagnostics.

import { isIP } from 'node:net';
import type { StatusText } from '../../route/types.js';
import type { RelayTarget, RouteSpec } from './types.js';

/** sendmail's SMTP mailers; Postern sends through its one SMTP client whichever is named. */
const SMTP_MAILERS = new Set(['esmtp', 'smtp', 'smtp8', 'dsmtp', 'relay']);

export type SpecParse = { ok: true; spec: RouteSpec } | { ok: false; message: string };

/** Splits at `:` outside brackets (so `[IPv6:2001:db8::1]` stays one piece). */
function splitColons(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  for (const c of s) {
    if (c === '[') depth++;
    else if (c === ']') depth = Math.max(0, depth - 1);
    if (c === ':' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/;

function target(word: string): RelayTarget | string {
  const w = word.trim();
  if (w.startsWith('[')) {
    if (!w.endsWith(']')) return `unbalanced brackets in "${w}"`;
    let inner = w.slice(1, -1).trim();
    if (/^IPv6:/i.test(inner)) {
      inner = inner.slice(5);
      if (isIP(inner) !== 6) return `"${w}" is not an IPv6 address`;
    } else if (isIP(inner) === 6) return `"${w}": an IPv6 literal is written [IPv6:${inner}]`;
    if (isIP(inner) === 0 && !HOST_NAME.test(inner)) return `"${w}" is not a host name or address`;
    return { host: inner.replace(/\.$/, '').toLowerCase(), literal: true };
  }
  if (isIP(w) !== 0) return { host: w, literal: true };
  if (!HOST_NAME.test(w)) return `"${w}" is not a host name`;
  return { host: w.replace(/\.$/, '').toLowerCase(), literal: false };
}

function relayTargets(words: string[]): RelayTarget[] | string {
  const out: RelayTarget[] = [];
  for (const word of words) {
    const w = word.trim();
    if (/^\d+$/.test(w)) {
      const last = out[out.length - 1];
      const port = Number(w);
      if (last === undefined) return `port ${w} without a host before it`;
      if (last.port !== undefined) return `two ports for ${last.host}`;
      if (port < 1 || port > 65535) return `port ${w} out of range`;
      last.port = port;
      continue;
    }
    if (w === '') return 'empty host name';
    const t = target(w);
    if (typeof t === 'string') return t;
    out.push(t);
  }
  if (out.length === 0) return 'no host given';
  return out;
}

/** `5.1.1:550 text`, `550 text`, `5.1.1:text`: the status of an `error:` value. */
export function parseErrorValue(rest: string): StatusText | string {
  let s = rest.trim();
  let enh: string | undefined;
  const m = /^([245]\.\d{1,3}\.\d{1,3})\s*:\s*/.exec(s);
  if (m !== null) {
    enh = m[1]!;
    s = s.slice(m[0].length);
  }
  let code: number | undefined;
  const c = /^([45]\d\d)(?:\s+|$)/.exec(s);
  if (c !== null) {
    code = Number(c[1]);
    s = s.slice(c[0].length);
  }
  if (code === undefined && enh === undefined) return `error: value "${rest.trim()}" has neither a status code nor an enhanced status`;
  code ??= enh!.startsWith('4') ? 451 : 550;
  enh ??= `${String(code).charAt(0)}.0.0`;
  if (enh.charAt(0) !== String(code).charAt(0)) return `error: ${enh} does not go with ${code}`;
  return { code, enh, text: s.trim() === '' ? 'Unknown error' : s.trim() };
}

/** Parses a SMART_HOST or mailertable right-hand side. */
export function parseRouteSpec(text: string): SpecParse {
  const t = text.trim();
  if (t === '') return { ok: false, message: 'empty value' };
  const parts = splitColons(t);
  const head = parts[0]!.trim().toLowerCase();
  if (parts.length > 1 && head === 'local') {
    const user = parts.slice(1).join(':').trim();
    if (/[\s@]/.test(user)) return { ok: false, message: `local:${user}: not a local user name` };
    return { ok: true, spec: { kind: 'local', user } };
  }
  if (parts.length > 1 && head === 'error') {
    const st = parseErrorValue(t.slice(t.indexOf(':') + 1));
    return typeof st === 'string' ? { ok: false, message: st } : { ok: true, spec: { kind: 'error', status: st } };
  }
  let mailer = 'relay';
  let words = parts;
  if (parts.length > 1 && SMTP_MAILERS.has(head)) {
    mailer = head;
    words = parts.slice(1);
  } else if (parts.length > 1 && /^[A-Za-z][A-Za-z0-9_-]*$/.test(head) && !/^\d+$/.test(parts[1]!.trim()) && !parts[1]!.trim().startsWith('[') && !head.includes('.')) {
    // `mailer:host` with a mailer Postern does not have (uucp, procmail, cyrus...).
    return { ok: false, message: `mailer ${head} is not supported (esmtp, smtp, smtp8, dsmtp, relay, local, error)` };
  }
  const targets = relayTargets(words);
  if (typeof targets === 'string') return { ok: false, message: targets };
  return { ok: true, spec: { kind: 'relay', mailer, targets } };
}
