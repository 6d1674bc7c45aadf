// Splits the argument of MAIL and RCPT into the path and the ESMTP parameters (smtp-session.md §6 step 4,
// §7 step 3, §3.2). The path is returned as typed; address syntax is address.ts's job, parameter meaning
// params.ts's.

import { REPLIES, reply, type Reply } from './replies.js';
import { sanitizeEcho } from './sanitize.js';

export const MAX_PARAMETERS = 20;

export type MailRcptArg =
  | { readonly ok: true; readonly path: string; readonly params: readonly string[] }
  | { readonly ok: false; readonly reply: Reply };

const SPACE = 0x20;
const TAB = 0x09;
const COLON = 0x3a;

function isWhite(c: number): boolean {
  return c === SPACE || c === TAB;
}

function scanning(word: string): MailRcptArg {
  return { ok: false, reply: reply(REPLIES.syntaxScanning, { word: sanitizeEcho(word) }) };
}

/**
 * Where the path that starts at `from` ends: the first white space outside double quotes, angle
 * brackets and parenthesised comments. A backslash protects the next character.
 */
function pathEnd(s: string, from: number): number {
  let angle = 0;
  let comment = 0;
  let quoted = false;
  for (let i = from; i < s.length; i++) {
    const ch = s[i];
    if (ch === '\\') {
      i++;
      continue;
    }
    if (quoted) {
      if (ch === '"') quoted = false;
    } else if (comment > 0) {
      if (ch === '(') comment++;
      else if (ch === ')') comment--;
    } else if (ch === '"') quoted = true;
    else if (ch === '(') comment++;
    else if (ch === '<') angle++;
    else if (ch === '>') {
      if (angle > 0) angle--;
    } else if (angle === 0 && isWhite(s.charCodeAt(i))) return i;
  }
  return s.length;
}

/**
 * `arg` is everything after the verb. `keyword` is FROM for MAIL and TO for RCPT. Returns the path as
 * typed (brackets included) and the space-separated parameters, or the 501 reply.
 */
export function parseMailRcptArg(arg: string, keyword: 'FROM' | 'TO'): MailRcptArg {
  let i = 0;
  const n = arg.length;
  while (i < n && isWhite(arg.charCodeAt(i))) i++;
  const wordStart = i;
  while (i < n) {
    const c = arg.charCodeAt(i);
    if (c === COLON || isWhite(c)) break;
    i++;
  }
  const word = arg.slice(wordStart, i);
  if (word.length !== keyword.length || word.toUpperCase() !== keyword) return scanning(word);
  while (i < n && isWhite(arg.charCodeAt(i))) i++;
  if (i >= n || arg.charCodeAt(i) !== COLON) return scanning(word);
  i++;
  while (i < n && isWhite(arg.charCodeAt(i))) i++;
  if (i >= n) return scanning(word);

  const end = pathEnd(arg, i);
  const path = arg.slice(i, end);
  const params: string[] = [];
  let j = end;
  while (j < n) {
    while (j < n && isWhite(arg.charCodeAt(j))) j++;
    if (j >= n) break;
    const start = j;
    while (j < n && !isWhite(arg.charCodeAt(j))) j++;
    params.push(arg.slice(start, j));
    if (params.length > MAX_PARAMETERS) return { ok: false, reply: reply(REPLIES.tooManyParams) };
  }
  return { ok: true, path, params };
}
