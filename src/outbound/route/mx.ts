// Next hops for a domain (queue-and-bounces.md §7, RFC 5321 §5.1): its MX records by preference, in
// random order among equal preferences; none → the domain's own A/AAAA records (implicit MX); the null
// MX (RFC 7505) → permanent failure 5.1.10. MX hosts that are our own names (class w), and every host
// of the same or worse preference, are skipped; nothing left → the loop error 5.3.5. A temporary DNS
// failure is always temporary; only a definite "no such name" is permanent.

import { isNullMx, type AddressResolver, type MxRecord, type MxResolver } from '../../dns/lookup.js';
import { ROUTE_STATUS } from './status.js';
import type { NextHop, RelayTarget, RouteDecision, TlsPolicy } from './types.js';

export interface HopResolver extends MxResolver, AddressResolver {}

export interface HopOptions {
  dns: HopResolver;
  port: number;
  tls: TlsPolicy;
  /** Class w: the names that are this host. */
  isOwnName(name: string): boolean;
  /** $j, for the loop error. */
  j: string;
  /** [0, 1); Math.random by default (tests pass a fixed one). */
  random?: () => number;
}

/** Sorted by preference; equal preferences shuffled (Fisher–Yates within each run of equals). */
export function orderMx(records: readonly MxRecord[], random: () => number = Math.random): MxRecord[] {
  const sorted = [...records].sort((a, b) => a.preference - b.preference);
  let start = 0;
  while (start < sorted.length) {
    let end = start;
    while (end < sorted.length && sorted[end]!.preference === sorted[start]!.preference) end++;
    for (let i = end - 1; i > start; i--) {
      const j = start + Math.floor(random() * (i - start + 1));
      [sorted[i], sorted[j]] = [sorted[j]!, sorted[i]!];
    }
    start = end;
  }
  return sorted;
}

/** The MX hosts worth trying: our own names and everything from their preference on dropped. */
export function pruneOwnMx(records: readonly MxRecord[], isOwnName: (n: string) => boolean): { hosts: MxRecord[]; pruned: boolean } {
  const own = records.filter((r) => r.exchange !== '' && isOwnName(r.exchange));
  if (own.length === 0) return { hosts: records.filter((r) => r.exchange !== ''), pruned: false };
  const limit = Math.min(...own.map((r) => r.preference));
  return { hosts: records.filter((r) => r.exchange !== '' && r.preference < limit), pruned: true };
}

type HostAddresses = { host: string; addresses: string[] } | { host: string; failure: 'none' | 'temp' };

async function addressesOf(dns: AddressResolver, host: string): Promise<HostAddresses> {
  const r = await dns.addresses(host);
  if (r.ok) return { host, addresses: r.value };
  return { host, failure: r.kind };
}

/** Hops for a list of host names (in order), each with its addresses; failures when none has any. */
async function hostsToHops(names: string[], addr: string, o: HopOptions, mx: boolean): Promise<RouteDecision> {
  const found = await Promise.all(names.map((n) => addressesOf(o.dns, n)));
  const hops: NextHop[] = [];
  let temp: string | undefined;
  let none: string | undefined;
  for (const f of found) {
    if ('addresses' in f) {
      hops.push({ host: f.host, addresses: f.addresses, port: o.port, tls: o.tls, ...(mx ? { mxName: f.host } : {}) });
    } else if (f.failure === 'temp') temp ??= f.host;
    else none ??= f.host;
  }
  if (hops.length > 0) return { kind: 'hops', hops, via: mx ? 'mx' : 'implicit-mx' };
  if (temp !== undefined) return { kind: 'temp', status: ROUTE_STATUS.lookupFailure(temp) };
  return { kind: 'perm', status: ROUTE_STATUS.hostUnknown(addr, none ?? names[0] ?? '') };
}

/** Next hops for mail to `addr` at `domain` through DNS (MX, then implicit MX). */
export async function mxHops(domain: string, addr: string, o: HopOptions): Promise<RouteDecision> {
  const r = await o.dns.mx(domain);
  if (!r.ok) {
    if (r.kind === 'temp') return { kind: 'temp', status: ROUTE_STATUS.lookupFailure(domain) };
    if (r.status === 'nodata') return hostsToHops([domain], addr, o, false);
    return { kind: 'perm', status: ROUTE_STATUS.hostUnknown(addr, domain) };
  }
  if (isNullMx(r.value)) return { kind: 'perm', status: ROUTE_STATUS.nullMx(addr) };
  const { hosts, pruned } = pruneOwnMx(orderMx(r.value, o.random), (n) => o.isOwnName(n));
  if (hosts.length === 0) return { kind: 'perm', status: ROUTE_STATUS.loopsBack(o.j) };
  const d = await hostsToHops(hosts.map((h) => h.exchange), addr, o, true);
  // Only hosts better than our own were left, and none could be reached by name: still our MX problem.
  if (d.kind === 'perm' && pruned) return { kind: 'perm', status: ROUTE_STATUS.loopsBack(o.j) };
  return d;
}

/** Next hops for one relay target: `[host]` by its own addresses, a plain host by its MX records. */
export async function targetHops(t: RelayTarget, addr: string, o: HopOptions): Promise<RouteDecision> {
  const opts = t.port !== undefined ? { ...o, port: t.port } : o;
  if (!t.literal) return mxHops(t.host, addr, opts);
  const d = await hostsToHops([t.host], addr, opts, false);
  // A bracketed host is still the name the certificate must carry under `verify`.
  if (d.kind === 'hops') return { ...d, hops: d.hops.map((h) => ({ ...h, mxName: t.host })) };
  return d;
}
