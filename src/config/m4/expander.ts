// The m4 expansion loop: reads tokens, calls macros (built-in, host and user), collects their
// arguments with macro expansion (m4 semantics) and pushes their expansions back for rescanning.

import type { Diagnostic, Severity } from '../../util/diagnostics.js';
import { BUILTINS } from './builtins.js';
import type { HostMacro, M4Context, M4Options, OutputChunk, SourceLoc } from './engine.js';
import { InputStack } from './input.js';
import { Lexer, UnterminatedError, type Syntax, type Token } from './lexer.js';
import { M4Abort, type M4Limits } from './limits.js';
import { MacroTable, type Definition } from './macro-table.js';
import { OutputCollector } from './output.js';
import { substituteArgs } from './user-macro.js';

export interface ExpanderOptions {
  limits: M4Limits;
  diagnostics: Diagnostic[];
  hostMacros: Record<string, HostMacro>;
  readInclude: M4Options['readInclude'];
  /** For a final-state expansion: a copy of the table and delimiters at the end of the run. */
  table?: MacroTable;
  syntax?: Syntax;
}

const SPACE = new Set([' ', '\t', '\n', '\r', '\v', '\f']);

export const DEFAULT_SYNTAX: Readonly<Syntax> = { lquote: '`', rquote: "'", bcomm: '', ecomm: '' };

export class Expander {
  readonly table: MacroTable;
  readonly syntax: Syntax;
  readonly input = new InputStack();
  readonly lexer: Lexer;
  readonly limits: M4Limits;
  private readonly out = new OutputCollector();
  private divertNo = 0;
  /** Argument lists being collected. */
  private nesting = 0;
  private calls = 0;
  private invokeDepth = 0;
  private expansionChars = 0;
  private readonly ctx: M4Context;

  constructor(private readonly opts: ExpanderOptions) {
    this.limits = opts.limits;
    this.syntax = opts.syntax ?? { ...DEFAULT_SYNTAX };
    this.lexer = new Lexer(this.input, this.syntax);
    if (opts.table !== undefined) {
      this.table = opts.table;
    } else {
      this.table = new MacroTable();
      for (const name of Object.keys(BUILTINS)) this.table.define(name, { kind: 'builtin', name });
      for (const [name, fn] of Object.entries(opts.hostMacros)) this.table.define(name, { kind: 'host', name, fn });
    }
    this.ctx = this.makeContext();
  }

  get divert(): number {
    return this.divertNo;
  }

  setDivert(n: number): void {
    this.divertNo = n;
  }

  readInclude(path: string, from: SourceLoc): { text: string; file: string } | undefined {
    return this.opts.readInclude(path, from);
  }

  report(severity: Severity, message: string, loc: SourceLoc): void {
    this.opts.diagnostics.push({ severity, message, file: loc.file, line: loc.line });
  }

  /** Report an error and stop reading: what follows could not be trusted. */
  fatal(message: string, loc: SourceLoc): never {
    this.report('error', message, loc);
    throw new M4Abort(message);
  }

  quote(text: string): string {
    return this.syntax.lquote === '' ? text : this.syntax.lquote + text + this.syntax.rquote;
  }

  /** Read a whole file; returns the output chunks. */
  runFile(text: string, file: string): OutputChunk[] {
    this.input.pushFile(text, file);
    this.guarded(() => this.expandAll());
    return this.out.chunks;
  }

  /** Expand a user macro without arguments in a copy of the final state (see M4Result.expandMacro). */
  expandFinal(name: string): string | undefined {
    const def = this.table.lookup(name);
    if (def === undefined || def.kind !== 'user') return undefined;
    const sub = new Expander({ ...this.opts, table: new MacroTable(this.table), syntax: { ...this.syntax } });
    sub.guarded(() => {
      sub.input.pushString(substituteArgs(def.value, [name], (s) => sub.quote(s)) ?? '', def.loc);
      sub.expandAll();
    });
    return sub.out.chunks
      .filter((c) => c.marker === undefined)
      .map((c) => c.text)
      .join('');
  }

  private guarded(f: () => void): void {
    try {
      f();
    } catch (e) {
      if (e instanceof UnterminatedError) {
        const what =
          e.what === 'string'
            ? `quoted string (missing closing quote ${this.syntax.rquote})`
            : `comment (missing end of comment ${JSON.stringify(this.syntax.ecomm)})`;
        this.report('error', `end of input inside a ${what} that starts here`, e.loc);
      } else if (!(e instanceof M4Abort)) {
        throw e;
      }
    }
  }

  private expandAll(): void {
    for (;;) {
      const tok = this.lexer.next();
      if (tok.kind === 'eof') return;
      this.handle(tok, null);
    }
  }

  /** Process one token, sending its text to the output or to the argument being collected. */
  private handle(tok: Token, arg: string[] | null): void {
    if (tok.kind === 'word' && this.tryCall(tok)) return;
    if (arg !== null) {
      arg.push(tok.text);
      return;
    }
    this.out.append(tok.text, tok.loc, this.divertNo, tok.fromFile);
    if (this.out.size > this.limits.maxOutputChars) {
      this.fatal(`output larger than ${this.limits.maxOutputChars} characters (runaway expansion?)`, tok.loc);
    }
  }

  private tryCall(tok: Token): boolean {
    const def = this.table.lookup(tok.text);
    if (def === undefined) return false;
    const hasArgs = this.input.peek() === '(';
    if (def.kind === 'builtin' && !hasArgs && BUILTINS[def.name]?.blind === true) return false;
    if (++this.calls > this.limits.maxCalls) {
      this.fatal(`more than ${this.limits.maxCalls} macro calls (endless recursion in ${tok.text}?)`, tok.loc);
    }
    let args = [tok.text];
    if (hasArgs) {
      this.input.next();
      args = this.collectArgs(tok);
    }
    this.pushExpansion(this.invoke(def, args, tok.loc), tok);
    return true;
  }

  /** Call a definition with args[0] = the name it was called by. */
  invoke(def: Definition, args: string[], loc: SourceLoc): string {
    // indir and builtin call back in here: `indir(`indir', `indir', ...)' must not exhaust the JS stack.
    if (++this.invokeDepth > this.limits.maxDepth) {
      this.fatal(`macro calls nested more than ${this.limits.maxDepth} deep (through indir or builtin)`, loc);
    }
    try {
      return this.invokeNow(def, args, loc);
    } finally {
      this.invokeDepth--;
    }
  }

  private invokeNow(def: Definition, args: string[], loc: SourceLoc): string {
    switch (def.kind) {
      case 'user': {
        const text = substituteArgs(def.value, args, (s) => this.quote(s), this.expansionBudget());
        if (text === undefined) this.tooLarge(args[0] as string, loc);
        return text;
      }
      case 'host':
        return def.fn(args.slice(1), loc, this.ctx);
      case 'builtin': {
        const b = BUILTINS[def.name];
        return b === undefined ? '' : b.run(this, args, loc);
      }
    }
  }

  /** Characters of expansion text still allowed. */
  expansionBudget(): number {
    return this.limits.maxExpansionChars - this.expansionChars;
  }

  tooLarge(name: string, loc: SourceLoc): never {
    this.fatal(`expansions larger than ${this.limits.maxExpansionChars} characters in all (runaway expansion in ${name}?)`, loc);
  }

  private pushExpansion(text: string, tok: Token): void {
    if (text === '') return;
    if (text.length > this.expansionBudget()) this.tooLarge(tok.text, tok.loc);
    this.expansionChars += text.length;
    this.input.pushString(text, tok.loc);
    this.checkDepth(tok);
  }

  private checkDepth(tok: Token): void {
    if (this.input.depth + this.nesting > this.limits.maxDepth) {
      this.fatal(`expansion nested more than ${this.limits.maxDepth} deep (endless recursion in ${tok.text}?)`, tok.loc);
    }
  }

  /** Collect a parenthesised argument list (the `(` is already read); returns [name, ...args]. */
  private collectArgs(call: Token): string[] {
    this.nesting++;
    this.checkDepth(call);
    const args = [call.text];
    for (;;) {
      while (SPACE.has(this.input.peek())) this.input.next();
      const parts: string[] = [];
      let depth = 0;
      for (;;) {
        const tok = this.lexer.next();
        if (tok.kind === 'eof') {
          this.fatal(`end of input inside the argument list of ${call.text} that starts here (missing ')')`, call.loc);
        }
        if (tok.kind === 'other' && tok.text.length === 1) {
          const c = tok.text;
          if (c === ')' && depth === 0) {
            args.push(parts.join(''));
            this.nesting--;
            return args;
          }
          if (c === ',' && depth === 0) break;
          if (c === '(') depth++;
          else if (c === ')') depth--;
        }
        this.handle(tok, parts);
      }
      args.push(parts.join(''));
    }
  }

  /** dnl: drop everything up to and including the next newline. */
  skipLine(): void {
    for (;;) {
      const s = this.input.current();
      if (s === undefined) return;
      const nl = s.text.indexOf('\n', s.pos);
      if (nl !== -1) {
        this.input.advance(s, nl + 1 - s.pos);
        return;
      }
      this.input.advance(s, s.text.length - s.pos);
    }
  }

  mark(tag: string, loc: SourceLoc): void {
    this.out.mark(tag, loc, this.divertNo);
  }

  private makeContext(): M4Context {
    // A getter in an object literal has its own `this`, hence the alias.
    const ex = this;
    return {
      mark: (tag, loc) => ex.mark(tag, loc),
      get divert() {
        return ex.divertNo;
      },
      warn: (message, loc) => ex.report('warning', message, loc),
      error: (message, loc) => ex.report('error', message, loc),
      notice: (message, loc) => ex.report('notice', message, loc),
      lookup: (name) => {
        const def = ex.table.lookup(name);
        return def?.kind === 'user' ? def.value : undefined;
      },
      quote: (text) => ex.quote(text),
    };
  }
}
