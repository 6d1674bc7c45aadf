// The host's own names and addresses: $j/$w/$m, class w's automatic members (relay-and-access.md §1) and
// the addresses that count as "this host" for relaying (§7.3 step 4, [Postern]: never loopback).

import { hostname as osHostname, networkInterfaces } from 'node:os';
import { clientAddrMacro } from '../smtp/client-identity.js';
import { loadHosts, type HostsTable } from '../dns/hosts.js';

export interface HostNames {
  /** $j */
  j: string;
  /** $w: first label of the host name */
  w: string;
  /** $m: the domain part of $j */
  m: string;
  /** $j had no dot and was used as is (a startup warning) */
  unqualified: boolean;
}

/**
 * The system's name made fully qualified the way the resolver library would: the hosts file's
 * canonical (first) name for it, e.g. `127.0.1.1 mx.example.com mx` (Debian's usual line).
 */
export function canonicalHostName(sys: string, hosts: HostsTable): string {
  if (sys.includes('.')) return sys;
  const addrs = hosts.byName.get(sys.toLowerCase()) ?? [];
  for (const a of addrs) {
    const first = hosts.byAddress.get(a);
    if (first !== undefined && first.includes('.') && first.split('.')[0]!.toLowerCase() === sys.toLowerCase()) return first;
  }
  return sys;
}

export function hostNames(configuredJ: string | undefined, hosts: HostsTable = loadHosts()): HostNames {
  const sys = osHostname();
  const j = (configuredJ !== undefined && configuredJ !== '' ? configuredJ : canonicalHostName(sys, hosts)).replace(/\.$/, '');
  const dot = j.indexOf('.');
  return {
    j,
    w: sys.split('.')[0] ?? sys,
    m: dot === -1 ? '' : j.slice(dot + 1),
    unqualified: dot === -1,
  };
}

export interface InterfaceAddresses {
  /** `[a.b.c.d]` / `[IPv6:...]` literals for class w */
  literals: string[];
  /** non-loopback addresses in ${client_addr} form */
  own: Set<string>;
}

/** @param probe DontProbeInterfaces inverted: true = probe all, 'loopback' = skip loopback, false = none */
export function interfaceAddresses(probe: boolean | 'loopback'): InterfaceAddresses {
  const literals: string[] = [];
  const own = new Set<string>();
  if (probe === false) return { literals, own };
  for (const list of Object.values(networkInterfaces())) {
    for (const ni of list ?? []) {
      if (ni.internal && probe === 'loopback') continue;
      const addr = clientAddrMacro(ni.address.replace(/%.*$/, ''));
      literals.push(`[${addr}]`);
      if (!ni.internal) own.add(addr);
    }
  }
  return { literals, own };
}
