// The probe's target as given on the command line: `<host>[:<port>]`, where host is a name or an
// address literal (`[192.0.2.1]`, `[2001:db8::1]`, also `[IPv6:2001:db8::1]` as RFC 5321 writes it).

import { isIP, isIPv6 } from 'node:net';

export const DEFAULT_PORT = 25;

export interface Target {
  /** what to connect to: a host name or a bare IP address */
  host: string;
  port: number;
  /** the host as the operator wrote it (brackets kept), for messages */
  shown: string;
}

const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/;

function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 1 && n <= 65535 ? n : undefined;
}

/** The target, or an error message for the usage line. */
export function parseTarget(text: string): Target | string {
  let hostPart = text;
  let port = DEFAULT_PORT;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close === -1) return `bad target ${text}: unbalanced '['`;
    hostPart = text.slice(0, close + 1);
    const after = text.slice(close + 1);
    if (after !== '') {
      const p = after.startsWith(':') ? parsePort(after.slice(1)) : undefined;
      if (p === undefined) return `bad target ${text}: bad port`;
      port = p;
    }
    let ip = hostPart.slice(1, -1);
    if (/^ipv6:/i.test(ip)) ip = ip.slice(5);
    if (isIP(ip) === 0) return `bad target ${text}: ${ip} is not an IP address`;
    return { host: ip, port, shown: hostPart };
  }
  // A bare IPv6 address has colons of its own: it cannot carry a port without brackets.
  if (isIPv6(text)) return { host: text, port, shown: `[${text}]` };
  const colon = text.lastIndexOf(':');
  if (colon !== -1) {
    const p = parsePort(text.slice(colon + 1));
    if (p === undefined) return `bad target ${text}: bad port`;
    port = p;
    hostPart = text.slice(0, colon);
  }
  if (isIP(hostPart) === 0 && !NAME.test(hostPart)) return `bad target ${text}: not a host name or address`;
  return { host: hostPart, port, shown: hostPart };
}

/** The RFC 5321 address literal of a connected peer: `[192.0.2.1]`, `[IPv6:2001:db8::1]`. */
export function addressLiteral(ip: string): string {
  const bare = ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
  return isIPv6(bare) ? `[IPv6:${bare}]` : `[${bare}]`;
}
