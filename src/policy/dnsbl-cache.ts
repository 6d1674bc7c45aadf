// Blocklist answers, remembered for the TTL of the DNS answer and at most an hour
// (relay-and-access.md §8.1 [Postern]), and asked for once however many connections from one address
// arrive together. A busy sender would otherwise cost one query per list per connection.
//
// Only definite answers are kept. Temporary failures never are: the next client gets a new try.
// "Not listed" (NXDOMAIN) carries no TTL in the resolver's answer, so it is kept only when the caller
// gives a negative TTL.

import { failure } from '../dns/classify.js';
import type { TtlLookup } from '../dns/lookup.js';

export interface DnsblCacheOptions {
  /** upper bound of any entry's life, seconds (default 3600) */
  maxTtlSeconds?: number;
  /** how long "not listed" is kept, seconds (default 0: not kept) */
  negativeTtlSeconds?: number;
  /** most entries kept (default 10000); the oldest goes first */
  maxEntries?: number;
  /** the time in milliseconds (default Date.now) */
  clock?: () => number;
}

interface Entry {
  answer: TtlLookup<string[]>;
  expires: number;
}

export class DnsblCache {
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Map<string, Promise<TtlLookup<string[]>>>();
  private readonly maxTtlMs: number;
  private readonly negativeTtlMs: number;
  private readonly maxEntries: number;
  private readonly clock: () => number;

  constructor(opts: DnsblCacheOptions = {}) {
    this.maxTtlMs = (opts.maxTtlSeconds ?? 3600) * 1000;
    this.negativeTtlMs = (opts.negativeTtlSeconds ?? 0) * 1000;
    this.maxEntries = opts.maxEntries ?? 10_000;
    this.clock = opts.clock ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The answer for `name`: remembered, already being asked for, or asked for now. Never rejects. */
  lookup(name: string, ask: () => Promise<TtlLookup<string[]>>): Promise<TtlLookup<string[]>> {
    const key = name.toLowerCase();
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      if (hit.expires > this.clock()) return Promise.resolve(hit.answer);
      this.entries.delete(key);
    }
    const inFlight = this.pending.get(key);
    if (inFlight !== undefined) return inFlight;
    let asked: Promise<TtlLookup<string[]>>;
    try {
      asked = ask();
    } catch {
      asked = Promise.resolve(failure('EUNKNOWN'));
    }
    // A resolver that fails in an unexpected way gives a temporary failure, never an exception.
    const p = asked
      .catch(() => failure('EUNKNOWN'))
      .then((answer) => {
        this.pending.delete(key);
        this.remember(key, answer);
        return answer;
      });
    this.pending.set(key, p);
    return p;
  }

  private remember(key: string, answer: TtlLookup<string[]>): void {
    let lifeMs: number;
    if (answer.ok) lifeMs = Math.min(answer.ttl * 1000, this.maxTtlMs);
    else if (answer.kind === 'none') lifeMs = Math.min(this.negativeTtlMs, this.maxTtlMs);
    else return;
    if (lifeMs <= 0) return;
    if (this.entries.size >= this.maxEntries) {
      // A Map iterates in insertion order: the first key is the oldest entry.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { answer, expires: this.clock() + lifeMs });
  }
}
