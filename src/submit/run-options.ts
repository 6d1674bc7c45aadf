// Options set on the command line (cli.md §6): -O Name=value and -o<c><value> resolve to options of
// the table; an option that is not safe (op.me §5.6) from an untrusted caller is refused with
// `<Name>: option is restricted to trusted users` (exit 77), as is a -M macro other than r and s.

import { isSafeOption, resolveLetterOption, resolveLongOption, type OptionName } from '../config/options.js';
export { EX_NOPERM } from '../util/sysexits.js';


export interface RunOption {
  /** a long name, or the letter of -o<c> */
  name: string;
  value: string;
}

export interface OptionVerdict {
  /** the first refusal for an untrusted caller */
  refused?: string;
  /** options that are not safe (a trusted caller's run then cannot be handed to the daemon) */
  unsafe: OptionName[];
  /** options that do not exist: warned about and left out */
  unknown: string[];
  /** the options to apply, as given */
  apply: RunOption[];
}

function resolve(o: RunOption): OptionName[] | undefined {
  const r = o.name.length === 1 ? resolveLetterOption(o.name, o.value) : resolveLongOption(o.name, o.value);
  return r.ok ? r.assignments.map((a) => a.name) : undefined;
}

export function judgeOptions(options: readonly RunOption[], macros: ReadonlyArray<{ name: string }>, trusted: boolean): OptionVerdict {
  const v: OptionVerdict = { unsafe: [], unknown: [], apply: [] };
  for (const o of options) {
    const names = resolve(o);
    if (names === undefined || names.length === 0) {
      v.unknown.push(o.name.length === 1 ? `-o${o.name}${o.value}` : `-O ${o.name}`);
      continue;
    }
    const unsafe = names.filter((n) => !isSafeOption(n));
    if (unsafe.length > 0 && !trusted) {
      v.refused ??= `${unsafe[0]}: option is restricted to trusted users`;
      continue;
    }
    v.unsafe.push(...unsafe);
    v.apply.push(o);
  }
  if (!trusted) {
    const m = macros.find((x) => x.name !== 'r' && x.name !== 's');
    if (m !== undefined) v.refused ??= `M${m.name}: option is restricted to trusted users`;
  }
  return v;
}
