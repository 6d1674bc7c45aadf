// The argument checks of HELO and EHLO (smtp-session.md §5 steps 1-3, sendmail srvrsmtp.c). No DNS.

import { REPLIES, reply, type Reply } from './replies.js';
import { sanitizeValue } from './sanitize.js';

export const MAX_HELO_LENGTH = 256;

export type HeloCheck =
  /** `name` becomes $s; `bogus` selects the "accepting invalid domain name" reply. */
  | { readonly ok: true; readonly name: string; readonly bogus: boolean }
  | { readonly ok: false; readonly reply: Reply };

function isHeloChar(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x39) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    c === 0x5b /* [ */ ||
    c === 0x5d /* ] */ ||
    c === 0x2e /* . */ ||
    c === 0x2d /* - */ ||
    c === 0x5f /* _ */ ||
    c === 0x23 /* # */ ||
    c === 0x3a /* : */
  );
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/**
 * `verb` is the verb exactly as typed (it is echoed in the empty-argument reply), `arg` the text after
 * it with leading spaces removed. With `allowBogus` (AllowBogusHELO) an empty or invalid argument is
 * accepted; an invalid one is then cut at its first space, as sendmail does.
 */
export function checkHeloArg(verb: string, arg: string, allowBogus: boolean): HeloCheck {
  if (arg.length === 0) {
    return allowBogus ? { ok: true, name: '', bogus: false } : { ok: false, reply: reply(REPLIES.heloNeedsDomain, { verb }) };
  }
  if (arg.length > MAX_HELO_LENGTH) return { ok: false, reply: reply(REPLIES.heloInvalid) };
  let i = 0;
  while (i < arg.length && isHeloChar(arg.charCodeAt(i))) i++;
  if (i === arg.length) return { ok: true, name: arg, bogus: false };
  let j = i;
  while (j < arg.length && isSpace(arg.charCodeAt(j))) j++;
  if (j > i && j === arg.length) return { ok: true, name: arg.slice(0, i), bogus: false };
  if (!allowBogus) return { ok: false, reply: reply(REPLIES.heloInvalid) };
  let end = 0;
  while (end < arg.length && !isSpace(arg.charCodeAt(end))) end++;
  return { ok: true, name: sanitizeValue(arg.slice(0, end)), bogus: true };
}
