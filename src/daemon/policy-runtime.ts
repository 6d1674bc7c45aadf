// The policy objects of a runtime: the access view over the configured access map and the DNS questions
// over the configured resolver.

import type { DnsResolver } from '../dns/resolver.js';
import { NONE } from '../policy/outcome.js';
import type { PolicyDns } from '../policy/policy-dns.js';

/** Sender-domain existence through the resolver; DNSBLs and MX relaying are added with their modules. */
export function resolverPolicyDns(dns: DnsResolver): PolicyDns {
  return {
    hasDnsbl: false,
    async senderDomainState(domain) {
      if (domain.startsWith('[') && domain.endsWith(']')) {
        const ptr = await dns.reverse(domain.slice(1, -1).replace(/^ipv6:/i, ''));
        return ptr.ok ? 'ok' : ptr.kind === 'temp' ? 'temp' : 'perm';
      }
      const r = await dns.addresses(domain);
      if (r.ok) return 'ok';
      return r.kind === 'temp' ? 'temp' : 'perm';
    },
    async mxPointsToUs() {
      return 'no';
    },
    async dnsbl() {
      return NONE;
    },
  };
}
