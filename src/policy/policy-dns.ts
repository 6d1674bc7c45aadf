// The DNS questions the policy asks (relay-and-access.md §6 step 3, §7.2 step 4, §8), as an interface:
// the real implementation sits on the configured resolver (src/dns), tests may use the loopback DNS server.

import type { Outcome } from './outcome.js';
import type { ClientFacts } from './connection.js';

export interface PolicyDns {
  /** §6 step 3: does the sender's domain exist? */
  senderDomainState(domain: string): Promise<'ok' | 'temp' | 'perm'>;
  /** §7.2 step 4 (relay_based_on_MX): is any MX host of the domain one of ours? */
  mxPointsToUs(domain: string): Promise<'yes' | 'no' | 'temp'>;
  /** Any DNS blocklist configured (without one, connection checks need no DNS at all). */
  readonly hasDnsbl: boolean;
  /** §8: the DNS blocklists in configuration order; 'none' when clear (or a temporary failure that is ignored). */
  dnsbl(client: ClientFacts): Promise<Outcome>;
}
