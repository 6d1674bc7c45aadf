// Who is on the other end (smtp-session.md §2.3): ${client_addr}, ${client_ptr}, ${client_resolve},
// ${client_name} and $_. Loopback peers get no shortcut: their names come from the hosts file or DNS
// like anyone's, so a client can never be called "localhost" just for being on 127/8.

import { isIPv6 } from 'node:net';
import type { DnsResolver } from '../dns/resolver.js';
import { sanitizeValue } from './sanitize.js';

export type ResolveState = 'OK' | 'FORGED' | 'FAIL' | 'TEMP';

export interface ClientIdentity {
  /** ${client_addr}: dotted quad, or `IPv6:` + compressed form */
  addr: string;
  /** the bare IP, for sockets and maps */
  ip: string;
  port: number;
  ptr: string;
  resolve: ResolveState;
  /** ${client_name} */
  name: string;
  /** $_ */
  label: string;
}

/** Strips the IPv4-mapped prefix Node reports for dual-stack sockets. */
export function normaliseIp(raw: string): string {
  return raw.startsWith('::ffff:') && raw.includes('.') ? raw.slice(7) : raw;
}

export function clientAddrMacro(ip: string): string {
  return isIPv6(ip) ? `IPv6:${ip}` : ip;
}

export function labelFor(addr: string, ptr: string, resolve: ResolveState): { name: string; label: string } {
  if (resolve === 'OK') return { name: ptr, label: `${ptr} [${addr}]` };
  if (resolve === 'FORGED') return { name: `[${addr}]`, label: `${ptr} [${addr}] (may be forged)` };
  return { name: `[${addr}]`, label: `[${addr}]` };
}

/** Answers from the hosts file without a DNS round trip (127.0.0.1 → localhost); undefined if not listed. */
export function identifyFromHosts(rawIp: string, port: number, dns: DnsResolver): ClientIdentity | undefined {
  const ip = normaliseIp(rawIp);
  const h = dns.hostsEntry(ip);
  if (h === undefined) return undefined;
  const addr = clientAddrMacro(ip);
  const ptr = sanitizeValue(h.name.replace(/\.$/, ''));
  const resolve: ResolveState = h.addresses.includes(ip) ? 'OK' : 'FORGED';
  return { addr, ip, port, ptr, resolve, ...labelFor(addr, ptr, resolve) };
}

export async function identifyClient(rawIp: string, port: number, dns: DnsResolver): Promise<ClientIdentity> {
  const ip = normaliseIp(rawIp);
  const addr = clientAddrMacro(ip);
  let ptr = '';
  let resolve: ResolveState;
  const rev = await dns.reverse(ip);
  if (!rev.ok) {
    resolve = rev.kind === 'temp' ? 'TEMP' : 'FAIL';
  } else {
    ptr = sanitizeValue((rev.value[0] ?? '').replace(/\.$/, ''));
    const fwd = await dns.addresses(ptr);
    if (fwd.ok) resolve = fwd.value.includes(ip) ? 'OK' : 'FORGED';
    else resolve = fwd.kind === 'temp' ? 'TEMP' : 'FORGED';
  }
  return { addr, ip, port, ptr, resolve, ...labelFor(addr, ptr, resolve) };
}
