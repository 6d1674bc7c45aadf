// ESMTP parameters of MAIL (smtp-session.md §6.2) and RCPT (§7.2), read left to right like sendmail's
// parse_esmtp_args(): the first bad parameter gives the reply.

import { REPLIES, reply, type Reply } from './replies.js';
import { sanitizeEcho } from './sanitize.js';
import { decodeXtext } from './xtext.js';

export interface MailParams {
  /** SIZE= as strtol reads it (0 for text that is not a number). */
  size?: number;
  body?: '7BIT' | '8BITMIME';
  ret?: 'FULL' | 'HDRS';
  /** ENVID= decoded from xtext. */
  envid?: string;
  /** AUTH= decoded from xtext (`<>` stays `<>`); to be trusted only in an authenticated session. */
  auth?: string;
  smtputf8?: boolean;
}

export type NotifyWord = 'SUCCESS' | 'FAILURE' | 'DELAY' | 'NEVER';

export interface Orcpt {
  /** The addr-type atom as given (normally rfc822). */
  readonly type: string;
  /** The address decoded from xtext. */
  readonly address: string;
  /** The parameter value as given: `type;xtext`. */
  readonly raw: string;
}

export interface RcptParams {
  notify?: NotifyWord[];
  orcpt?: Orcpt;
}

export type Parsed<T> = ({ readonly ok: true } & T) | { readonly ok: false; readonly reply: Reply };

interface Param {
  /** The leading run of letters, digits and `-`, as typed. */
  readonly keyword: string;
  /** undefined when there is no `=`. */
  readonly value: string | undefined;
}

function isKeywordChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2d;
}

function isControl(c: number): boolean {
  return c < 0x20 || c === 0x7f;
}

/**
 * sendmail's split of one space-separated word: keyword, then `=value` up to the next `=` or control
 * character; the character that ends a parameter is dropped and whatever follows it is the next
 * parameter (so `<c@d.example>` is a parameter with an empty keyword).
 */
function* splitParams(tokens: readonly string[]): Generator<Param> {
  for (const t of tokens) {
    let p = 0;
    while (p < t.length) {
      const k = p;
      while (p < t.length && isKeywordChar(t.charCodeAt(p))) p++;
      const keyword = t.slice(k, p);
      let value: string | undefined;
      if (t.charCodeAt(p) === 0x3d /* = */) {
        const v = ++p;
        while (p < t.length && t.charCodeAt(p) !== 0x3d && !isControl(t.charCodeAt(p))) p++;
        value = t.slice(v, p);
      }
      if (p < t.length) p++;
      yield { keyword, value };
    }
  }
}

function refuse(r: Reply): { ok: false; reply: Reply } {
  return { ok: false, reply: r };
}

const unrecognized = (keyword: string): { ok: false; reply: Reply } =>
  refuse(reply(REPLIES.paramUnrecognized, { keyword }));

const LONG_MAX = 9223372036854775807n;

/** C strtol on a SIZE value: sign, leading digits; overflow is reported, not clamped. */
function readSize(v: string): { size: number } | { error: 'overflow' | 'negative' } {
  let i = 0;
  let negative = false;
  if (v[0] === '+' || v[0] === '-') {
    negative = v[0] === '-';
    i = 1;
  }
  while (v[i] === '0') i++;
  const start = i;
  while (i < v.length && v.charCodeAt(i) >= 0x30 && v.charCodeAt(i) <= 0x39) i++;
  const digits = v.slice(start, i);
  if (digits.length === 0) return { size: 0 };
  if (negative) return { error: 'negative' };
  if (digits.length > 18 && BigInt(digits) > LONG_MAX) return { error: 'overflow' };
  return { size: Number(digits) };
}

const MAX_ENVID = 100;

export interface MailParamOptions {
  /** DSN is in the EHLO list (not noreceipts). */
  readonly dsnOffered: boolean;
  readonly smtputf8Offered: boolean;
}

export function parseMailParams(tokens: readonly string[], opts: MailParamOptions): Parsed<MailParams> {
  const out: MailParams = {};
  for (const { keyword, value } of splitParams(tokens)) {
    switch (keyword.toUpperCase()) {
      case 'SIZE': {
        if (value === undefined) return refuse(reply(REPLIES.paramNeedsValue, { param: 'SIZE' }));
        const r = readSize(value);
        if ('error' in r) return refuse(reply(r.error === 'overflow' ? REPLIES.sizeOverflow : REPLIES.sizeInvalid));
        out.size = r.size;
        break;
      }
      case 'BODY': {
        if (value === undefined) return refuse(reply(REPLIES.paramNeedsValue, { param: 'BODY' }));
        const v = value.toUpperCase();
        if (v !== '7BIT' && v !== '8BITMIME') return refuse(reply(REPLIES.unknownBody, { value: sanitizeEcho(value) }));
        out.body = v;
        break;
      }
      case 'RET': {
        if (!opts.dsnOffered) return refuse(reply(REPLIES.dsnNotAllowed, { param: 'RET' }));
        if (value === undefined) return refuse(reply(REPLIES.paramNeedsValue, { param: 'RET' }));
        if (out.ret !== undefined) return refuse(reply(REPLIES.duplicateParam, { param: 'RET' }));
        const v = value.toUpperCase();
        if (v !== 'FULL' && v !== 'HDRS') return refuse(reply(REPLIES.badRet, { value: sanitizeEcho(value) }));
        out.ret = v;
        break;
      }
      case 'ENVID': {
        if (!opts.dsnOffered) return refuse(reply(REPLIES.dsnNotAllowed, { param: 'ENVID' }));
        if (value === undefined) return refuse(reply(REPLIES.paramNeedsValue, { param: 'ENVID' }));
        const decoded = decodeXtext(value);
        if (decoded === undefined || decoded.length > MAX_ENVID) {
          return refuse(reply(REPLIES.badParamValue, { param: 'ENVID' }));
        }
        if (out.envid !== undefined) return refuse(reply(REPLIES.duplicateParam, { param: 'ENVID' }));
        out.envid = decoded;
        break;
      }
      case 'AUTH': {
        if (value === undefined) return refuse(reply(REPLIES.authParamNeedsValue));
        if (out.auth !== undefined) return refuse(reply(REPLIES.duplicateParam, { param: 'AUTH' }));
        const decoded = decodeXtext(value);
        if (decoded === undefined) return refuse(reply(REPLIES.badParamValue, { param: 'AUTH' }));
        out.auth = decoded;
        break;
      }
      case 'SMTPUTF8':
        if (!opts.smtputf8Offered) return unrecognized(keyword);
        if (value !== undefined) return refuse(reply(REPLIES.smtputf8NoValue));
        out.smtputf8 = true;
        break;
      default:
        return unrecognized(keyword);
    }
  }
  return { ok: true, ...out };
}

/**
 * Whether MAIL's parameters ask for SMTPUTF8: the address check (§6 step 5) runs before the parameters
 * are read (step 6) but needs to know.
 */
export function requestsSmtputf8(tokens: readonly string[]): boolean {
  for (const { keyword } of splitParams(tokens)) if (keyword.toUpperCase() === 'SMTPUTF8') return true;
  return false;
}

function isNotifyWord(w: string): w is Exclude<NotifyWord, 'NEVER'> {
  return w === 'SUCCESS' || w === 'FAILURE' || w === 'DELAY';
}

/** RFC 3461 addr-type: an atom. */
function isAtom(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || '()<>@,;:\\".[]'.includes(s[i])) return false;
  }
  return true;
}

export interface RcptParamOptions {
  readonly dsnOffered: boolean;
}

export function parseRcptParams(tokens: readonly string[], opts: RcptParamOptions): Parsed<RcptParams> {
  const out: RcptParams = {};
  for (const { keyword, value } of splitParams(tokens)) {
    switch (keyword.toUpperCase()) {
      case 'NOTIFY': {
        if (!opts.dsnOffered) return refuse(reply(REPLIES.dsnNotAllowed, { param: 'NOTIFY' }));
        if (value === undefined) return refuse(reply(REPLIES.paramNeedsValue, { param: 'NOTIFY' }));
        if (value.toUpperCase() === 'NEVER') {
          out.notify = ['NEVER'];
          break;
        }
        const words: NotifyWord[] = [];
        for (const w of value.split(',')) {
          const u = w.toUpperCase();
          if (!isNotifyWord(u)) return refuse(reply(REPLIES.badNotify, { word: sanitizeEcho(w) }));
          if (!words.includes(u)) words.push(u);
        }
        out.notify = words;
        break;
      }
      case 'ORCPT': {
        if (!opts.dsnOffered) return refuse(reply(REPLIES.dsnNotAllowed, { param: 'ORCPT' }));
        if (value === undefined) return refuse(reply(REPLIES.paramNeedsValue, { param: 'ORCPT' }));
        if (out.orcpt !== undefined) return refuse(reply(REPLIES.duplicateParam, { param: 'ORCPT' }));
        const semi = value.indexOf(';');
        const type = semi < 0 ? '' : value.slice(0, semi);
        const address = semi < 0 ? undefined : decodeXtext(value.slice(semi + 1));
        if (address === undefined || !isAtom(type)) return refuse(reply(REPLIES.badParamValue, { param: 'ORCPT' }));
        out.orcpt = { type, address, raw: value };
        break;
      }
      default:
        return unrecognized(keyword);
    }
  }
  return { ok: true, ...out };
}
