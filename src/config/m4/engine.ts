// The m4 subset that sendmail.mc files need (config-formats.md §3.1), run without the m4 program and
// without sendmail's cf tree. The sendmail macros themselves (FEATURE, DAEMON_OPTIONS, ...) are not
// known here: the host supplies them as host macros and reads the final macro table.

import type { Diagnostic } from '../../util/diagnostics.js';
import { Expander } from './expander.js';
import { resolveLimits, type M4Limits } from './limits.js';

export type { M4Limits } from './limits.js';
export { outputItems, type OutputItem } from './output.js';

export interface SourceLoc {
  file: string;
  line: number;
}

export interface M4Context {
  /** Insert a marker into the output stream at the current point (used by the host for section macros
   *  such as MAILER_DEFINITIONS / LOCAL_CONFIG); it appears as an OutputChunk with `marker` set.
   *  Markers are recorded whatever the current diversion is (their `divert` field tells which). */
  mark(tag: string, loc: SourceLoc): void;
  /** Current diversion number (output is kept only for diversions >= 0; -1 discards). */
  readonly divert: number;
  warn(message: string, loc: SourceLoc): void;
  error(message: string, loc: SourceLoc): void;
  notice(message: string, loc: SourceLoc): void;
  /** The current user definition of a macro (its raw, unexpanded body), if there is one. */
  lookup(name: string): string | undefined;
  /** Quote text with the current quote delimiters so that returning it yields it literally. */
  quote(text: string): string;
}

/** A host macro: called when its name is seen as a word (with or without a parenthesised argument list);
 *  receives the already-collected, quote-stripped arguments (m4 semantics), returns its expansion text
 *  (rescanned like any m4 expansion). `args` holds the arguments only (not the macro name): `[]` when the
 *  name is not followed by `(`, `['']` for `NAME()`. */
export type HostMacro = (args: string[], loc: SourceLoc, ctx: M4Context) => string;

export interface M4Options {
  /** -D NAME=value from the command line, like m4 -D (defined before the file is read). */
  defines?: Record<string, string>;
  hostMacros?: Record<string, HostMacro>;
  /** Resolve and read an include()/sinclude() file; undefined means "absent here". Throwing reports an
   *  error (the exception's message) at the include's location and the include expands to nothing.
   *  Read files as latin1 so that any byte survives. */
  readInclude(path: string, from: SourceLoc): { text: string; file: string } | undefined;
  /** Safety bounds; the defaults suit real files by a wide margin. */
  limits?: Partial<M4Limits>;
}

export interface OutputChunk {
  text: string;
  loc: SourceLoc;
  divert: number;
  marker?: string;
}

export interface M4Result {
  /** Text sent to diversions >= 0 (and every marker), in the order it was produced, with where it came
   *  from. A chunk holds at most one line end, at its end; text produced by a macro expansion carries the
   *  location of the macro call. `outputItems()` regroups chunks into lines. */
  output: OutputChunk[];
  /** With file and line. Later calls of expandMacro append theirs here too. */
  diagnostics: Diagnostic[];
  /** Final macro table: user definitions with the location of the define() that set them (-D defines
   *  carry `{ file: '<command line>', line: 0 }`). */
  definitions: Map<string, { value: string; loc: SourceLoc }>;
  /** Fully expand a macro's final value in the final state (so `define(A,x)`, `define(confB, `A.y')`,
   *  `define(A,z)` gives expandMacro('confB') === 'z.y', like m4 expanding confB at the end).
   *  Undefined unless `name` is a user-defined macro. */
  expandMacro(name: string): string | undefined;
}

export const COMMAND_LINE_FILE = '<command line>';

export function runM4(text: string, file: string, options: M4Options): M4Result {
  const limits = resolveLimits(options.limits);
  const diagnostics: Diagnostic[] = [];
  const expander = new Expander({
    limits,
    diagnostics,
    hostMacros: options.hostMacros ?? {},
    readInclude: options.readInclude,
  });
  for (const [name, value] of Object.entries(options.defines ?? {})) {
    expander.table.define(name, { kind: 'user', value, loc: { file: COMMAND_LINE_FILE, line: 0 } });
  }
  const output = expander.runFile(text, file);
  return {
    output,
    diagnostics,
    definitions: expander.table.userDefinitions(),
    expandMacro: (name) => expander.expandFinal(name),
  };
}
