// Built-ins that compute text and numbers: len, index, substr, translit, eval, incr, decr.

import { arg, checkArity, numericArg, type Builtin } from './builtin-support.js';
import { evalExpression, formatRadix } from './eval.js';

const MAX_EVAL_INPUT = 64 * 1024;
const MAX_EVAL_WIDTH = 64 * 1024;

/** translit's character ranges: `a-z`, also descending (`c-a`); a `-` first or last is literal. */
export function expandRanges(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '-' && i > 0 && i + 1 < s.length) {
      const from = s.charCodeAt(i - 1);
      const to = s.charCodeAt(i + 1);
      if (from <= to) for (let k = from + 1; k <= to; k++) out += String.fromCharCode(k);
      else for (let k = from - 1; k >= to; k--) out += String.fromCharCode(k);
      i++;
    } else {
      out += c;
    }
  }
  return out;
}

export const TEXT_BUILTINS: Record<string, Builtin> = {
  len: {
    blind: true,
    run(ex, args, loc) {
      if (!checkArity(ex, args, loc, 1, 1)) return '';
      return String(arg(args, 1).length);
    },
  },
  index: {
    blind: true,
    run(ex, args, loc) {
      // GNU m4: index(`abc') is 0 (after the warning).
      if (!checkArity(ex, args, loc, 2, 2)) return args.length === 2 ? '0' : '';
      return String(arg(args, 1).indexOf(arg(args, 2)));
    },
  },
  substr: {
    blind: true,
    run(ex, args, loc) {
      // GNU m4: substr(`abc') is abc (after the warning); so is translit(`abc').
      if (!checkArity(ex, args, loc, 2, 3)) return arg(args, 1);
      const s = arg(args, 1);
      const start = numericArg(ex, 'substr', arg(args, 2), loc);
      const length = args.length > 3 ? numericArg(ex, 'substr', arg(args, 3), loc) : s.length;
      if (start === undefined || length === undefined) return '';
      if (start < 0 || length <= 0 || start >= s.length) return '';
      return s.slice(start, start + length);
    },
  },
  translit: {
    blind: true,
    run(ex, args, loc) {
      if (!checkArity(ex, args, loc, 2, 3)) return arg(args, 1);
      const from = expandRanges(arg(args, 2));
      const to = expandRanges(arg(args, 3));
      const map = new Map<string, string>();
      for (let i = 0; i < from.length; i++) {
        const c = from[i] as string;
        if (!map.has(c)) map.set(c, i < to.length ? (to[i] as string) : '');
      }
      let out = '';
      for (const c of arg(args, 1)) out += map.get(c) ?? c;
      return out;
    },
  },
  eval: {
    blind: true,
    run(ex, args, loc) {
      if (!checkArity(ex, args, loc, 1, 3)) return '';
      const expr = arg(args, 1);
      const radix = arg(args, 2) === '' ? 10 : numericArg(ex, 'eval', arg(args, 2), loc);
      const width = arg(args, 3) === '' ? 1 : numericArg(ex, 'eval', arg(args, 3), loc);
      if (radix === undefined || width === undefined) return '';
      if (radix < 1 || radix > 36) {
        ex.report('error', `radix ${radix} in builtin \`eval' out of range`, loc);
        return '';
      }
      if (width < 0) {
        ex.report('error', `negative width to builtin \`eval'`, loc);
        return '';
      }
      if (width > MAX_EVAL_WIDTH || expr.length > MAX_EVAL_INPUT) {
        ex.report('error', `expression or width too large in builtin \`eval'`, loc);
        return '';
      }
      if (expr === '') {
        ex.report('warning', `empty string treated as 0 in builtin \`eval'`, loc);
        return formatRadix(0, radix, width) ?? '';
      }
      const r = evalExpression(expr);
      for (const w of r.warnings) ex.report('warning', w, loc);
      if (!r.ok) {
        ex.report('error', r.error, loc);
        return '';
      }
      const text = formatRadix(r.value, radix, width);
      if (text === undefined) ex.report('error', `result too long for radix 1 in builtin \`eval'`, loc);
      return text ?? '';
    },
  },
  incr: {
    blind: true,
    run(ex, args, loc) {
      if (!checkArity(ex, args, loc, 1, 1)) return '';
      const n = numericArg(ex, 'incr', arg(args, 1), loc);
      return n === undefined ? '' : String((n + 1) | 0);
    },
  },
  decr: {
    blind: true,
    run(ex, args, loc) {
      if (!checkArity(ex, args, loc, 1, 1)) return '';
      const n = numericArg(ex, 'decr', arg(args, 1), loc);
      return n === undefined ? '' : String((n - 1) | 0);
    },
  },
};
