// Built-ins that manage definitions and choose between texts: define, undefine, pushdef, popdef, defn,
// ifdef, ifelse, indir, shift.

import { arg, checkArity, type Builtin } from './builtin-support.js';

export const MACRO_BUILTINS: Record<string, Builtin> = {
  define: {
    blind: true,
    run(ex, args, loc) {
      if (checkArity(ex, args, loc, 1, 2)) ex.table.define(arg(args, 1), { kind: 'user', value: arg(args, 2), loc });
      return '';
    },
  },
  pushdef: {
    blind: true,
    run(ex, args, loc) {
      if (checkArity(ex, args, loc, 1, 2)) ex.table.pushdef(arg(args, 1), { kind: 'user', value: arg(args, 2), loc });
      return '';
    },
  },
  undefine: {
    blind: true,
    run(ex, args, loc) {
      if (checkArity(ex, args, loc, 1, Infinity)) for (const name of args.slice(1)) ex.table.undefine(name);
      return '';
    },
  },
  popdef: {
    blind: true,
    run(ex, args, loc) {
      if (checkArity(ex, args, loc, 1, Infinity)) for (const name of args.slice(1)) ex.table.popdef(name);
      return '';
    },
  },
  defn: {
    blind: true,
    run(ex, args, loc) {
      if (!checkArity(ex, args, loc, 1, Infinity)) return '';
      let out = '';
      for (const name of args.slice(1)) {
        const def = ex.table.lookup(name);
        if (def === undefined) continue;
        if (def.kind !== 'user') {
          // m4 would return an opaque built-in token; only plain text can be carried here.
          ex.report('warning', `defn of built-in or host macro \`${name}' is not supported (expands to nothing)`, loc);
          continue;
        }
        out += ex.quote(def.value);
        if (out.length > ex.expansionBudget()) ex.tooLarge('defn', loc);
      }
      return out;
    },
  },
  ifdef: {
    blind: true,
    run(ex, args, loc) {
      if (!checkArity(ex, args, loc, 2, 3)) return '';
      return ex.table.lookup(arg(args, 1)) !== undefined ? arg(args, 2) : arg(args, 3);
    },
  },
  ifelse: {
    blind: true,
    run(ex, args, loc) {
      // One argument is the `ifelse(comment)' idiom: no output, no warning.
      if (args.length <= 2) return '';
      if (!checkArity(ex, args, loc, 3, Infinity)) return '';
      const a = args.slice(1);
      for (let i = 0; ; i += 3) {
        if (a[i] === a[i + 1]) return arg(a, i + 2);
        const left = a.length - i;
        if (left === 3) return '';
        if (left <= 5) {
          if (left === 5) ex.report('warning', `excess arguments to builtin \`${args[0]}' ignored`, loc);
          return arg(a, i + 3);
        }
      }
    },
  },
  indir: {
    blind: true,
    run(ex, args, loc) {
      if (!checkArity(ex, args, loc, 1, Infinity)) return '';
      const name = arg(args, 1);
      const def = ex.table.lookup(name);
      if (def === undefined) {
        ex.report('error', `indir: undefined macro \`${name}'`, loc);
        return '';
      }
      return ex.invoke(def, args.slice(1), loc);
    },
  },
  shift: {
    blind: true,
    run(ex, args, loc) {
      if (!checkArity(ex, args, loc, 1, Infinity)) return '';
      return args
        .slice(2)
        .map((a) => ex.quote(a))
        .join(',');
    },
  },
};
