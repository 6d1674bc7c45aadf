// Failed AUTH attempts per client address, across sessions (docs/auth.md): a guesser that reconnects
// for every try is counted all the same. A client's count starts at its first failure and is forgotten
// `windowMs` later; at `AuthMaxFailures` the session refuses further AUTH until then.

interface Entry {
  first: number;
  n: number;
}

/** Entries beyond this trigger a sweep of the expired ones, so a scan from many addresses stays bounded. */
const SWEEP_AT = 10_000;

export class AuthFailures {
  private readonly byIp = new Map<string, Entry>();

  constructor(private windowMs: number) {}

  /** A reload may change the window; counts are kept. */
  setWindow(ms: number): void {
    this.windowMs = ms;
  }

  count(ip: string, now: number): number {
    const e = this.byIp.get(ip);
    if (e === undefined) return 0;
    if (now - e.first >= this.windowMs) {
      this.byIp.delete(ip);
      return 0;
    }
    return e.n;
  }

  add(ip: string, now: number): number {
    const n = this.count(ip, now) + 1;
    const e = this.byIp.get(ip);
    if (e === undefined) this.byIp.set(ip, { first: now, n });
    else e.n = n;
    if (this.byIp.size > SWEEP_AT) this.sweep(now);
    return n;
  }

  get size(): number {
    return this.byIp.size;
  }

  private sweep(now: number): void {
    for (const [ip, e] of this.byIp) if (now - e.first >= this.windowMs) this.byIp.delete(ip);
  }
}
