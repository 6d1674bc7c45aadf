// A DNS server for tests, on loopback UDP (and the port the OS picks): a small zone of A, AAAA, MX, PTR
// and TXT records with chosen TTLs, plus names that answer NXDOMAIN, SERVFAIL, REFUSED, NOERROR without
// data, slowly, or never. Postern is pointed at it with `DnsServers = 127.0.0.1:<port>`.

import { createSocket, type Socket } from 'node:dgram';
import * as packet from 'dns-packet';
import { DnsResolver } from '../../src/dns/resolver.js';

/** `drop`: the question is never answered. `delayMs`: the normal answer, that much later. */
export type Behaviour = 'nxdomain' | 'servfail' | 'nodata' | 'refused' | 'drop' | { delayMs: number };

export interface Zone {
  A?: Record<string, string[]>;
  AAAA?: Record<string, string[]>;
  /** exchange `.` is the null MX (RFC 7505) */
  MX?: Record<string, Array<{ preference: number; exchange: string }>>;
  PTR?: Record<string, string[]>;
  TXT?: Record<string, string[]>;
  /**
   * How to misbehave, keyed by lower-case name (any type) or by `TYPE name` (that type only; it wins
   * over the name alone).
   */
  special?: Record<string, Behaviour>;
  /** an A record for every name the zone does not know (so arbitrary sender domains exist) */
  wildcardA?: string;
  /** TTL in seconds of the records of a lower-case name (any type); 60 when not given */
  ttl?: Record<string, number>;
}

export interface TestDns {
  port: number;
  /** questions received, `TYPE name` */
  queries: string[];
  close(): Promise<void>;
}

/** The in-addr.arpa / ip6.arpa name of an address, for PTR entries. */
export function reverseName(ip: string): string {
  if (ip.includes(':')) {
    const full = expandIpv6(ip).replace(/:/g, '');
    return `${[...full].reverse().join('.')}.ip6.arpa`;
  }
  return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
}

function expandIpv6(ip: string): string {
  const [head, tail] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const fill = new Array(8 - h.length - t.length).fill('0');
  return [...h, ...(tail !== undefined ? fill : []), ...t].map((g) => g.padStart(4, '0')).join(':');
}

function lookup(zone: Zone, type: string, name: string): packet.Answer[] | undefined {
  const key = name.toLowerCase().replace(/\.$/, '');
  const ttl = zone.ttl?.[key] ?? 60;
  switch (type) {
    case 'A':
      return zone.A?.[key]?.map((data) => ({ type: 'A', name, ttl, data }));
    case 'AAAA':
      return zone.AAAA?.[key]?.map((data) => ({ type: 'AAAA', name, ttl, data }));
    case 'MX':
      return zone.MX?.[key]?.map((data) => ({ type: 'MX', name, ttl, data }));
    case 'PTR':
      return zone.PTR?.[key]?.map((data) => ({ type: 'PTR', name, ttl, data }));
    case 'TXT':
      return zone.TXT?.[key]?.map((data) => ({ type: 'TXT', name, ttl, data }));
    default:
      return undefined;
  }
}

function known(zone: Zone, name: string): boolean {
  const key = name.toLowerCase().replace(/\.$/, '');
  return [zone.A, zone.AAAA, zone.MX, zone.PTR, zone.TXT].some((t) => t !== undefined && key in t);
}

const RCODES = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;

export async function startTestDns(zone: Zone): Promise<TestDns> {
  const sock: Socket = createSocket('udp4');
  const queries: string[] = [];
  const timers = new Set<NodeJS.Timeout>();
  sock.on('message', (msg, rinfo) => {
    let q: packet.Packet;
    try {
      q = packet.decode(msg);
    } catch {
      return;
    }
    const question = q.questions?.[0];
    if (question === undefined) return;
    queries.push(`${question.type} ${question.name}`);
    const qname = question.name.toLowerCase().replace(/\.$/, '');
    const special = zone.special?.[`${question.type} ${qname}`] ?? zone.special?.[qname];
    const reply = (rcode: keyof typeof RCODES, answers: packet.Answer[]): void => {
      const buf = packet.encode({
        id: q.id ?? 0,
        type: 'response',
        // dns-packet carries the response code in the low four bits of the flags.
        flags: packet.RECURSION_DESIRED | packet.RECURSION_AVAILABLE | packet.AUTHORITATIVE_ANSWER | RCODES[rcode],
        questions: [question],
        answers,
      });
      sock.send(buf, rinfo.port, rinfo.address);
    };
    if (special === 'nxdomain') return reply('NXDOMAIN', []);
    if (special === 'servfail') return reply('SERVFAIL', []);
    if (special === 'refused') return reply('REFUSED', []);
    if (special === 'nodata') return reply('NOERROR', []);
    if (special === 'drop') return;
    let answers = lookup(zone, question.type, question.name);
    if (answers === undefined && zone.wildcardA !== undefined && question.type === 'A' && !known(zone, question.name)) {
      answers = [{ type: 'A', name: question.name, ttl: 60, data: zone.wildcardA }];
    }
    const send = (): void => {
      if (answers !== undefined && answers.length > 0) reply('NOERROR', answers);
      else if (known(zone, question.name)) reply('NOERROR', []);
      else reply('NXDOMAIN', []);
    };
    if (typeof special === 'object') {
      const t = setTimeout(() => {
        timers.delete(t);
        send();
      }, special.delayMs);
      timers.add(t);
    } else send();
  });
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', () => resolve()));
  return {
    port: sock.address().port,
    queries,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        sock.close(() => resolve());
      }),
  };
}

/**
 * Postern's real resolver pointed at a test server, with a short timeout so that a dropped or slow
 * answer fails fast. The hosts file is empty unless one is given, so answers come from the zone alone.
 */
export function testResolver(dns: TestDns, opts: { timeoutMs?: number; tries?: number; hostsFile?: string } = {}): DnsResolver {
  return new DnsResolver({
    servers: [`127.0.0.1:${dns.port}`],
    timeoutMs: opts.timeoutMs ?? 250,
    tries: opts.tries ?? 2,
    hostsFile: opts.hostsFile ?? '/dev/null',
  });
}

/** How many times the server was asked `TYPE name`. */
export function countQueries(dns: TestDns, question: string): number {
  return dns.queries.filter((q) => q === question).length;
}
