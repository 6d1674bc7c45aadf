// Remembers who a client address is for a short while, and asks DNS once for many simultaneous
// connections from one address. A busy sender opens many connections; without this every one of them
// costs a PTR and a forward lookup (the resolver library has no cache of its own).

import type { DnsResolver } from '../dns/resolver.js';
import { identifyClient, type ClientIdentity, type ResolveState } from './client-identity.js';

interface Entry {
  ptr: string;
  resolve: ResolveState;
  name: string;
  label: string;
  addr: string;
  expires: number;
}

export class IdentityCache {
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Map<string, Promise<ClientIdentity>>();

  /**
   * @param ttlMs how long a definite answer is kept
   * @param tempTtlMs how long a temporary failure is kept (short: the next client should get a new try)
   */
  constructor(
    private readonly dns: DnsResolver,
    private readonly ttlMs = 60_000,
    private readonly tempTtlMs = 5_000,
    private readonly maxEntries = 10_000,
  ) {}

  async identify(ip: string, port: number, now: number): Promise<ClientIdentity> {
    const hit = this.entries.get(ip);
    if (hit !== undefined && hit.expires > now) {
      return { addr: hit.addr, ip, port, ptr: hit.ptr, resolve: hit.resolve, name: hit.name, label: hit.label };
    }
    let p = this.pending.get(ip);
    if (p === undefined) {
      p = identifyClient(ip, port, this.dns).finally(() => this.pending.delete(ip));
      this.pending.set(ip, p);
      const id = await p;
      this.remember(ip, id, now);
      return id;
    }
    const shared = await p;
    return { ...shared, port };
  }

  private remember(ip: string, id: ClientIdentity, now: number): void {
    if (this.entries.size >= this.maxEntries) {
      // Drop the oldest insertion: a Map iterates in insertion order.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.delete(ip);
    this.entries.set(ip, {
      ptr: id.ptr,
      resolve: id.resolve,
      name: id.name,
      label: id.label,
      addr: id.addr,
      expires: now + (id.resolve === 'TEMP' ? this.tempTtlMs : this.ttlMs),
    });
  }
}
