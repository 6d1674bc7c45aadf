// The one DNS entry point: Node's resolver pointed at DnsServers (or the system's), with the
// Timeout.resolver.* bounds, and /etc/hosts consulted first. Answers distinguish "no such name/no data"
// from temporary failures, because policy must never turn a temporary failure into an acceptance.

import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { type HostsTable, loadHosts } from './hosts.js';

export type Lookup<T> = { ok: true; value: T } | { ok: false; kind: 'none' | 'temp'; code: string };

export interface DnsOptions {
  /** DnsServers entries: `ip`, `ip:port`, `[ipv6]:port`; empty = the system's resolv.conf */
  servers: string[];
  timeoutMs: number;
  tries: number;
  hostsFile?: string;
}

const NONE_CODES = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN', 'ENONAME', 'EBADNAME', 'ENOTIMP']);

export class DnsResolver {
  private readonly resolver: Resolver;
  private readonly hosts: HostsTable;

  constructor(opts: DnsOptions) {
    this.resolver = new Resolver({ timeout: Math.max(1, Math.floor(opts.timeoutMs)), tries: Math.max(1, opts.tries) });
    if (opts.servers.length > 0) this.resolver.setServers(opts.servers);
    this.hosts = loadHosts(opts.hostsFile);
  }

  cancel(): void {
    this.resolver.cancel();
  }

  private static classify<T>(err: unknown): Lookup<T> {
    const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : 'EUNKNOWN';
    return { ok: false, kind: NONE_CODES.has(code) ? 'none' : 'temp', code };
  }

  /** The hosts file's answers alone, without waiting: the name of an address and that name's addresses. */
  hostsEntry(ip: string): { name: string; addresses: readonly string[] } | undefined {
    const name = this.hosts.byAddress.get(ip);
    if (name === undefined) return undefined;
    return { name, addresses: this.hosts.byName.get(name.toLowerCase()) ?? [] };
  }

  /** PTR names of an address (hosts file first). */
  async reverse(ip: string): Promise<Lookup<string[]>> {
    const h = this.hosts.byAddress.get(ip);
    if (h !== undefined) return { ok: true, value: [h] };
    try {
      const names = await this.resolver.reverse(ip);
      return names.length > 0 ? { ok: true, value: names } : { ok: false, kind: 'none', code: 'ENODATA' };
    } catch (err) {
      return DnsResolver.classify(err);
    }
  }

  /** A and AAAA addresses of a name (hosts file first); 'none' only if both are definitely empty. */
  async addresses(name: string): Promise<Lookup<string[]>> {
    const h = this.hosts.byName.get(name.toLowerCase().replace(/\.$/, ''));
    if (h !== undefined) return { ok: true, value: h };
    if (isIP(name) !== 0) return { ok: true, value: [name] };
    const [a, aaaa] = await Promise.all([
      this.resolver.resolve4(name).then((v): Lookup<string[]> => ({ ok: true, value: v }), (e: unknown) => DnsResolver.classify<string[]>(e)),
      this.resolver.resolve6(name).then((v): Lookup<string[]> => ({ ok: true, value: v }), (e: unknown) => DnsResolver.classify<string[]>(e)),
    ]);
    const found = [...(a.ok ? a.value : []), ...(aaaa.ok ? aaaa.value : [])];
    if (found.length > 0) return { ok: true, value: found };
    if ((!a.ok && a.kind === 'temp') || (!aaaa.ok && aaaa.kind === 'temp')) {
      return { ok: false, kind: 'temp', code: !a.ok && a.kind === 'temp' ? a.code : !aaaa.ok ? aaaa.code : 'ETEMP' };
    }
    return { ok: false, kind: 'none', code: 'ENODATA' };
  }
}
