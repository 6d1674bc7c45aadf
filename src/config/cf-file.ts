// A whole sendmail.cf (config-formats.md §4, §4.1): the cf lines, plus the FEATURE list recovered
// from the VERSIONID marker lines m4 copies into every generated cf, and the few feature arguments
// that can be read back from the generated rules.

import type { Location } from '../util/diagnostics.js';
import { applyCfLines, foldCfLines, type CfLine } from './cf-lines.js';
import { isSendmailFeature } from './features.js';
import type { ConfigLayer } from './layer.js';

const MARKER = /^#+\s+\$Id:\s+([A-Za-z0-9_.+-]+)\.m4,v\s/;

interface DnsblUse {
  name: 'dnsbl' | 'enhdnsbl';
  args: string[];
  at: Location;
}

function normalise(rule: string): string {
  return rule.replace(/\s+/g, ' ').trim();
}

/**
 * Reads the dnsbl/enhdnsbl uses back from their rules: the lookup rule names the zone, the rules that
 * follow give the reply (default text, quarantine, discard), the tempfail choice and the patterns.
 */
function recoverDnsbl(rules: readonly CfLine[], file: string, layer: ConfigLayer): DnsblUse[] {
  const uses: DnsblUse[] = [];
  for (let i = 0; i < rules.length; i++) {
    const lookup = /\$\(\s*(e?dnsbl)\s+\$4\.\$3\.\$2\.\$1\.(\S+?)\.?\s+\$:\s*OK\s*\$\)/.exec(rules[i]!.text);
    if (lookup === null) continue;
    const name = lookup[1] === 'ednsbl' ? 'enhdnsbl' : 'dnsbl';
    const zone = lookup[2]!;
    const at = { file, line: rules[i]!.line };
    let message = '';
    let tempfail = '';
    const patterns: string[] = [];
    let custom = false;
    for (let j = i + 1; j < rules.length && j <= i + 10; j++) {
      const r = normalise(rules[j]!.text);
      if (/\$\(\s*e?dnsbl\s/.test(r)) break;
      if (!r.startsWith('R<?>')) {
        if (r.startsWith('R$*') || r.startsWith('R$-')) break;
        continue;
      }
      if (r.startsWith('R<?>OK')) continue;
      if (/^R<\?>\$\+<TMP>/.test(r)) {
        if (r.includes('$#error')) {
          tempfail = 't';
          if (!r.includes(`"451 Temporary lookup failure of " $&{client_addr} " at ${zone}"`)) custom = true;
        }
        continue;
      }
      const rule = /^R<\?>(\S+)\s+(.*)$/s.exec(r);
      if (rule === null) continue;
      const rhs = rule[2]!;
      if (name === 'enhdnsbl' && rule[1] !== '$+') patterns.push(rule[1]!);
      if (rhs.startsWith('$#discard')) message = 'discard';
      else if (rhs.includes('$@ quarantine')) message = 'quarantine';
      else if (rhs.includes('$#error') && !rhs.includes(`"550 Rejected: " $&{client_addr} " listed at ${zone}"`)) custom = true;
    }
    if (custom) {
      layer.diags.warning(`FEATURE(${name}, ${zone}): a custom reply text cannot be recovered from a cf; the default text is used`, at);
    }
    const args = [zone];
    if (message !== '' || tempfail !== '' || patterns.length > 0) args.push(message, tempfail, ...patterns);
    uses.push({ name, args, at });
  }
  return uses;
}

function hasRule(rules: readonly CfLine[], test: RegExp): boolean {
  return rules.some((r) => test.test(normalise(r.text)));
}

export function parseCfFile(text: string, file: string, layer: ConfigLayer): void {
  const lines = foldCfLines(text);
  applyCfLines(lines, file, layer, { rulesets: 'silent' });

  const markers: Array<{ name: string; at: Location }> = [];
  for (const l of lines) {
    const m = MARKER.exec(l.text);
    if (m !== null) markers.push({ name: m[1]!, at: { file, line: l.line } });
  }
  const rules = lines.filter((l) => l.text.startsWith('R'));
  if (markers.length === 0) {
    layer.diags.warning(
      'rulesets ignored and no FEATURE markers found; relay policy uses classes w and R, the access map, and Postern defaults',
      { file },
    );
    return;
  }
  const dnsbl = recoverDnsbl(rules, file, layer);
  const seen = new Set<string>();
  for (const { name, at } of markers) {
    // local_procmail only selects the local mailer, which the Mlocal line already describes.
    if (!isSendmailFeature(name) || name === 'local_procmail' || seen.has(name)) continue;
    seen.add(name);
    if (name === 'dnsbl' || name === 'enhdnsbl') {
      const found = dnsbl.filter((u) => u.name === name);
      if (found.length === 0) {
        layer.diags.warning(`FEATURE(${name}) marker found but no zone could be recovered from the rules; ignored`, at);
      }
      for (const u of found) layer.addFeature(u.name, u.args, u.at);
      continue;
    }
    layer.addFeature(name, featureArgs(name, rules, layer), at);
  }
}

function featureArgs(name: string, rules: readonly CfLine[], layer: ConfigLayer): string[] {
  if (name === 'access_db') {
    const flags: string[] = [];
    if (hasRule(rules, /^R<SKIP> <\$\+> <\$\+> <\$- \$->/)) flags.push('skip');
    if (hasRule(rules, /\$\(access (?:\$\d+:)?\.\$2 /)) flags.push('lookupdotdomain');
    if (layer.accessMap !== undefined) layer.accessMap.flags = flags;
    return ['', ...flags];
  }
  if (name === 'delay_checks') {
    if (hasRule(rules, /^R<(?:SPAM)?FRIEND> \$\+/)) return ['friend'];
    if (hasRule(rules, /^R<(?:SPAM)?HATER> \$\+/)) return ['hater'];
  }
  return [];
}
