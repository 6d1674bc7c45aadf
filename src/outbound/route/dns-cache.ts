// A short-lived cache of the answers routing gets (MX records, host addresses) [Postern]: a queue run
// delivering thousands of messages to the same domains would otherwise ask the same questions for
// every message. Only definite answers are kept (records found, or "no such name / no data"), for at
// most `ttlMs`; temporary failures are never cached, so a recovering DNS is seen at the next attempt.
// (Node's resolver gives no TTL for MX answers; the bound is short so that DNS changes still apply
// within the same queue run's time scale.)

import type { Lookup, MxRecord } from '../../dns/lookup.js';
import type { HopResolver } from './mx.js';

interface Entry<T> {
  until: number;
  value: Promise<Lookup<T>>;
}

/** Entries kept at most; the oldest half is dropped when full. */
const MAX_ENTRIES = 10_000;

export class CachingResolver implements HopResolver {
  private readonly mxs = new Map<string, Entry<MxRecord[]>>();
  private readonly addrs = new Map<string, Entry<string[]>>();

  constructor(
    private readonly dns: HopResolver,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  mx(domain: string): Promise<Lookup<MxRecord[]>> {
    return this.cached(this.mxs, domain.toLowerCase(), () => this.dns.mx(domain));
  }

  addresses(name: string): Promise<Lookup<string[]>> {
    return this.cached(this.addrs, name.toLowerCase(), () => this.dns.addresses(name));
  }

  private cached<T>(map: Map<string, Entry<T>>, key: string, ask: () => Promise<Lookup<T>>): Promise<Lookup<T>> {
    const t = this.now();
    const hit = map.get(key);
    if (hit !== undefined && hit.until > t) return hit.value;
    // Concurrent questions for one name share the one query in flight.
    const value = ask();
    const entry: Entry<T> = { until: t + this.ttlMs, value };
    if (map.size >= MAX_ENTRIES) for (const k of [...map.keys()].slice(0, MAX_ENTRIES / 2)) map.delete(k);
    map.set(key, entry);
    void value.then(
      (r) => {
        if (!r.ok && r.kind === 'temp' && map.get(key) === entry) map.delete(key);
      },
      () => {
        if (map.get(key) === entry) map.delete(key);
      },
    );
    return value;
  }
}
