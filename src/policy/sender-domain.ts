// Whether a sender's domain can receive replies (relay-and-access.md §6 step 3): `ok` when it has an
// MX host or an address, `perm` when DNS says definitely not (NXDOMAIN, no records, only the null MX),
// `temp` when DNS could not tell. The unqualified case, accept_unresolvable_domains and the access map
// are the caller's business.

import { isIP } from 'node:net';
import { isNullMx, type AddressResolver, type MxResolver, type ReverseResolver } from '../dns/lookup.js';

export type SenderDomainState = 'ok' | 'temp' | 'perm';

export type SenderDomainResolver = MxResolver & AddressResolver & ReverseResolver;

export interface SenderDomainOptions {
  /** $j: our own name is always ok, whatever DNS says */
  j: string;
}

function normalise(domain: string): string {
  return domain.toLowerCase().replace(/\.$/, '');
}

/** The address inside a domain literal (`[192.0.2.1]`, `[IPv6:2001:db8::1]`), or undefined. */
export function literalAddress(domain: string): string | undefined {
  if (!domain.startsWith('[') || !domain.endsWith(']')) return undefined;
  const inner = domain.slice(1, -1);
  const ip = /^ipv6:/i.test(inner) ? inner.slice(5) : inner;
  const family = isIP(ip);
  if (family === 0) return undefined;
  // An IPv6 address is only valid with its tag, an IPv4 one only without (RFC 5321 §4.1.3).
  if ((family === 6) !== (ip !== inner)) return undefined;
  return ip.toLowerCase();
}

/**
 * The state of a sender domain. A domain literal is ok only if its address has a PTR name (sendmail
 * semantics); a name is ok with any MX host (an MX alone is enough) or, without MX, any A or AAAA
 * record; a null MX is a permanent "no mail here" whatever addresses the name has.
 */
export async function senderDomainState(domain: string, dns: SenderDomainResolver, opts: SenderDomainOptions): Promise<SenderDomainState> {
  const d = normalise(domain);
  if (d === normalise(opts.j)) return 'ok';
  if (d.startsWith('[')) {
    const ip = literalAddress(d);
    if (ip === undefined) return 'perm';
    const ptr = await dns.reverse(ip);
    return ptr.ok ? 'ok' : ptr.kind === 'temp' ? 'temp' : 'perm';
  }
  const mx = await dns.mx(d);
  if (mx.ok) return isNullMx(mx.value) ? 'perm' : 'ok';
  // Without a usable MX answer the address records decide; a temporary MX failure stays temporary
  // unless an address shows the domain exists.
  const addrs = await dns.addresses(d);
  if (addrs.ok && addrs.value.length > 0) return 'ok';
  if (mx.kind === 'temp' || (!addrs.ok && addrs.kind === 'temp')) return 'temp';
  return 'perm';
}
