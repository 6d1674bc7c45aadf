// FEATURE(relay_based_on_MX) (relay-and-access.md §7.2 step 4): a recipient domain is relayed when
// any of its MX hosts is one of our names (class w). A temporary DNS failure is reported as such, so
// the caller can answer `450 4.4.0 <addr>... Can not check MX records for recipient host <domain>`
// (REPLIES.mxCheckTemp) instead of a permanent refusal.

import { mxHosts, type MxResolver } from '../dns/lookup.js';

export type MxRelay = 'yes' | 'no' | 'temp';

/**
 * @param isLocal class w membership of an MX host name (lower case, without trailing dot)
 */
export async function mxPointsToUs(domain: string, dns: MxResolver, isLocal: (host: string) => boolean): Promise<MxRelay> {
  const d = domain.toLowerCase().replace(/\.$/, '');
  // A domain literal has no MX records; it is local or not by class w alone.
  if (d === '' || d.startsWith('[')) return 'no';
  const mx = await dns.mx(d);
  if (!mx.ok) return mx.kind === 'temp' ? 'temp' : 'no';
  return mxHosts(mx.value).some((h) => isLocal(h)) ? 'yes' : 'no';
}
