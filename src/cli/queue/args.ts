// The -q…/-Q…/-v/--json arguments of mailq and queue runs (cli.md §4, queue-and-bounces.md §3–§4), as
// sendmail reads them: every -q form carries its value attached (`-qRbob`, `-q30m`, `-q!Sfoo`); -Q
// takes its reason attached or as the next argument, and alone means "release".

import { parseDuration } from '../../config/values.js';
import { emptyFilter, type QueueFilter } from './filter.js';

/** Postern's floor for -qp (sendmail's default 1s would spin). */
export const MIN_PERSISTENT_INTERVAL_MS = 10_000;

export interface QueueArgs {
  filter: QueueFilter;
  /** -qQ given (with or without a reason text): work on quarantined items. */
  quarantined: boolean;
  /** -qL: lost items (mailq only). */
  lost: boolean;
  verbose: boolean;
  json: boolean;
  /** -q<time> / -qp[<time>]: a runner loop with this interval (ms). */
  interval?: number;
  /** -qG<group> */
  group?: string;
  /** -Q given: the reason ('' = release). */
  quarantine?: string;
  /** Some -q argument was given at all (a plain `-q` or `-qf` included). */
  anyQ: boolean;
}

export type ParsedQueueArgs = { ok: true; args: QueueArgs } | { ok: false; error: string };

/** '-q30m' → 1 800 000; '-qp' → 10 000; '-q', '-qf', filters → undefined. */
export function parseQueueInterval(arg: string): number | undefined {
  if (!arg.startsWith('-q')) return undefined;
  let v = arg.slice(2);
  let persistent = false;
  if (v.startsWith('p')) {
    persistent = true;
    v = v.slice(1);
    if (v === '') return MIN_PERSISTENT_INTERVAL_MS;
  }
  if (!/^\d/.test(v)) return undefined;
  const d = parseDuration(v, 'm');
  if (!d.ok) return undefined;
  return persistent ? Math.max(d.value, MIN_PERSISTENT_INTERVAL_MS) : d.value;
}

export function parseQueueArgs(argv: readonly string[]): ParsedQueueArgs {
  const args: QueueArgs = { filter: emptyFilter(), quarantined: false, lost: false, verbose: false, json: false, anyQ: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '-v') {
      args.verbose = true;
      continue;
    }
    if (a === '--json') {
      args.json = true;
      continue;
    }
    if (a.startsWith('-Q')) {
      let reason = a.slice(2);
      const next = argv[i + 1];
      if (reason === '' && next !== undefined && !next.startsWith('-')) {
        reason = next;
        i++;
      }
      args.quarantine = reason;
      continue;
    }
    if (!a.startsWith('-q')) return { ok: false, error: `unexpected argument ${a}` };
    args.anyQ = true;
    const v = a.slice(2);
    if (v === '' || v === 'f') continue;
    if (v.startsWith('p') || /^\d/.test(v)) {
      const ms = parseQueueInterval(a);
      if (ms === undefined) return { ok: false, error: 'Invalid -q value' };
      args.interval = ms;
      continue;
    }
    if (v.startsWith('G') || v.startsWith('!G')) {
      // sendmail's own texts for these two mistakes.
      if (v.startsWith('!')) return { ok: false, error: 'Can not use -q!G' };
      if (args.group !== undefined) return { ok: false, error: 'Can not use multiple -qG options' };
      args.group = v.slice(1);
      continue;
    }
    if (v === 'L') {
      args.lost = true;
      continue;
    }
    const negate = v.startsWith('!');
    const body = negate ? v.slice(1) : v;
    const letter = body[0];
    const text = body.slice(1);
    if (letter === 'Q') args.quarantined = true;
    if (letter !== 'I' && letter !== 'R' && letter !== 'S' && letter !== 'Q') return { ok: false, error: 'Invalid -q value' };
    // `-qQ` alone selects the quarantined items without a text to match.
    if (letter === 'Q' && text === '' && !negate) continue;
    args.filter[letter].push({ text, negate });
  }
  return { ok: true, args };
}
