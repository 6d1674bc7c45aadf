// Splits the input into m4 tokens: words, quoted strings (one level of quotes removed), comments and
// other text. The order of the checks is GNU m4's: comment start, then word, then open quote.

import type { SourceLoc } from './engine.js';
import type { InputStack } from './input.js';

export type TokenKind = 'word' | 'string' | 'comment' | 'other' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Words and other text as read; strings without their outer quotes; comments with their delimiters. */
  text: string;
  loc: SourceLoc;
  /** Read from a file (so line numbers advance with its newlines) rather than from an expansion. */
  fromFile: boolean;
}

/** Quote and comment delimiters; empty open delimiter = disabled. sendmail's cf.m4 calls changecom(),
 *  so comments start disabled. */
export interface Syntax {
  lquote: string;
  rquote: string;
  bcomm: string;
  ecomm: string;
}

export class UnterminatedError extends Error {
  constructor(
    readonly what: 'string' | 'comment',
    readonly loc: SourceLoc,
  ) {
    super(`end of input in ${what}`);
  }
}

const WORD_START = /[A-Za-z_]/;
const WORD_REST = /[A-Za-z0-9_]*/y;

function charClass(chars: string): string {
  return chars.replace(/[\\\]^-]/g, '\\$&');
}

export class Lexer {
  private stopRe: RegExp;
  private quoteRe: RegExp | undefined;
  private commentRe: RegExp | undefined;

  constructor(
    private readonly input: InputStack,
    readonly syntax: Syntax,
  ) {
    this.stopRe = /./g;
    this.syntaxChanged();
  }

  /** Must be called after the delimiters change. */
  syntaxChanged(): void {
    const { lquote, rquote, bcomm, ecomm } = this.syntax;
    this.stopRe = new RegExp(`[A-Za-z_(),\\n${charClass((lquote[0] ?? '') + (bcomm[0] ?? ''))}]`, 'g');
    this.quoteRe = lquote === '' ? undefined : new RegExp(`[${charClass(lquote[0] + (rquote[0] ?? ''))}]`, 'g');
    this.commentRe = bcomm === '' ? undefined : new RegExp(`[${charClass(ecomm[0] ?? '\n')}]`, 'g');
  }

  next(): Token {
    const input = this.input;
    const s = input.current();
    if (s === undefined) return { kind: 'eof', text: '', loc: input.loc(), fromFile: false };
    const loc = { file: s.file, line: s.line };
    const fromFile = s.isFile;
    const c = s.text[s.pos] as string;
    const { lquote, bcomm } = this.syntax;
    if (bcomm !== '' && c === bcomm[0] && input.startsWith(bcomm)) {
      return { kind: 'comment', text: this.readComment(loc), loc, fromFile };
    }
    if (WORD_START.test(c)) return { kind: 'word', text: this.readWord(), loc, fromFile };
    if (lquote !== '' && c === lquote[0] && input.startsWith(lquote)) {
      return { kind: 'string', text: this.readString(loc), loc, fromFile };
    }
    const re = this.stopRe;
    re.lastIndex = s.pos + 1;
    let end = s.pos + 1;
    if (c !== '\n' && c !== '(' && c !== ')' && c !== ',') {
      const m = re.exec(s.text);
      end = m === null ? s.text.length : m.index;
    }
    const text = s.text.slice(s.pos, end);
    input.advance(s, end - s.pos);
    return { kind: 'other', text, loc, fromFile };
  }

  private readWord(): string {
    let word = '';
    let s = this.input.current();
    let first = true;
    while (s !== undefined) {
      WORD_REST.lastIndex = first ? s.pos + 1 : s.pos;
      WORD_REST.exec(s.text);
      const end = WORD_REST.lastIndex;
      word += s.text.slice(s.pos, end);
      s.pos = end;
      first = false;
      if (end < s.text.length) break;
      // The word may go on in the next source, as in GNU m4.
      s = this.input.current();
      if (s === undefined || !/[A-Za-z0-9_]/.test(s.text[s.pos] as string)) break;
    }
    return word;
  }

  private readString(start: SourceLoc): string {
    const input = this.input;
    const { lquote, rquote } = this.syntax;
    const re = this.quoteRe as RegExp;
    input.skip(lquote.length);
    let depth = 1;
    const parts: string[] = [];
    for (;;) {
      const s = input.current();
      if (s === undefined) throw new UnterminatedError('string', start);
      // The close quote is checked first, so equal delimiters do not nest (GNU m4).
      if (rquote !== '' && input.startsWith(rquote)) {
        input.skip(rquote.length);
        if (--depth === 0) break;
        parts.push(rquote);
        continue;
      }
      if (input.startsWith(lquote)) {
        input.skip(lquote.length);
        depth++;
        parts.push(lquote);
        continue;
      }
      re.lastIndex = s.pos + 1;
      const m = re.exec(s.text);
      const end = m === null ? s.text.length : m.index;
      parts.push(s.text.slice(s.pos, end));
      input.advance(s, end - s.pos);
    }
    return parts.join('');
  }

  private readComment(start: SourceLoc): string {
    const input = this.input;
    const { bcomm } = this.syntax;
    const ecomm = this.syntax.ecomm === '' ? '\n' : this.syntax.ecomm;
    const re = this.commentRe as RegExp;
    input.skip(bcomm.length);
    const parts: string[] = [bcomm];
    for (;;) {
      const s = input.current();
      if (s === undefined) throw new UnterminatedError('comment', start);
      if (input.startsWith(ecomm)) {
        input.skip(ecomm.length);
        parts.push(ecomm);
        break;
      }
      re.lastIndex = s.pos + 1;
      const m = re.exec(s.text);
      const end = m === null ? s.text.length : m.index;
      parts.push(s.text.slice(s.pos, end));
      input.advance(s, end - s.pos);
    }
    return parts.join('');
  }
}
