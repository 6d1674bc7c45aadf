// FEATURE(dnsbl, zone, message, tempfail) and FEATURE(enhdnsbl, zone, message, tempfail,
// pattern...) as the configuration records them (relay-and-access.md §8.1, §8.2), turned into the
// lists the checker queries, in configuration order. Every problem is reported with the file and line
// of the FEATURE.

import type { FeatureUse } from '../config/features.js';
import type { Diagnostic } from '../util/diagnostics.js';
import { parsePattern, type AnswerPattern } from './dnsbl-pattern.js';
import { parseRuleText, staticReplyCode, type RuleText } from './dnsbl-text.js';

export type ListedAction =
  /** reject: the default text when `text` is undefined */
  | { kind: 'reject'; text?: RuleText }
  | { kind: 'quarantine' }
  | { kind: 'discard' };

export type TempAction =
  /** a temporary lookup failure counts as "not listed" (the default) */
  | { kind: 'ignore' }
  /** argument `t` (default text) or a text of its own */
  | { kind: 'reject'; text?: RuleText };

export interface DnsblList {
  feature: 'dnsbl' | 'enhdnsbl';
  /** lower case, without a trailing dot */
  zone: string;
  /** the zone as written (without a trailing dot), for reply texts */
  zoneText: string;
  listed: ListedAction;
  temp: TempAction;
  /** enhdnsbl only; empty: every answer means listed */
  patterns: AnswerPattern[];
  file: string;
  line: number;
}

const MAX_PATTERNS = 6;

function validZone(zone: string): boolean {
  return zone.length <= 253 && zone.split('.').every((l) => /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/.test(l));
}

export function dnsblLists(features: readonly FeatureUse[]): { lists: DnsblList[]; diagnostics: Diagnostic[] } {
  const lists: DnsblList[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const use of features) {
    if (use.name !== 'dnsbl' && use.name !== 'enhdnsbl') continue;
    const feature = use.name;
    const at = use.file === '' ? {} : { file: use.file, line: use.line };
    const errors: string[] = [];
    const warn = (message: string): void => {
      diagnostics.push({ severity: 'warning', message, ...at });
    };
    const arg = (i: number): string => (use.args[i] ?? '').trim();
    const zoneText = arg(0).replace(/\.$/, '');
    if (zoneText === '') {
      diagnostics.push({ severity: 'error', message: `missing argument for FEATURE(${feature})`, ...at });
      continue;
    }
    const name = `FEATURE(${feature}, ${zoneText})`;
    if (!validZone(zoneText)) errors.push(`FEATURE(${feature}): invalid zone "${arg(0)}"`);

    const text = (raw: string, what: string): RuleText | undefined => {
      const r = parseRuleText(raw);
      if (!r.ok) {
        errors.push(`${name}: ${what}: ${r.error}`);
        return undefined;
      }
      const code = staticReplyCode(r.text);
      if (code === undefined) warn(`${name}: ${what} "${raw}" has no reply code; ${what === 'message' ? '550' : '451'} is used`);
      else if (!/^[45]/.test(code)) errors.push(`${name}: ${what} "${raw}": reply code ${code} must be 4xx or 5xx`);
      return r.text;
    };

    const message = arg(1);
    let listed: ListedAction;
    if (message === '') listed = { kind: 'reject' };
    else if (message.toLowerCase() === 'quarantine') listed = { kind: 'quarantine' };
    else if (message.toLowerCase() === 'discard') listed = { kind: 'discard' };
    else listed = { kind: 'reject', text: text(message, 'message') };

    const tempArg = arg(2);
    const temp: TempAction = tempArg === '' ? { kind: 'ignore' } : tempArg === 't' ? { kind: 'reject' } : { kind: 'reject', text: text(tempArg, 'tempfail text') };

    const patterns: AnswerPattern[] = [];
    const extra = use.args.slice(3).map((a) => a.trim());
    if (feature === 'dnsbl') {
      if (extra.some((a) => a !== '')) warn(`${name}: arguments after the third are ignored (answer patterns need FEATURE(enhdnsbl))`);
    } else {
      const given = extra.filter((a) => a !== '');
      if (given.length > MAX_PATTERNS) warn(`${name}: only the first ${MAX_PATTERNS} answer patterns are used`);
      for (const p of given.slice(0, MAX_PATTERNS)) {
        const r = parsePattern(p);
        if (typeof r === 'string') errors.push(`${name}: ${r}`);
        else patterns.push(r);
      }
    }

    for (const message of errors) diagnostics.push({ severity: 'error', message, ...at });
    if (errors.length > 0) continue;
    lists.push({ feature, zone: zoneText.toLowerCase(), zoneText, listed, temp, patterns, file: use.file, line: use.line });
  }
  return { lists, diagnostics };
}
