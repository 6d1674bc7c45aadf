// The one DNS entry point: Node's resolver pointed at DnsServers (or the system's), with the
// Timeout.resolver.* bounds, and /etc/hosts consulted first for names and addresses. Answers keep
// "no such name/no data" apart from temporary failures (lookup.ts), because policy must never turn a
// temporary failure into an acceptance or a permanent rejection.

import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { BAD_NAME, NO_DATA, TIMED_OUT, classifyError, combineFailures, isQueryableName } from './classify.js';
import { type HostsTable, loadHosts } from './hosts.js';
import { ptrName } from './ip-names.js';
import type { DnsFailure, Lookup, MxRecord, PolicyResolver, QueryOptions, TtlLookup } from './lookup.js';

export type { DnsFailure, DnsFailureStatus, Lookup, MxRecord, QueryOptions, TtlLookup } from './lookup.js';

export interface DnsOptions {
  /** DnsServers entries: `ip`, `ip:port`, `[ipv6]:port`; empty = the system's resolv.conf */
  servers: string[];
  /** Timeout.resolver.retrans: the wait for one try */
  timeoutMs: number;
  /** Timeout.resolver.retry: tries per query */
  tries: number;
  hostsFile?: string;
}

type Outcome<T> = { ok: true; value: T } | DnsFailure;

function normaliseName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

export class DnsResolver implements PolicyResolver {
  /** One library resolver per tries count: enhdnsbl queries use EDNSBL_TO instead of the default. */
  private readonly resolvers = new Map<number, Resolver>();
  private readonly hosts: HostsTable;
  private readonly servers: string[];
  private readonly timeoutMs: number;
  private readonly tries: number;

  constructor(opts: DnsOptions) {
    this.servers = opts.servers;
    this.timeoutMs = Math.max(1, Math.floor(opts.timeoutMs));
    this.tries = Math.max(1, Math.floor(opts.tries));
    this.hosts = loadHosts(opts.hostsFile);
    this.resolverFor(this.tries);
  }

  private resolverFor(tries: number): Resolver {
    let r = this.resolvers.get(tries);
    if (r === undefined) {
      r = new Resolver({ timeout: this.timeoutMs, tries });
      if (this.servers.length > 0) r.setServers(this.servers);
      this.resolvers.set(tries, r);
    }
    return r;
  }

  cancel(): void {
    for (const r of this.resolvers.values()) r.cancel();
  }

  /**
   * Runs one query bounded by retrans × tries. The library doubles its wait after each try, so
   * without this bound four tries of 5 s could take more than a minute.
   */
  private async query<T>(tries: number | undefined, ask: (r: Resolver) => Promise<T>): Promise<Outcome<T>> {
    const n = tries === undefined ? this.tries : Math.max(1, Math.floor(tries));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<DnsFailure>((resolve) => {
      timer = setTimeout(() => resolve(TIMED_OUT), this.timeoutMs * n);
    });
    const answer = ask(this.resolverFor(n)).then((value): Outcome<T> => ({ ok: true, value }), classifyError);
    try {
      return await Promise.race([answer, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The hosts file's answers alone, without waiting: the name of an address and that name's addresses. */
  hostsEntry(ip: string): { name: string; addresses: readonly string[] } | undefined {
    const name = this.hosts.byAddress.get(ip);
    if (name === undefined) return undefined;
    return { name, addresses: this.hosts.byName.get(name.toLowerCase()) ?? [] };
  }

  async reverse(ip: string): Promise<Lookup<string[]>> {
    const h = this.hosts.byAddress.get(ip);
    if (h !== undefined) return { ok: true, value: [h] };
    const name = ptrName(ip);
    if (name === undefined) return BAD_NAME;
    // A PTR query rather than the library's reverse(): that one reports SERVFAIL, REFUSED and
    // timeouts as "not found", which would turn a temporary failure into FAIL.
    const r = await this.query(undefined, (res) => res.resolvePtr(name));
    if (!r.ok) return r;
    return r.value.length > 0 ? r : NO_DATA;
  }

  async addresses(name: string): Promise<Lookup<string[]>> {
    const h = this.hosts.byName.get(normaliseName(name));
    if (h !== undefined) return { ok: true, value: h };
    if (isIP(name) !== 0) return { ok: true, value: [name] };
    if (!isQueryableName(name)) return BAD_NAME;
    const [a, aaaa] = await Promise.all([
      this.query(undefined, (res) => res.resolve4(name)),
      this.query(undefined, (res) => res.resolve6(name)),
    ]);
    const found = [...(a.ok ? a.value : []), ...(aaaa.ok ? aaaa.value : [])];
    if (found.length > 0) return { ok: true, value: found };
    if (!a.ok && !aaaa.ok) return combineFailures(a, aaaa);
    // One side answered with an empty list (not expected from the library): the other side decides.
    return !a.ok ? a : !aaaa.ok ? aaaa : NO_DATA;
  }

  async mx(domain: string): Promise<Lookup<MxRecord[]>> {
    if (!isQueryableName(domain)) return BAD_NAME;
    const r = await this.query(undefined, (res) => res.resolveMx(domain));
    if (!r.ok) return r;
    if (r.value.length === 0) return NO_DATA;
    const records = r.value.map((m) => ({ preference: m.priority, exchange: normaliseName(m.exchange) }));
    return { ok: true, value: records.sort((x, y) => x.preference - y.preference) };
  }

  a(name: string, opts?: QueryOptions): Promise<TtlLookup<string[]>> {
    return this.withTtl(name, opts, (res) => res.resolve4(name, { ttl: true }));
  }

  aaaa(name: string, opts?: QueryOptions): Promise<TtlLookup<string[]>> {
    return this.withTtl(name, opts, (res) => res.resolve6(name, { ttl: true }));
  }

  private async withTtl(
    name: string,
    opts: QueryOptions | undefined,
    ask: (r: Resolver) => Promise<Array<{ address: string; ttl: number }>>,
  ): Promise<TtlLookup<string[]>> {
    if (!isQueryableName(name)) return BAD_NAME;
    const r = await this.query(opts?.tries, ask);
    if (!r.ok) return r;
    if (r.value.length === 0) return NO_DATA;
    return { ok: true, value: r.value.map((x) => x.address), ttl: Math.min(...r.value.map((x) => x.ttl)) };
  }
}
