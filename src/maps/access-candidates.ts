// The candidate keys of each access lookup procedure (relay-and-access.md §2.3), most specific first,
// without tags. Inputs are folded and normalised here the same way keys are when the map is loaded.

import { foldKey, normaliseIPv6Body, normaliseIPv6In } from './access-key.js';

function stripTrailingDot(s: string): string {
  return s.endsWith('.') ? s.slice(0, -1) : s;
}

/** `ipv6:g1:...:gN` → itself, then one group fewer each time, down to one group. */
function ipv6Prefixes(body: string, wrap: (s: string) => string): string[] {
  const full = `ipv6:${body}`;
  const out = [wrap(full)];
  for (let i = full.lastIndexOf(':'); i > 4; i = full.lastIndexOf(':', i - 1)) out.push(wrap(full.slice(0, i)));
  return out;
}

/** `a.b.c.d` → `a.b.c.d`, `a.b.c`, `a.b`, `a`. */
function dottedPrefixes(s: string, wrap: (s: string) => string): string[] {
  const out = [wrap(s)];
  for (let i = s.lastIndexOf('.'); i > 0; i = s.lastIndexOf('.', i - 1)) out.push(wrap(s.slice(0, i)));
  return out;
}

export interface DomainCandidateOptions {
  /** lookupdotdomain: `.b.c` after `a.b.c`. */
  dotDomain?: boolean;
  /** relay_hosts_only, for relay permission: the name itself only. */
  exact?: boolean;
}

/**
 * Host or domain `a.b.c`: `a.b.c`, (`.b.c`), `b.c`, (`.c`), `c`. A bracketed literal `[192.0.2.7]`:
 * `[192.0.2.7]`, `[192.0.2]`, `[192]`; `[IPv6:...]` drops one group at a time, brackets kept.
 */
export function domainCandidates(name: string, opts: DomainCandidateOptions = {}): string[] {
  let d = stripTrailingDot(foldKey(name));
  if (d === '') return [];
  if (d.startsWith('[') && d.endsWith(']')) {
    d = normaliseIPv6In(d) ?? d;
    if (opts.exact) return [d];
    const inner = d.slice(1, -1);
    const wrap = (s: string): string => `[${s}]`;
    return inner.startsWith('ipv6:') ? ipv6Prefixes(inner.slice(5), wrap) : dottedPrefixes(inner, wrap);
  }
  if (opts.exact) return [d];
  const out: string[] = [];
  let rest = d;
  for (;;) {
    out.push(rest);
    const dot = rest.indexOf('.', 1);
    if (dot < 0) break;
    if (opts.dotDomain) out.push(rest.slice(dot));
    rest = rest.slice(dot + 1);
    if (rest === '') break;
  }
  return out;
}

/**
 * Client address `192.0.2.7`: `192.0.2.7`, `192.0.2`, `192.0`, `192`. IPv6 (`IPv6:` + any spelling,
 * or a bare address with colons): the 8 expanded groups, then one group fewer each time.
 */
export function addressCandidates(addr: string): string[] {
  let a = foldKey(addr);
  if (a === '') return [];
  if (a.startsWith('[') && a.endsWith(']')) a = a.slice(1, -1);
  if (!a.startsWith('ipv6:') && a.includes(':')) a = `ipv6:${a}`;
  if (a.startsWith('ipv6:')) {
    const body = normaliseIPv6Body(a.slice(5));
    if (body !== null) return ipv6Prefixes(body, (s) => s);
    return [a];
  }
  return dottedPrefixes(a, (s) => s);
}

function splitDetail(local: string): { user: string; detailed: boolean } {
  const plus = local.indexOf('+');
  return plus > 0 ? { user: local.slice(0, plus), detailed: true } : { user: local, detailed: false };
}

/** `user+detail@domain`: itself, `user+*@domain`, `user@domain`. No `@`: no candidates. */
export function fullCandidates(address: string): string[] {
  const a = foldKey(address);
  const at = a.lastIndexOf('@');
  if (at <= 0) return [];
  const local = a.slice(0, at);
  const written = stripTrailingDot(a.slice(at + 1));
  if (written === '') return [];
  const domain = normaliseIPv6In(written) ?? written;
  const { user, detailed } = splitDetail(local);
  return detailed ? [`${local}@${domain}`, `${user}+*@${domain}`, `${user}@${domain}`] : [`${local}@${domain}`];
}

/** Local part `user+detail` (a trailing `@` is allowed): `user+detail@`, `user+*@`, `user@`. */
export function userCandidates(localPart: string): string[] {
  let l = foldKey(localPart);
  if (l.endsWith('@')) l = l.slice(0, -1);
  if (l === '') return [];
  const { user, detailed } = splitDetail(l);
  return detailed ? [`${l}@`, `${user}+*@`, `${user}@`] : [`${l}@`];
}
