// Built-ins about where text comes from and goes to: divert, divnum, dnl, include, sinclude,
// changequote, changecom, errprint, __file__, __line__.

import { arg, checkArity, numericArg, type Builtin } from './builtin-support.js';
import type { SourceLoc } from './engine.js';
import type { Expander } from './expander.js';

/** sendmail's own cf.m4 (found by its last path component) is never read: Postern interprets the
 *  sendmail macros itself, and cf.m4 would run a shell script through syscmd. */
export function isSendmailCfM4(path: string): boolean {
  return path.split('/').pop() === 'cf.m4';
}

function include(ex: Expander, args: string[], loc: SourceLoc, silent: boolean): string {
  if (!checkArity(ex, args, loc, 1, 1)) return '';
  const path = arg(args, 1);
  if (isSendmailCfM4(path)) {
    ex.report('notice', `include of sendmail's cf.m4 skipped (${path}): Postern interprets the sendmail macros itself`, loc);
    return '';
  }
  if (path === '') {
    if (!silent) ex.report('warning', `cannot open include file with an empty name`, loc);
    return '';
  }
  if (ex.input.fileDepth() >= ex.limits.maxIncludeDepth) {
    ex.report('error', `include nesting deeper than ${ex.limits.maxIncludeDepth} files (does ${path} include itself?)`, loc);
    return '';
  }
  let found: { text: string; file: string } | undefined;
  try {
    found = ex.readInclude(path, loc);
  } catch (e) {
    ex.report('error', `cannot read include file ${path}: ${e instanceof Error ? e.message : String(e)}`, loc);
    return '';
  }
  if (found === undefined) {
    if (!silent) ex.report('warning', `cannot open include file ${path}: not found`, loc);
    return '';
  }
  ex.input.pushFile(found.text, found.file);
  return '';
}

export const IO_BUILTINS: Record<string, Builtin> = {
  divert: {
    blind: false,
    run(ex, args, loc) {
      checkArity(ex, args, loc, 0, 1);
      const n = args.length > 1 ? numericArg(ex, args[0] as string, arg(args, 1), loc) : 0;
      if (n !== undefined) ex.setDivert(n);
      return '';
    },
  },
  divnum: {
    blind: false,
    run(ex, args, loc) {
      checkArity(ex, args, loc, 0, 0);
      return String(ex.divert);
    },
  },
  dnl: {
    blind: false,
    run(ex, args, loc) {
      checkArity(ex, args, loc, 0, 0);
      ex.skipLine();
      return '';
    },
  },
  include: { blind: true, run: (ex, args, loc) => include(ex, args, loc, false) },
  sinclude: { blind: true, run: (ex, args, loc) => include(ex, args, loc, true) },
  changequote: {
    blind: false,
    run(ex, args, loc) {
      checkArity(ex, args, loc, 0, 2);
      const s = ex.syntax;
      if (args.length === 1) {
        s.lquote = '`';
        s.rquote = "'";
      } else {
        // An empty open quote disables quoting; a missing or empty close quote defaults to ' (GNU m4).
        s.lquote = arg(args, 1);
        s.rquote = s.lquote === '' ? '' : arg(args, 2) === '' ? "'" : arg(args, 2);
      }
      ex.lexer.syntaxChanged();
      return '';
    },
  },
  changecom: {
    blind: false,
    run(ex, args, loc) {
      checkArity(ex, args, loc, 0, 2);
      const s = ex.syntax;
      s.bcomm = arg(args, 1);
      s.ecomm = s.bcomm === '' ? '' : arg(args, 2) === '' ? '\n' : arg(args, 2);
      ex.lexer.syntaxChanged();
      return '';
    },
  },
  errprint: {
    blind: true,
    run(ex, args, loc) {
      if (!checkArity(ex, args, loc, 1, Infinity)) return '';
      const message = args.slice(1).join(' ').replace(/\n$/, '');
      if (message !== '') ex.report('warning', message, loc);
      return '';
    },
  },
  __file__: {
    blind: false,
    run(ex, args, loc) {
      checkArity(ex, args, loc, 0, 0);
      return ex.quote(loc.file);
    },
  },
  __line__: {
    blind: false,
    run(ex, args, loc) {
      checkArity(ex, args, loc, 0, 0);
      return String(loc.line);
    },
  },
};
