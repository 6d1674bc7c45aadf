// The m4 input stack: files being read and expansion texts pushed back for rescanning. Like GNU m4,
// reading crosses from one source to the next transparently (a word, a quoted string or an argument list
// may continue past the end of an expansion or of an included file).

import type { SourceLoc } from './engine.js';

export interface Source {
  readonly text: string;
  pos: number;
  readonly file: string;
  /** File sources: line of the character at `pos`. Expansion texts: the line of the macro call. */
  line: number;
  readonly isFile: boolean;
}

export class InputStack {
  private readonly stack: Source[] = [];

  /** Sources holding unread text (exhausted ones are dropped lazily). */
  get depth(): number {
    this.current();
    return this.stack.length;
  }

  fileDepth(): number {
    this.current();
    let n = 0;
    for (const s of this.stack) if (s.isFile) n++;
    return n;
  }

  pushFile(text: string, file: string): void {
    this.current();
    this.stack.push({ text, pos: 0, file, line: 1, isFile: true });
  }

  pushString(text: string, loc: SourceLoc): void {
    if (text.length === 0) return;
    this.current();
    this.stack.push({ text, pos: 0, file: loc.file, line: loc.line, isFile: false });
  }

  /** The source the next character comes from, or undefined at the end of all input. */
  current(): Source | undefined {
    let s = this.stack[this.stack.length - 1];
    while (s !== undefined && s.pos >= s.text.length) {
      this.stack.pop();
      s = this.stack[this.stack.length - 1];
    }
    return s;
  }

  /** Location of the next character (or of the end of input). */
  loc(): SourceLoc {
    const s = this.current();
    return s === undefined ? { file: '', line: 0 } : { file: s.file, line: s.line };
  }

  /** The next character, '' at the end of input. */
  peek(): string {
    const s = this.current();
    return s === undefined ? '' : (s.text[s.pos] as string);
  }

  /** Consume n characters of source s (which must be current), keeping its line count right. */
  advance(s: Source, n: number): void {
    const end = s.pos + n;
    if (s.isFile) {
      // Only the consumed slice is searched: scanning ahead to a far newline would make long lines quadratic.
      for (let i = s.pos; i < end; i++) if (s.text.charCodeAt(i) === 10) s.line++;
    }
    s.pos = end;
  }

  /** Consume and return one character, '' at the end of input. */
  next(): string {
    const s = this.current();
    if (s === undefined) return '';
    const c = s.text[s.pos] as string;
    s.pos++;
    if (c === '\n' && s.isFile) s.line++;
    return c;
  }

  /** Whether the coming input starts with `delim` (possibly spread over several sources). */
  startsWith(delim: string): boolean {
    let k = 0;
    for (let i = this.stack.length - 1; i >= 0 && k < delim.length; i--) {
      const s = this.stack[i] as Source;
      for (let p = s.pos; p < s.text.length && k < delim.length; p++, k++) {
        if (s.text[p] !== delim[k]) return false;
      }
    }
    return k === delim.length;
  }

  /** Consume n characters, whatever sources they come from. */
  skip(n: number): void {
    for (let i = 0; i < n; i++) this.next();
  }
}
