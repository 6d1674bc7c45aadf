// DNS names built from IP addresses: the reversed labels used under in-addr.arpa / ip6.arpa (RFC 1035
// §3.5, RFC 3596 §2.5) and under a DNS blocklist zone (RFC 5782 §2.1, §2.4).

import { isIP } from 'node:net';

/** The 8 groups of an IPv6 address, each 4 lower-case hex digits (`::` and a dotted IPv4 tail expanded). */
export function expandIpv6(ip: string): string[] | undefined {
  if (isIP(ip) !== 6) return undefined;
  // A zone index (`fe80::1%eth0`) is local to this host and no part of the address.
  let text = ip.toLowerCase().replace(/%.*$/, '');
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted !== null) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    const tail = `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
    text = text.slice(0, dotted.index) + tail;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const h = head === '' ? [] : head.split(':');
  const t = rest === undefined || rest === '' ? [] : rest.split(':');
  const fill = rest === undefined ? [] : new Array<string>(8 - h.length - t.length).fill('0');
  const groups = [...h, ...fill, ...t];
  return groups.length === 8 ? groups.map((g) => g.padStart(4, '0')) : undefined;
}

/** The address an IPv4-mapped IPv6 address (`::ffff:192.0.2.1`) stands for; other addresses unchanged. */
export function unmapIpv4(ip: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return m !== null && isIP(m[1]!) === 4 ? m[1]! : ip;
}

/**
 * The labels of an address in reverse order: `d.c.b.a` for IPv4, the 32 nibbles of the full address
 * from the last for IPv6. Undefined for anything that is not an address.
 */
export function reversedLabels(ip: string): string | undefined {
  const family = isIP(ip);
  if (family === 4) return ip.split('.').reverse().join('.');
  if (family !== 6) return undefined;
  const groups = expandIpv6(ip);
  if (groups === undefined) return undefined;
  return [...groups.join('')].reverse().join('.');
}

/** The PTR query name of an address. */
export function ptrName(ip: string): string | undefined {
  const labels = reversedLabels(ip);
  if (labels === undefined) return undefined;
  return `${labels}.${isIP(ip) === 4 ? 'in-addr.arpa' : 'ip6.arpa'}`;
}
