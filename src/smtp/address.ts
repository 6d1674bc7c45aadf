// Address syntax of MAIL, RCPT and VRFY (smtp-session.md §9 and the length limits of §3.2). A single
// hand-written scan per address: no regular expressions, so no backtracking on hostile input.

import { isIPv4, isIPv6 } from 'node:net';
import { REPLIES, reply, type Reply, type ReplyDef } from './replies.js';
import { normalizeDomain, unquote } from '../policy/canonical.js';
import { hasControl, hasNonAscii, octetLength, sanitizeEcho } from './sanitize.js';

export type AddressRole = 'MAIL' | 'RCPT' | 'VRFY';

/** What a local part names when it is delivered locally (aliases-forward.md §8 rule 11). */
export type AddressKind = 'mailbox' | 'program' | 'file' | 'include';

export interface AddressOptions {
  readonly role: AddressRole;
  /** SMTPUTF8 is in the EHLO list of this session. */
  readonly smtputf8Offered?: boolean;
  /** The transaction's MAIL carried SMTPUTF8 (for MAIL itself: its own parameters do). */
  readonly smtputf8Requested?: boolean;
}

export interface ParsedAddress {
  readonly ok: true;
  /** As the client typed it, brackets included: the `<addr>` of replies. */
  readonly typed: string;
  /** Without brackets, source route and comments; '' for the null sender `<>`. */
  readonly address: string;
  /** The local part as written (quotes kept). */
  readonly localPart: string;
  readonly domain: string | undefined;
  readonly quotedLocal: boolean;
  /** From the unquoted local part; meaningful only where the address is delivered locally. */
  readonly kind: AddressKind;
}

export type AddressResult = ParsedAddress | { readonly ok: false; readonly reply: Reply };

export const MAX_ADDRESS_OCTETS = 256;
export const MAX_LOCAL_OCTETS = 64;
export const MAX_DOMAIN_OCTETS = 255;
const SHORT_KEEP = 100;

function fail(d: ReplyDef, typed: string, vars?: Record<string, string>): AddressResult {
  return { ok: false, reply: reply(d, vars, typed) };
}

function isWhite(ch: string): boolean {
  return ch === ' ' || ch === '\t';
}

/**
 * Balance check of quotes, comments and angle brackets (sendmail's prescan texts) and removal of
 * comments. Returns the text without comments, or the unbalanced character.
 */
function stripComments(typed: string): { text: string } | { unbalanced: string } | { trailingBackslash: true } {
  let out = '';
  let quoted = false;
  let comment = 0;
  let angle = 0;
  let segment = 0;
  for (let i = 0; i < typed.length; i++) {
    const ch = typed[i];
    if (ch === '\\') {
      if (i + 1 >= typed.length) return { trailingBackslash: true };
      i++;
      continue;
    }
    if (quoted) {
      if (ch === '"') quoted = false;
      continue;
    }
    if (comment > 0) {
      if (ch === '(') comment++;
      else if (ch === ')' && --comment === 0) segment = i + 1;
      continue;
    }
    if (ch === '"') quoted = true;
    else if (ch === '(') {
      out += typed.slice(segment, i);
      comment = 1;
    } else if (ch === ')') return { unbalanced: ')' };
    else if (ch === '<') angle++;
    else if (ch === '>') {
      if (angle === 0) return { unbalanced: '>' };
      angle--;
    }
  }
  if (quoted) return { unbalanced: '"' };
  if (comment > 0) return { unbalanced: '(' };
  if (angle > 0) return { unbalanced: '<' };
  return { text: segment === 0 ? typed : out + typed.slice(segment) };
}

function trimWhite(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isWhite(s[a])) a++;
  while (b > a && isWhite(s[b - 1])) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** Index of the `>` matching the `<` at 0, skipping quoted text and escapes. */
function matchingAngle(s: string): number {
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '\\') {
      i++;
    } else if (quoted) {
      if (ch === '"') quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === '<') depth++;
    else if (ch === '>' && --depth === 0) return i;
  }
  return -1;
}

/** Facts about the unquoted characters of a string, in one scan. */
interface Scan {
  ats: number;
  lastAt: number;
  firstColon: number;
  angles: boolean;
  white: boolean;
  endsSemicolon: boolean;
}

function scan(s: string): Scan {
  const r: Scan = { ats: 0, lastAt: -1, firstColon: -1, angles: false, white: false, endsSemicolon: false };
  let quoted = false;
  let lastUnquoted = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '\\') {
      i++;
      lastUnquoted = '';
      continue;
    }
    if (quoted) {
      if (ch === '"') quoted = false;
      lastUnquoted = '';
      continue;
    }
    lastUnquoted = ch;
    if (ch === '"') quoted = true;
    else if (ch === '@') {
      r.ats++;
      r.lastAt = i;
    } else if (ch === ':') {
      if (r.firstColon < 0) r.firstColon = i;
    } else if (ch === '<' || ch === '>') r.angles = true;
    else if (isWhite(ch)) r.white = true;
  }
  r.endsSemicolon = lastUnquoted === ';';
  return r;
}

/** RFC 5322 group syntax `name: members;` (a `:include:` local part is not one). */
function isGroup(s: string, f: Scan): boolean {
  return f.endsSemicolon && f.firstColon > 0 && (f.lastAt < 0 || f.firstColon < f.lastAt) && !startsWithInclude(s);
}

/** `[...]` domain literal: IPv4 or `IPv6:` address. */
function literalOk(domain: string): boolean {
  if (domain.indexOf(']') !== domain.length - 1) return false;
  const inner = domain.slice(1, -1);
  if (inner.length > 5 && inner.slice(0, 5).toLowerCase() === 'ipv6:') return isIPv6(inner.slice(5));
  return isIPv4(inner);
}

type DomainCheck = 'ok' | 'invalidHost' | 'invalidAddress' | 'colon';

/** Domain syntax: a literal, or dot-separated labels with one optional trailing dot. */
export function checkDomain(domain: string): DomainCheck {
  if (domain.charCodeAt(0) === 0x5b /* [ */) return literalOk(domain) ? 'ok' : 'invalidAddress';
  if (octetLength(domain) > MAX_DOMAIN_OCTETS) return 'invalidHost';
  const end = domain.endsWith('.') ? domain.length - 1 : domain.length;
  if (end === 0) return 'invalidHost';
  let labelLength = 0;
  let result: DomainCheck = 'ok';
  for (let i = 0; i < end; i++) {
    const ch = domain[i];
    if (ch === '.') {
      if (labelLength === 0) result = 'invalidHost';
      labelLength = 0;
      continue;
    }
    labelLength++;
    if (ch === ':') return 'colon';
    if (ch === '"' || ch === '\\' || ch === '[' || ch === ']' || ch === ',' || ch === ';' || ch === '@') {
      result = 'invalidHost';
    }
  }
  if (labelLength === 0) return 'invalidHost';
  return result;
}

const DOMAIN_REPLY: Record<Exclude<DomainCheck, 'ok'>, ReplyDef> = {
  invalidHost: REPLIES.invalidHost,
  invalidAddress: REPLIES.invalidAddress,
  colon: REPLIES.colonInHost,
};

/**
 * Local part characters: atext, dots, quoted strings and backslash escapes. A `:include:` local part may
 * hold colons. Returns false on a special character that has no place there.
 */
function localOk(local: string, include: boolean): boolean {
  let quoted = false;
  for (let i = 0; i < local.length; i++) {
    const ch = local[i];
    if (ch === '\\') {
      i++;
      continue;
    }
    if (quoted) {
      if (ch === '"') quoted = false;
      continue;
    }
    if (ch === '"') quoted = true;
    else if (ch === ':') {
      if (!include) return false;
    } else if (ch === '[' || ch === ']' || ch === ',' || ch === ';') return false;
  }
  return true;
}

function startsWithInclude(s: string): boolean {
  return s.length >= 9 && s.slice(0, 9).toLowerCase() === ':include:';
}

export function kindOf(localPart: string): AddressKind {
  const u = unquote(localPart);
  const first = u.charAt(0);
  if (first === '|') return 'program';
  if (first === '/') return 'file';
  if (startsWithInclude(u)) return 'include';
  return 'mailbox';
}

/** `<s>`, the first 100 characters followed by `...`, for the address-too-long reply (§3.2). */
function tooLong(typed: string): AddressResult {
  const short = `${sanitizeEcho(typed.slice(0, SHORT_KEEP))}...`;
  return { ok: false, reply: reply(REPLIES.addressTooLong, { short }, short) };
}

function eightBit(typed: string, role: AddressRole): AddressResult {
  const d = role === 'MAIL' ? REPLIES.eightBitSender : REPLIES.eightBitRecipient;
  return { ok: false, reply: reply(d, { value: sanitizeEcho(typed) }) };
}

/** Parses one path as typed in MAIL, RCPT or VRFY. */
export function parseAddress(typed: string, opts: AddressOptions): AddressResult {
  if (octetLength(typed) > MAX_ADDRESS_OCTETS) return tooLong(typed);
  if (hasControl(typed)) return eightBit(typed, opts.role);
  if (opts.smtputf8Requested !== true && hasNonAscii(typed)) {
    return opts.smtputf8Offered === true ? fail(REPLIES.needSmtputf8, typed) : eightBit(typed, opts.role);
  }

  const stripped = stripComments(typed);
  if ('unbalanced' in stripped) return fail(REPLIES.unbalanced, typed, { char: stripped.unbalanced });
  if ('trailingBackslash' in stripped) return fail(REPLIES.invalidAddress, typed);

  let s = trimWhite(stripped.text);
  while (s.charCodeAt(0) === 0x3c /* < */ && matchingAngle(s) === s.length - 1) s = trimWhite(s.slice(1, -1));

  if (s.length === 0) {
    if (opts.role === 'MAIL') {
      return { ok: true, typed, address: '', localPart: '', domain: undefined, quotedLocal: false, kind: 'mailbox' };
    }
    return fail(REPLIES.userAddressRequired, typed);
  }

  let facts = scan(s);
  if (isGroup(s, facts)) return fail(opts.role === 'RCPT' ? REPLIES.listSyntax : REPLIES.invalidAddress, typed);
  if (facts.angles || facts.white) return fail(REPLIES.invalidAddress, typed);

  if (s.charCodeAt(0) === 0x40 /* @ */) {
    // Source route `@a,@b:user@host` (RFC 5321 §4.1.1.3): checked, then dropped.
    if (facts.firstColon < 0) return fail(REPLIES.userAddressRequired9, typed);
    for (const hop of s.slice(0, facts.firstColon).split(',')) {
      if (hop.charCodeAt(0) !== 0x40 || checkDomain(hop.slice(1)) !== 'ok') return fail(REPLIES.invalidRoute, typed);
    }
    s = s.slice(facts.firstColon + 1);
    facts = scan(s);
  }

  const include = startsWithInclude(s);
  if (isGroup(s, facts)) return fail(opts.role === 'RCPT' ? REPLIES.listSyntax : REPLIES.invalidAddress, typed);
  if (facts.ats > 1) return fail(REPLIES.invalidRoute, typed);

  const localPart = facts.lastAt < 0 ? s : s.slice(0, facts.lastAt);
  const domain = facts.lastAt < 0 ? undefined : s.slice(facts.lastAt + 1);
  if (localPart.length === 0) return fail(REPLIES.userAddressRequired9, typed);
  if (domain !== undefined && domain.length === 0) return fail(REPLIES.hostnameRequired, typed);
  if (!localOk(localPart, include)) return fail(REPLIES.invalidAddress, typed);
  if (octetLength(localPart) > MAX_LOCAL_OCTETS) return fail(REPLIES.localPartTooLong, typed);
  if (domain !== undefined) {
    const check = checkDomain(domain);
    if (check !== 'ok') return fail(DOMAIN_REPLY[check], typed);
  }
  return {
    ok: true,
    typed,
    address: s,
    localPart,
    domain,
    quotedLocal: unquote(localPart) !== localPart,
    kind: kindOf(localPart),
  };
}

/**
 * §7 step 5: a program, file or :include: given directly as a recipient is refused when it would be
 * delivered locally (no domain, or a local one). Returns the 550 reply, or undefined.
 */
export function directRecipientReply(a: ParsedAddress, isLocalDomain: (domain: string) => boolean): Reply | undefined {
  if (a.kind === 'mailbox') return undefined;
  if (a.domain !== undefined && !isLocalDomain(normalizeDomain(a.domain))) return undefined;
  const d = a.kind === 'program' ? REPLIES.mailToProgram : a.kind === 'file' ? REPLIES.mailToFile : REPLIES.mailToInclude;
  return reply(d, undefined, a.typed);
}
