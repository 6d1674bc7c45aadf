// DnsServers [Postern extension] (config-formats.md §5.2): `ip`, `ip:port`, `[ipv6]:port`, comma-separated.

import { isIP } from 'node:net';
import { fail, ok, type Parsed } from './values.js';

export interface DnsServer {
  address: string;
  port: number;
  family: 4 | 6;
}

function parsePortText(text: string, item: string): number | string {
  if (!/^\d+$/.test(text)) return `DnsServers: invalid port in "${item}"`;
  const n = Number(text);
  if (n < 1 || n > 65535) return `DnsServers: port out of range in "${item}"`;
  return n;
}

function parseOne(item: string): DnsServer | string {
  let host = item;
  let port = 53;
  if (item.startsWith('[')) {
    const close = item.indexOf(']');
    if (close < 0) return `DnsServers: missing ] in "${item}"`;
    host = item.slice(1, close);
    const rest = item.slice(close + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) return `DnsServers: unexpected text after ] in "${item}"`;
      const p = parsePortText(rest.slice(1), item);
      if (typeof p === 'string') return p;
      port = p;
    }
    if (isIP(host) !== 6) return `DnsServers: "${host}" is not an IPv6 address`;
    return { address: host, port, family: 6 };
  }
  const colons = item.split(':').length - 1;
  if (colons === 1) {
    const [h, p] = item.split(':') as [string, string];
    const n = parsePortText(p, item);
    if (typeof n === 'string') return n;
    host = h;
    port = n;
  }
  const fam = isIP(host);
  if (fam === 0) return `DnsServers: "${host}" is not an IP address`;
  return { address: host, port, family: fam === 6 ? 6 : 4 };
}

export function parseDnsServers(raw: string): Parsed<DnsServer[]> {
  const out: DnsServer[] = [];
  for (const part of raw.split(',')) {
    const item = part.trim();
    if (item === '') continue;
    const r = parseOne(item);
    if (typeof r === 'string') return fail(r);
    out.push(r);
  }
  if (out.length === 0) return fail('DnsServers: empty list (leave the option out to use the system resolver)');
  return ok(out);
}

export function formatDnsServer(s: DnsServer): string {
  if (s.family === 6) return s.port === 53 ? s.address : `[${s.address}]:${s.port}`;
  return s.port === 53 ? s.address : `${s.address}:${s.port}`;
}
