// Resolving an option as written in a file or on the command line (long name in any case, one-letter
// name, m4 name) to the option(s) of the table, including sendmail's compound forms that set several
// options at once (`OT5d/4h`, `Ob100/1000`, `Or5m`, unqualified `Timeout.queuewarn`).

import { OPTION_NAMES, OPTION_TABLE, optionDef, type OptionName } from './option-table.js';

export { OPTION_NAMES, OPTION_TABLE, optionDef, type OptionName, type OptionValues } from './option-table.js';

export interface OptionAssignment {
  name: OptionName;
  raw: string;
  /** Set as a consequence of another option (no repeated-option warning for it). */
  implied: boolean;
}

export type Resolution = { ok: true; assignments: OptionAssignment[] } | { ok: false; message: string };

const BY_LOWER_NAME = new Map<string, OptionName>(OPTION_NAMES.map((n) => [n.toLowerCase(), n]));
const BY_LETTER = new Map<string, OptionName>();
const BY_M4 = new Map<string, OptionName>();
for (const n of OPTION_NAMES) {
  const d = optionDef(n);
  if (d.letter !== undefined) BY_LETTER.set(d.letter, n);
  if (d.m4 !== undefined) BY_M4.set(d.m4, n);
}

/** Timeouts the old `r` option (and `Timeout=<value>`) sets all at once: the SMTP read timeouts. */
export const READ_TIMEOUTS: readonly OptionName[] = [
  'Timeout.initial',
  'Timeout.mail',
  'Timeout.rcpt',
  'Timeout.datainit',
  'Timeout.datablock',
  'Timeout.datafinal',
  'Timeout.command',
];

const CLASS_SUFFIXES = ['normal', 'urgent', 'non-urgent', 'dsn'] as const;

export function lookupOption(name: string): OptionName | undefined {
  return BY_LOWER_NAME.get(name.trim().toLowerCase());
}

export function lookupM4Option(m4Name: string): OptionName | undefined {
  return BY_M4.get(m4Name);
}

export function letterOf(name: OptionName): string | undefined {
  return optionDef(name).letter;
}

function one(name: OptionName, raw: string): OptionAssignment[] {
  const out: OptionAssignment[] = [{ name, raw, implied: false }];
  // An unqualified per-class timeout applies to every precedence class (queue-and-bounces.md §5).
  if (name === 'Timeout.queuewarn' || name === 'Timeout.queuereturn') {
    for (const s of CLASS_SUFFIXES) out.push({ name: `${name}.${s}` as OptionName, raw, implied: true });
  }
  if (name === 'Timeout.resolver.retrans' || name === 'Timeout.resolver.retry') {
    for (const s of ['first', 'normal']) out.push({ name: `${name}.${s}` as OptionName, raw, implied: true });
  }
  return out;
}

function queueTimeout(raw: string): Resolution {
  const slash = raw.indexOf('/');
  if (slash < 0) return { ok: true, assignments: one('Timeout.queuereturn', raw) };
  return {
    ok: true,
    assignments: [...one('Timeout.queuereturn', raw.slice(0, slash)), ...one('Timeout.queuewarn', raw.slice(slash + 1))],
  };
}

/** The `r` option: `Or30m` sets the read timeouts; `Orcommand=1h,datablock=5m` sets the named ones. */
function timeoutList(raw: string): Resolution {
  if (!raw.includes('=')) {
    return { ok: true, assignments: READ_TIMEOUTS.map((name) => ({ name, raw, implied: false })) };
  }
  const out: OptionAssignment[] = [];
  for (const part of raw.split(',')) {
    const item = part.trim();
    if (item === '') continue;
    const eq = item.indexOf('=');
    if (eq <= 0) return { ok: false, message: `Timeout: "${item}" is not of the form name=value` };
    const name = lookupOption(`Timeout.${item.slice(0, eq).trim()}`);
    if (name === undefined) return { ok: false, message: `Timeout: unknown timeout ${item.slice(0, eq).trim()}` };
    out.push(...one(name, item.slice(eq + 1)));
  }
  return { ok: true, assignments: out };
}

function withCompound(name: OptionName, raw: string): Resolution {
  if (name === 'MinFreeBlocks' && raw.includes('/')) {
    // sendmail's old compound form: the second part is the maximum message size.
    const [blocks, size] = [raw.slice(0, raw.indexOf('/')), raw.slice(raw.indexOf('/') + 1)];
    return {
      ok: true,
      assignments: [
        { name: 'MinFreeBlocks', raw: blocks, implied: false },
        { name: 'MaxMessageSize', raw: size, implied: false },
      ],
    };
  }
  return { ok: true, assignments: one(name, raw) };
}

/** A long option name as written in `O Name=value`, postern.conf or `-O Name=value`. */
export function resolveLongOption(name: string, raw: string): Resolution {
  const lower = name.trim().toLowerCase();
  if (lower === 'timeout') return timeoutList(raw);
  if (lower === 'queuetimeout') return queueTimeout(raw);
  const found = lookupOption(name);
  if (found === undefined) return { ok: false, message: `unknown option ${name.trim()}` };
  return withCompound(found, raw);
}

/** A one-letter option as in `O<c>value` or `-o<c>value` (config-formats.md §5.3). */
export function resolveLetterOption(letter: string, raw: string): Resolution {
  if (letter === 'r') return timeoutList(raw);
  if (letter === 'T') return queueTimeout(raw);
  const found = BY_LETTER.get(letter);
  if (found === undefined) return { ok: false, message: `unknown option letter ${letter}` };
  return withCompound(found, raw);
}

/** Options any caller may set on the command line (cli.md §6); everything else needs trust. */
export function isSafeOption(name: OptionName): boolean {
  return optionDef(name).safe === true;
}

export function isOptionName(name: string): name is OptionName {
  return Object.prototype.hasOwnProperty.call(OPTION_TABLE, name);
}
