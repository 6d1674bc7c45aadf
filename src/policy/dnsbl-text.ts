// The reply texts of FEATURE(dnsbl/enhdnsbl) arguments 2 and 3 (relay-and-access.md §8.1). They are
// written in sendmail's rule syntax, e.g. `"550 Mail from " $&{client_addr} " refused"`: quoted
// strings, bare words and macros, expanded when a client is looked up.
//
// The text is rebuilt the way sendmail's error mailer does (parseaddr.c buildaddr/cataddr): the
// pieces are joined without white space, except that one space separates two adjacent words; quoted
// strings and special characters ( ( ) < > , ; and the OperatorChars . : % @ ! ^ / [ ] + ) never get
// one; quotes are removed. So `"550 Rejected: " $&{client_addr} " listed"` reads
// `550 Rejected: 192.0.2.1 listed` and `550 go away` reads `550 go away`.
// [Postern] macros inside a quoted string are expanded too (sendmail would send them unexpanded).

import { sanitizeValue } from '../smtp/sanitize.js';

export type MacroLookup = (name: string) => string | undefined;

type QuotedPart = string | { macro: string };

type Piece =
  | { kind: 'atom'; text: string }
  | { kind: 'special'; text: string }
  | { kind: 'quoted'; parts: QuotedPart[] }
  | { kind: 'macro'; name: string };

export interface RuleText {
  readonly source: string;
  readonly pieces: readonly Piece[];
}

const SPECIALS = new Set([...'()<>,;', ...'.:%@!^/[]+']);

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r';
}

/** Reads `$x`, `${name}`, `$&x`, `$&{name}` at i (the `$`); `$$` is a literal dollar. */
function readMacro(src: string, i: number): { name?: string; literal?: string; next: number } | string {
  let j = i + 1;
  if (src[j] === '$') return { literal: '$', next: j + 1 };
  if (src[j] === '&') j++;
  if (src[j] === '{') {
    const close = src.indexOf('}', j + 1);
    if (close < 0) return 'unterminated ${';
    const name = src.slice(j + 1, close);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return `invalid macro name "${name}"`;
    return { name, next: close + 1 };
  }
  const c = src[j];
  if (c !== undefined && /^[A-Za-z_]$/.test(c)) return { name: c, next: j + 1 };
  return `"${src.slice(i, j + 1)}" is not a macro (only $x, \${name}, $&x, $&{name} and $$ may appear here)`;
}

export function parseRuleText(source: string): { ok: true; text: RuleText } | { ok: false; error: string } {
  const pieces: Piece[] = [];
  let atom = '';
  const flush = (): void => {
    if (atom !== '') pieces.push({ kind: 'atom', text: atom });
    atom = '';
  };
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (isSpace(c)) {
      flush();
      i++;
    } else if (c === '\\') {
      atom += source[i + 1] ?? '';
      i += 2;
    } else if (c === '"') {
      flush();
      const parts: QuotedPart[] = [];
      let lit = '';
      let j = i + 1;
      for (;;) {
        if (j >= source.length) return { ok: false, error: `unbalanced " in ${source}` };
        const q = source[j]!;
        if (q === '"') break;
        if (q === '\\') {
          lit += source[j + 1] ?? '';
          j += 2;
        } else if (q === '$') {
          const m = readMacro(source, j);
          if (typeof m === 'string') return { ok: false, error: m };
          if (m.literal !== undefined) lit += m.literal;
          else {
            if (lit !== '') parts.push(lit);
            lit = '';
            parts.push({ macro: m.name! });
          }
          j = m.next;
        } else {
          lit += q;
          j++;
        }
      }
      if (lit !== '') parts.push(lit);
      pieces.push({ kind: 'quoted', parts });
      i = j + 1;
    } else if (c === '$') {
      const m = readMacro(source, i);
      if (typeof m === 'string') return { ok: false, error: m };
      if (m.literal !== undefined) atom += m.literal;
      else {
        flush();
        pieces.push({ kind: 'macro', name: m.name! });
      }
      i = m.next;
    } else if (SPECIALS.has(c)) {
      flush();
      pieces.push({ kind: 'special', text: c });
      i++;
    } else {
      atom += c;
      i++;
    }
  }
  flush();
  return { ok: true, text: { source, pieces } };
}

interface Token {
  atom: boolean;
  text: string;
}

/** A macro value as tokens: the value is cut like any other text, and its quotes are dropped. */
function valueTokens(value: string): Token[] {
  const out: Token[] = [];
  let atom = '';
  const flush = (): void => {
    if (atom !== '') out.push({ atom: true, text: atom });
    atom = '';
  };
  for (const c of sanitizeValue(value).replace(/"/g, '')) {
    if (isSpace(c)) flush();
    else if (SPECIALS.has(c)) {
      flush();
      out.push({ atom: false, text: c });
    } else atom += c;
  }
  flush();
  return out;
}

/** The text with its macros expanded, rebuilt as sendmail's error mailer would. */
export function renderRuleText(t: RuleText, lookup: MacroLookup): string {
  const tokens: Token[] = [];
  for (const p of t.pieces) {
    if (p.kind === 'atom') tokens.push({ atom: true, text: p.text });
    else if (p.kind === 'special') tokens.push({ atom: false, text: p.text });
    else if (p.kind === 'macro') tokens.push(...valueTokens(lookup(p.name) ?? ''));
    else {
      const text = p.parts.map((q) => (typeof q === 'string' ? q : sanitizeValue(lookup(q.macro) ?? ''))).join('');
      tokens.push({ atom: false, text });
    }
  }
  let out = '';
  let prevAtom = false;
  for (const tok of tokens) {
    if (prevAtom && tok.atom) out += ' ';
    out += tok.text;
    prevAtom = tok.atom;
  }
  // Configured text may hold a line break inside quotes; a reply line never may.
  return sanitizeValue(out);
}

export interface TextReply {
  code: number;
  enh: string;
  text: string;
}

/**
 * Splits a rendered text into reply code, enhanced code and text. A text that starts with its own
 * code keeps it, and its own enhanced code if it gives one of the same class; otherwise `dflt`
 * supplies them (the enhanced code moved to the class of the reply code if they differ).
 * [Postern] sendmail answers a text without a reply code with `553 5.3.0`; Postern uses the default
 * code of the case (550 listed, 451 temporary failure).
 */
export function splitReply(rendered: string, dflt: { code: number; enh: string }): TextReply {
  const m = /^([45]\d\d)(?: +(.*))?$/s.exec(rendered);
  if (m === null) return { code: dflt.code, enh: dflt.enh, text: rendered };
  const code = Number(m[1]);
  let text = m[2] ?? '';
  const cls = m[1]!.charAt(0);
  let enh = dflt.enh.charAt(0) === cls ? dflt.enh : `${cls}${dflt.enh.slice(1)}`;
  const e = /^([245]\.\d{1,3}\.\d{1,3})(?: +(.*))?$/s.exec(text);
  if (e !== null && e[1]!.charAt(0) === cls) {
    enh = e[1]!;
    text = e[2] ?? '';
  }
  return { code, enh, text };
}

/** The reply code a text starts with when expanded without any macro, for checks at load time. */
export function staticReplyCode(t: RuleText): string | undefined {
  return /^(\d{3})(?:\s|$)/.exec(renderRuleText(t, () => undefined))?.[1];
}
