// sendmail's command line (cli.md §3), read the way sendmail's getopt reads it: flags before the
// addresses, `--` ends them, letters may be grouped (`-ti`), a letter that takes a value takes the rest of
// its argument or the next one (`-fbob`, `-f bob`); -q, -Q and -d take only an attached value. Nothing is
// decided about trust here: this is syntax only.

import { EX_USAGE } from '../../util/sysexits.js';
export { EX_USAGE } from '../../util/sysexits.js';

/** Letters that take a value (attached or the next argument). */
const WITH_VALUE = new Set(['b', 'f', 'r', 'F', 'N', 'R', 'V', 'h', 'B', 'p', 'o', 'O', 'M', 'C', 'X', 'L', 'A', 'e', 'D']);
/** Letters whose value, if any, is attached only. */
const OPTIONAL_ATTACHED = new Set(['q', 'Q', 'd', 'T']);
/** Letters without a value. */
const PLAIN = new Set(['t', 'i', 'n', 'U', 'v', 'G', 'm', 's', 'c', 'I']);

export type ErrorModeLetter = 'p' | 'm' | 'q' | 'w' | 'e';
export type DeliveryModeLetter = 'i' | 'b' | 'q' | 'd';

export interface SendmailArgs {
  /** The -b letter(s): `m` unless given (`-bD` → 'D'). */
  mode: string;
  readTo: boolean; // -t
  ignoreDots: boolean; // -i, -oi, -oIgnoreDots
  from?: { address: string; flag: 'f' | 'r' };
  fullName?: string; // -F
  notify?: string; // -N as given
  ret?: string; // -R as given
  envid?: string; // -V as given
  hops?: string; // -h as given
  noAlias: boolean; // -n
  bodyType?: string; // -B as given
  smtputf8: boolean; // -U
  proto?: string; // -p as given
  deliveryMode?: DeliveryModeLetter; // -od<x>
  errorMode?: ErrorModeLetter; // -oe<x>, -e<x>
  /** -O Name=value and -o<c><value> other than i, e, d: in order, for the option rules of §6. */
  options: Array<{ name: string; value: string; letter?: string }>;
  /** -M<x><value> */
  macros: Array<{ name: string; value: string }>;
  config?: string; // -C
  /** Every -q…, -Q… (and, for mailq, -v and --json) exactly as given, in order: cli-queue's arguments. */
  queueArgs: string[];
  verbose: boolean; // -v
  transcript?: string; // -X
  /** -d was given (accepted with a warning). */
  debug: boolean;
  tag?: string; // -L
  json: boolean; // --json (mailq)
  /** The -m/-s/-c/-T/-G/-A flags that have no effect (kept for the record). */
  ignored: string[];
  /** The address arguments. */
  addresses: string[];
}

export type ParseResult = { ok: true; args: SendmailArgs } | { ok: false; message: string; exit: number };

function empty(): SendmailArgs {
  return {
    mode: 'm',
    readTo: false,
    ignoreDots: false,
    noAlias: false,
    smtputf8: false,
    options: [],
    macros: [],
    queueArgs: [],
    verbose: false,
    debug: false,
    json: false,
    ignored: [],
    addresses: [],
  };
}

/** `-o<c><value>`: i, e and d are the delivery flags everybody uses; the rest are options (§6). */
function oneLetterOption(a: SendmailArgs, v: string): string | undefined {
  if (v.length === 0) return 'option requires an argument -- o';
  const c = v[0]!;
  const rest = v.slice(1);
  if (v === 'IgnoreDots' || v.startsWith('IgnoreDots=')) {
    a.ignoreDots = !/^=\s*(f|false|no|0)\s*$/i.test(v.slice('IgnoreDots'.length));
    return undefined;
  }
  if (c === 'i') a.ignoreDots = !/^(f|false|no|0)$/i.test(rest);
  else if (c === 'e' && /^[pmqwe]$/.test(rest)) a.errorMode = rest as ErrorModeLetter;
  else if (c === 'd' && /^[ibqd]$/.test(rest)) a.deliveryMode = rest as DeliveryModeLetter;
  else a.options.push({ name: c, value: rest, letter: c });
  return undefined;
}

function apply(a: SendmailArgs, letter: string, value: string | undefined): string | undefined {
  const v = value ?? '';
  switch (letter) {
    case 'b':
      if (v.length !== 1) return v.length === 0 ? 'option requires an argument -- b' : `operation mode ${v} not supported`;
      a.mode = v;
      return undefined;
    case 'f':
    case 'r':
      if (a.from !== undefined) return 'More than one "from" person';
      a.from = { address: v, flag: letter };
      return undefined;
    case 'F':
      a.fullName = v;
      return undefined;
    case 'N':
      a.notify = v;
      return undefined;
    case 'R':
      a.ret = v;
      return undefined;
    case 'V':
      a.envid = v;
      return undefined;
    case 'h':
      a.hops = v;
      return undefined;
    case 'B':
      a.bodyType = v;
      return undefined;
    case 'p':
      a.proto = v;
      return undefined;
    case 'o':
      return oneLetterOption(a, v);
    case 'O': {
      const eq = v.indexOf('=');
      if (eq <= 0) a.options.push({ name: v.trim(), value: 'True' });
      else a.options.push({ name: v.slice(0, eq).trim(), value: v.slice(eq + 1) });
      return undefined;
    }
    case 'M':
      if (v.length === 0) return 'option requires an argument -- M';
      a.macros.push({ name: v[0]!, value: v.slice(1) });
      return undefined;
    case 'C':
      a.config = v;
      return undefined;
    case 'X':
      a.transcript = v;
      return undefined;
    case 'L':
      a.tag = v;
      return undefined;
    case 'e':
      if (/^[pmqwe]$/.test(v)) a.errorMode = v as ErrorModeLetter;
      return undefined;
    case 'A':
    case 'D':
      a.ignored.push(`-${letter}${v}`);
      return undefined;
    case 'q':
    case 'Q':
      a.queueArgs.push(`-${letter}${v}`);
      return undefined;
    case 'd':
      a.debug = true;
      return undefined;
    case 'T':
      a.ignored.push(`-T${v}`);
      return undefined;
    case 't':
      a.readTo = true;
      return undefined;
    case 'i':
      a.ignoreDots = true;
      return undefined;
    case 'n':
      a.noAlias = true;
      return undefined;
    case 'U':
      a.smtputf8 = true;
      return undefined;
    case 'v':
      a.verbose = true;
      a.queueArgs.push('-v');
      return undefined;
    case 'I':
      // The old spelling of -bi.
      a.mode = 'i';
      return undefined;
    case 'm':
    case 's':
    case 'c':
    case 'G':
      a.ignored.push(`-${letter}`);
      return undefined;
    default:
      return `illegal option -- ${letter}`;
  }
}

/** Reads the arguments after the command name. Messages are without the `sendmail: ` prefix. */
export function parseSendmailArgs(argv: readonly string[]): ParseResult {
  const a = empty();
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      i++;
      break;
    }
    if (arg === '--json') {
      a.json = true;
      a.queueArgs.push(arg);
      continue;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    for (let k = 1; k < arg.length; k++) {
      const letter = arg[k]!;
      let value: string | undefined;
      if (WITH_VALUE.has(letter)) {
        if (k + 1 < arg.length) value = arg.slice(k + 1);
        else {
          value = argv[i + 1];
          if (value === undefined) return { ok: false, message: `option requires an argument -- ${letter}`, exit: EX_USAGE };
          i++;
        }
        k = arg.length;
      } else if (OPTIONAL_ATTACHED.has(letter)) {
        value = arg.slice(k + 1);
        k = arg.length;
      } else if (!PLAIN.has(letter)) {
        return { ok: false, message: `illegal option -- ${letter}`, exit: EX_USAGE };
      }
      const err = apply(a, letter, value);
      if (err !== undefined) return { ok: false, message: err, exit: EX_USAGE };
    }
  }
  a.addresses = argv.slice(i).map(String);
  return { ok: true, args: a };
}
