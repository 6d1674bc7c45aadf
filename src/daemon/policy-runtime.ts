// The policy objects of a runtime: the DNS questions over the configured resolver (sender domains, MX
// relaying, DNS blocklists) shaped as the policy's PolicyDns.

import type { EffectiveConfig } from '../config/effective.js';
import type { DnsResolver } from '../dns/resolver.js';
import type { ClientFacts } from '../policy/connection.js';
import { DnsblCache, DnsblChecker, dnsblLists } from '../policy/dnsbl.js';
import { mxPointsToUs } from '../policy/mx-relay.js';
import { NONE, type Outcome } from '../policy/outcome.js';
import type { PolicyDns } from '../policy/policy-dns.js';
import { senderDomainState } from '../policy/sender-domain.js';
import type { DiagnosticList } from '../util/diagnostics.js';

/** DNSBL answers outlive a reload: the cache is per process, bounded by the answers' TTLs. */
const dnsblCache = new DnsblCache();

export function policyDns(
  cfg: EffectiveConfig,
  dns: DnsResolver,
  j: string,
  isLocalDomain: (d: string) => boolean,
  diags: DiagnosticList,
): PolicyDns {
  const { lists, diagnostics } = dnsblLists(cfg.featureList);
  diags.items.push(...diagnostics);
  const checker =
    lists.length === 0
      ? undefined
      : new DnsblChecker(lists, dns, { ipv6: cfg.options.DnsblIPv6, enhancedTries: cfg.texts.ednsblRetries, cache: dnsblCache });
  return {
    hasDnsbl: checker !== undefined,
    senderDomainState: (domain) => senderDomainState(domain, dns, { j }),
    mxPointsToUs: (domain) => mxPointsToUs(domain, dns, isLocalDomain),
    async dnsbl(c: ClientFacts): Promise<Outcome> {
      if (checker === undefined || c.ip === '') return NONE;
      const macros: Record<string, string> = {
        client_addr: c.addr,
        client_name: c.name,
        client_resolve: c.resolve,
      };
      const v = await checker.check(c.ip, (n) => macros[n]);
      switch (v.kind) {
        case 'clear':
          return NONE;
        case 'listed':
        case 'tempfail':
          return { kind: 'reject', reply: v.reply };
        case 'quarantine':
          return { kind: 'quarantine', reason: v.reason };
        case 'discard':
          return { kind: 'discard' };
      }
    },
  };
}
