// Class R, the domains and networks we relay for (relay-and-access.md §1): host names match themselves
// and every subdomain (or only themselves with relay_hosts_only); IPv4 entries are prefixes on octet
// boundaries; IPv6 entries are prefixes on group boundaries, compared in the expanded normal form.

import { isIPv4, isIPv6 } from 'node:net';

/** `IPv6:` + 8 groups, lower case, no leading zeros (relay-and-access.md §1 [Postern]). */
export function expandIpv6(addr: string): string | undefined {
  const a = addr.toLowerCase().replace(/^ipv6:/, '');
  if (!isIPv6(a)) return undefined;
  const [head, tail] = a.split('::');
  const h = head !== undefined && head !== '' ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two groups.
  const groups = (list: string[]): string[] =>
    list.flatMap((g) => {
      if (!g.includes('.')) return [g];
      const o = g.split('.').map(Number);
      return [((o[0]! << 8) | o[1]!).toString(16), ((o[2]! << 8) | o[3]!).toString(16)];
    });
  const hh = groups(h);
  const tt = groups(t);
  const fill = tail === undefined ? [] : new Array<string>(8 - hh.length - tt.length).fill('0');
  return `IPv6:${[...hh, ...fill, ...tt].map((g) => g.replace(/^0+(?=.)/, '')).join(':')}`;
}

/** A class R (or Connect:) address key as written: IPv4 octets, or `IPv6:` groups, possibly a prefix. */
function addressPrefix(entry: string): { v4: string[] } | { v6: string[] } | undefined {
  if (/^\d{1,3}(\.\d{1,3}){0,3}$/.test(entry)) return { v4: entry.split('.') };
  if (/^ipv6:/i.test(entry)) {
    const body = entry.slice(5);
    const full = body.includes('::') ? expandIpv6(body) : undefined;
    const groups = (full !== undefined ? full.slice(5) : body).toLowerCase().split(':');
    if (groups.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return undefined;
    return { v6: groups.map((g) => g.replace(/^0+(?=.)/, '')) };
  }
  return undefined;
}

export class RelayClass {
  private readonly names = new Set<string>();
  private readonly v4: string[][] = [];
  private readonly v6: string[][] = [];

  constructor(entries: Iterable<string>) {
    for (const raw of entries) {
      const e = raw.trim().replace(/\.$/, '');
      if (e === '') continue;
      const a = addressPrefix(e);
      if (a === undefined) this.names.add(e.toLowerCase());
      else if ('v4' in a) this.v4.push(a.v4);
      else this.v6.push(a.v6);
    }
  }

  get size(): number {
    return this.names.size + this.v4.length + this.v6.length;
  }

  /** A host or domain name: itself, or any parent domain unless `exact` (relay_hosts_only). */
  matchesName(name: string, exact: boolean): boolean {
    const n = name.toLowerCase().replace(/\.$/, '');
    if (this.names.has(n)) return true;
    if (exact) return false;
    for (let dot = n.indexOf('.'); dot !== -1; dot = n.indexOf('.', dot + 1)) {
      if (this.names.has(n.slice(dot + 1))) return true;
    }
    return false;
  }

  /** A client address in ${client_addr} form (`192.0.2.7`, `IPv6:2001:db8::1`). */
  matchesAddress(clientAddr: string): boolean {
    if (isIPv4(clientAddr)) {
      const octets = clientAddr.split('.');
      return this.v4.some((p) => p.every((o, i) => o === octets[i]));
    }
    const full = expandIpv6(clientAddr);
    if (full === undefined) return false;
    const groups = full.slice(5).split(':');
    return this.v6.some((p) => p.every((g, i) => g === groups[i]));
  }
}
