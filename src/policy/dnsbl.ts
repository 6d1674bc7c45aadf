// The DNS blocklist check of the connection stage (relay-and-access.md §5 step 3, §8): the client's
// address is looked up in each FEATURE(dnsbl/enhdnsbl) zone, in configuration order, and the first
// list that lists it (or fails temporarily, with argument 3) decides. IPv4 `a.b.c.d` is asked as `d.c.b.a.<zone>`; IPv6 as the 32 reversed
// nibbles of the full address (RFC 5782 §2.4) unless DnsblIPv6=False. All lists are asked at once,
// but a later list's answer is used only when every earlier one said "not listed".

import { isIP } from 'node:net';
import type { BlocklistResolver, TtlLookup } from '../dns/lookup.js';
import { reversedLabels, unmapIpv4 } from '../dns/ip-names.js';
import { configuredReply, replyText, REPLIES, type Reply, type ReplyDef } from '../smtp/replies.js';
import { DnsblCache } from './dnsbl-cache.js';
import type { DnsblList } from './dnsbl-config.js';
import { matchesPattern } from './dnsbl-pattern.js';
import { renderRuleText, splitReply, type MacroLookup, type TextReply } from './dnsbl-text.js';

export type { DnsblList } from './dnsbl-config.js';
export { dnsblLists } from './dnsbl-config.js';
export { DnsblCache } from './dnsbl-cache.js';

export type DnsblVerdict =
  /** not listed anywhere; `tempIgnored` names the zones whose lookup failed temporarily and was ignored */
  | { kind: 'clear'; tempIgnored: string[] }
  /** refuse the client: `verdictReply(v.reply)` at connection time, `verdictReply(v.reply, addr)` at RCPT with delay_checks */
  | { kind: 'listed'; zone: string; answer: string; reply: TextReply }
  /** accept, and quarantine every message of the session with the zone as reason */
  | { kind: 'quarantine'; zone: string; answer: string; reason: string }
  /** accept, and discard every message of the session */
  | { kind: 'discard'; zone: string; answer: string }
  /** a temporary lookup failure with argument 3 given */
  | { kind: 'tempfail'; zone: string; reply: TextReply };

export interface DnsblOptions {
  /** DnsblIPv6 (default True): look up IPv6 clients too */
  ipv6: boolean;
  /** EDNSBL_TO (texts.ednsblRetries, default 5): resolver tries for enhdnsbl lists */
  enhancedTries: number;
  /** shared across reloads if given; a new one otherwise */
  cache?: DnsblCache;
}

/** The wire reply of a listed or tempfail verdict; with `addr` (a RCPT under delay_checks) the 550 gets its prefix. */
export function verdictReply(r: TextReply, addr?: string): Reply {
  return configuredReply(r.code, r.enh, r.text, addr);
}

/** Code and enhanced code of a table entry (both DNSBL entries carry one). */
function defaults(d: ReplyDef): { code: number; enh: string } {
  return { code: d.code, enh: d.enh ?? `${String(d.code).charAt(0)}.0.0` };
}

function fromTable(d: ReplyDef, vars: Record<string, string>): TextReply {
  const { code, enh } = defaults(d);
  const full = replyText(d, vars);
  return { code, enh, text: d.enh === null ? full : full.slice(d.enh.length + 1) };
}

/** ${client_addr} of an address: IPv6 carries the `IPv6:` tag (smtp-session.md §2.3). */
function clientAddrOf(ip: string): string {
  return isIP(ip) === 6 ? `IPv6:${ip}` : ip;
}

export class DnsblChecker {
  readonly cache: DnsblCache;

  constructor(
    readonly lists: readonly DnsblList[],
    private readonly dns: BlocklistResolver,
    private readonly opts: DnsblOptions,
  ) {
    this.cache = opts.cache ?? new DnsblCache();
  }

  /**
   * @param ip the client's address (bare, or `IPv6:`-tagged; an IPv4-mapped IPv6 address counts as IPv4)
   * @param macros values for the macros of custom texts (${client_addr} defaults to the address)
   */
  async check(ip: string, macros: MacroLookup = () => undefined): Promise<DnsblVerdict> {
    const clear: DnsblVerdict = { kind: 'clear', tempIgnored: [] };
    const bare = unmapIpv4(ip.replace(/^ipv6:/i, ''));
    const family = isIP(bare);
    if (this.lists.length === 0 || family === 0 || (family === 6 && !this.opts.ipv6)) return clear;
    const labels = reversedLabels(bare)!;
    const clientAddr = clientAddrOf(bare);
    const lookup: MacroLookup = (name) => macros(name) ?? (name === 'client_addr' ? clientAddr : undefined);

    const answers: Array<Promise<TtlLookup<string[]>>> = this.lists.map((l) => {
      const name = `${labels}.${l.zone}`;
      const tries = l.feature === 'enhdnsbl' ? this.opts.enhancedTries : undefined;
      return this.cache.lookup(name, () => this.dns.a(name, tries === undefined ? undefined : { tries }));
    });

    const tempIgnored: string[] = [];
    for (let i = 0; i < this.lists.length; i++) {
      const list = this.lists[i]!;
      const r = await answers[i]!;
      const zone = list.zoneText;
      if (!r.ok) {
        if (r.kind === 'none') continue;
        if (list.temp.kind === 'ignore') {
          tempIgnored.push(zone);
          continue;
        }
        const reply =
          list.temp.text === undefined
            ? fromTable(REPLIES.dnsblTempfail, { ip: clientAddr, zone })
            : splitReply(renderRuleText(list.temp.text, lookup), defaults(REPLIES.dnsblTempfail));
        return { kind: 'tempfail', zone, reply };
      }
      const answer = list.patterns.length === 0 ? r.value[0] : r.value.find((a) => list.patterns.some((p) => matchesPattern(p, a)));
      if (answer === undefined) continue;
      switch (list.listed.kind) {
        case 'quarantine':
          return { kind: 'quarantine', zone, answer, reason: zone };
        case 'discard':
          return { kind: 'discard', zone, answer };
        case 'reject': {
          const reply =
            list.listed.text === undefined
              ? fromTable(REPLIES.dnsblListed, { ip: clientAddr, zone })
              : splitReply(renderRuleText(list.listed.text, lookup), defaults(REPLIES.dnsblListed));
          return { kind: 'listed', zone, answer, reply };
        }
      }
    }
    return { kind: 'clear', tempIgnored };
  }
}
