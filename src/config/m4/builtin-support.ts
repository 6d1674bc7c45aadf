// What every built-in macro shares: its shape, and GNU m4's argument checks and messages.

import type { SourceLoc } from './engine.js';
import type { Expander } from './expander.js';

export interface Builtin {
  /** Recognised only when followed by `(` (GNU m4's "blind" built-ins); otherwise the word is plain text. */
  blind: boolean;
  /** `args[0]` is the name the macro was called by; returns the expansion text (rescanned). */
  run(ex: Expander, args: string[], loc: SourceLoc): string;
}

/** Warns like GNU m4 about a wrong argument count; false when there are too few to do anything. */
export function checkArity(ex: Expander, args: readonly string[], loc: SourceLoc, min: number, max: number): boolean {
  const n = args.length - 1;
  if (n < min) {
    ex.report('warning', `too few arguments to builtin \`${args[0]}'`, loc);
    return false;
  }
  if (n > max) ex.report('warning', `excess arguments to builtin \`${args[0]}' ignored`, loc);
  return true;
}

/** A decimal integer argument (leading white space allowed, as strtol), or undefined after an error. */
export function numericArg(ex: Expander, name: string, arg: string, loc: SourceLoc): number | undefined {
  if (arg === '') {
    ex.report('warning', `empty string treated as 0 in builtin \`${name}'`, loc);
    return 0;
  }
  if (!/^\s*[-+]?\d+$/.test(arg)) {
    ex.report('error', `non-numeric argument to builtin \`${name}'`, loc);
    return undefined;
  }
  return Number(arg.trim()) | 0;
}

export function arg(args: readonly string[], i: number): string {
  return args[i] ?? '';
}
