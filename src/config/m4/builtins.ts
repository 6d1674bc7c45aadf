// The table of built-in macros, and `builtin', which calls one of them by name.

import { arg, checkArity, type Builtin } from './builtin-support.js';
import { IO_BUILTINS } from './builtins-io.js';
import { MACRO_BUILTINS } from './builtins-macros.js';
import { REFUSED_BUILTINS } from './builtins-refused.js';
import { TEXT_BUILTINS } from './builtins-text.js';

export type { Builtin } from './builtin-support.js';

export const BUILTINS: Record<string, Builtin> = {
  ...MACRO_BUILTINS,
  ...IO_BUILTINS,
  ...TEXT_BUILTINS,
  ...REFUSED_BUILTINS,
  builtin: {
    blind: true,
    run(ex, args, loc) {
      if (!checkArity(ex, args, loc, 1, Infinity)) return '';
      const name = arg(args, 1);
      const b = Object.hasOwn(BUILTINS, name) ? BUILTINS[name] : undefined;
      if (b === undefined) {
        ex.report('error', `undefined builtin \`${name}'`, loc);
        return '';
      }
      return b.run(ex, args.slice(1), loc);
    },
  },
};
