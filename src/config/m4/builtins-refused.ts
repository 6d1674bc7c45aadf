// GNU m4 built-ins that Postern does not provide. The ones that would run programs, create files or cut
// the reading short are refused outright (config-formats.md §3.1): an error, nothing executed.

import type { Builtin } from './builtin-support.js';

function refuse(blind: boolean, why: string): Builtin {
  return {
    blind,
    run(ex, args, loc) {
      ex.report('error', `\`${args[0]}' is refused in .mc files: ${why} (nothing was done)`, loc);
      return '';
    },
  };
}

function unsupported(blind: boolean): Builtin {
  return {
    blind,
    run(ex, args, loc) {
      ex.report('error', `\`${args[0]}' is not supported by Postern's m4 subset (expands to nothing)`, loc);
      return '';
    },
  };
}

function ignored(blind: boolean): Builtin {
  return {
    blind,
    run(ex, args, loc) {
      ex.report('warning', `\`${args[0]}' ignored (m4 debugging is not supported)`, loc);
      return '';
    },
  };
}

const RUNS_PROGRAMS = 'a configuration file may not run programs';
const CREATES_FILES = 'reading a configuration file may not create files';

export const REFUSED_BUILTINS: Record<string, Builtin> = {
  syscmd: refuse(true, RUNS_PROGRAMS),
  esyscmd: refuse(true, RUNS_PROGRAMS),
  maketemp: refuse(true, CREATES_FILES),
  mkstemp: refuse(true, CREATES_FILES),
  m4exit: refuse(false, 'the whole file is always read'),
  m4wrap: refuse(true, 'text saved for the end of input is not supported'),
  sysval: unsupported(false),
  format: unsupported(true),
  patsubst: unsupported(true),
  regexp: unsupported(true),
  changeword: unsupported(true),
  undivert: unsupported(false),
  dumpdef: ignored(false),
  traceon: ignored(false),
  traceoff: ignored(false),
  debugmode: ignored(false),
  debugfile: ignored(false),
};
