// Outbound connections shared by every delivery of the process: an open session to a destination is kept
// idle for a while (ConnectionCacheTimeout) and reused for the next message to the same place
// (ConnectionCacheSize idle at most); no more than OutboundMaxPerDestination connections to one peer
// address and OutboundMaxConnections in all are open at once — a delivery over a limit waits for a slot.
// It also remembers, for Timeout.hoststatus, the addresses that refused connections and those whose TLS
// handshake failed (queue-and-bounces.md §5 "Host status"). It knows nothing of SMTP: the client checks a
// reused connection (RSET) and says whether it can go back.

import type { OutcomeReply } from '../client/types.js';

/** What the pool needs of a connection. */
export interface Pooled {
  readonly alive: boolean;
  /** ends it politely; never throws */
  quit(timeoutMs: number): Promise<void>;
  onClose(f: () => void): void;
  /** idle (true): the connection should not keep the process alive; busy again (false) */
  setIdle?(idle: boolean): void;
}

export interface PoolOptions {
  /** OutboundMaxConnections: all open connections (busy and idle); 0 = no limit */
  maxConnections: number;
  /** OutboundMaxPerDestination: open connections to one address and port; 0 = no limit */
  maxPerDestination: number;
  /** ConnectionCacheSize: idle connections kept for reuse; 0 = none (QUIT after each delivery) */
  cacheSize: number;
  /** ConnectionCacheTimeout: how long an idle connection is kept */
  idleMs: number;
  /** Timeout.hoststatus: how long a connection failure (or a failed TLS handshake) is remembered; 0 = not */
  hostStatusMs: number;
  /** Timeout.quit, for the QUIT of connections the pool ends */
  quitMs: number;
}

/** A slot for one connection to `dest`: with an idle connection to reuse, or empty (open a new one). */
export interface Lease<T> {
  readonly conn: T | undefined;
  /**
   * Gives the slot back; a connection that is `reusable` (and alive) may go idle, else it is closed.
   * Resolves when a connection being closed has finished its QUIT (callers need not wait).
   */
  release(conn: T | undefined, reusable: boolean): Promise<void>;
}

interface IdleEntry<T> {
  conn: T;
  key: string;
  dest: string;
  timer: NodeJS.Timeout | undefined;
  since: number;
}

interface Waiter<T> {
  key: string;
  dest: string;
  resolve: (l: Lease<T>) => void;
  reject: (e: Error) => void;
}

interface Remembered {
  until: number;
  reply?: OutcomeReply;
}

export class PoolClosedError extends Error {
  constructor() {
    super('the outbound connection pool is closed');
  }
}

export class ConnectionPool<T extends Pooled = Pooled> {
  private total = 0;
  private readonly perDest = new Map<string, number>();
  /** idle connections by key, oldest first */
  private readonly idle = new Map<string, Array<IdleEntry<T>>>();
  private idleCount = 0;
  private readonly waiters: Array<Waiter<T>> = [];
  private readonly watched = new WeakSet<T>();
  private readonly down = new Map<string, Remembered>();
  private readonly noTls = new Map<string, Remembered>();
  private closed = false;

  constructor(readonly opts: PoolOptions) {}

  /** A pool that keeps nothing and limits nothing: each delivery opens its own connection and QUITs it. */
  static unpooled<T extends Pooled>(quitMs: number): ConnectionPool<T> {
    return new ConnectionPool<T>({ maxConnections: 0, maxPerDestination: 0, cacheSize: 0, idleMs: 0, hostStatusMs: 0, quitMs });
  }

  /** Connections open now (busy and idle), and of them idle. */
  stats(): { open: number; idle: number; waiting: number } {
    return { open: this.total, idle: this.idleCount, waiting: this.waiters.length };
  }

  /**
   * A slot for a connection to `dest` (the peer's address and port: what the limits count); `key` says
   * which idle connections fit (same peer, TLS policy, source address and HELO name).
   */
  acquire(key: string, dest: string): Promise<Lease<T>> {
    if (this.closed) return Promise.reject(new PoolClosedError());
    const now = this.tryGrant(key, dest);
    if (now !== undefined) return Promise.resolve(now);
    return new Promise((resolve, reject) => this.waiters.push({ key, dest, resolve, reject }));
  }

  private tryGrant(key: string, dest: string): Lease<T> | undefined {
    const reuse = this.takeIdle(key);
    if (reuse !== undefined) return this.lease(key, dest, reuse);
    const destOk = this.opts.maxPerDestination === 0 || (this.perDest.get(dest) ?? 0) < this.opts.maxPerDestination;
    if (!destOk) return undefined;
    if (this.opts.maxConnections === 0 || this.total < this.opts.maxConnections) {
      this.count(dest, 1);
      return this.lease(key, dest, undefined);
    }
    // The global limit is reached, partly by idle connections elsewhere: the oldest makes room.
    if (this.evictOldest()) {
      this.count(dest, 1);
      return this.lease(key, dest, undefined);
    }
    return undefined;
  }

  private lease(key: string, dest: string, conn: T | undefined): Lease<T> {
    let done = false;
    return {
      conn,
      release: (c, reusable) => {
        if (done) return Promise.resolve();
        done = true;
        return this.giveBack(key, dest, c, reusable);
      },
    };
  }

  private count(dest: string, delta: number): void {
    this.total += delta;
    const n = (this.perDest.get(dest) ?? 0) + delta;
    if (n <= 0) this.perDest.delete(dest);
    else this.perDest.set(dest, n);
  }

  private takeIdle(key: string): T | undefined {
    const list = this.idle.get(key);
    while (list !== undefined && list.length > 0) {
      // The newest idle connection: the least likely to have been timed out by the peer.
      const e = list.pop()!;
      if (list.length === 0) this.idle.delete(key);
      this.idleCount--;
      clearTimeout(e.timer);
      e.conn.setIdle?.(false);
      if (e.conn.alive) return e.conn;
      this.count(e.dest, -1);
    }
    return undefined;
  }

  private evictOldest(): boolean {
    let oldest: IdleEntry<T> | undefined;
    for (const list of this.idle.values()) {
      const e = list[0];
      if (e !== undefined && (oldest === undefined || e.since < oldest.since)) oldest = e;
    }
    if (oldest === undefined) return false;
    this.dropIdle(oldest);
    return true;
  }

  /** Removes an idle entry, closes its connection and frees its slot. */
  private dropIdle(e: IdleEntry<T>): void {
    const list = this.idle.get(e.key);
    const at = list?.indexOf(e) ?? -1;
    if (list === undefined || at === -1) return;
    list.splice(at, 1);
    if (list.length === 0) this.idle.delete(e.key);
    this.idleCount--;
    clearTimeout(e.timer);
    this.count(e.dest, -1);
    void e.conn.quit(this.opts.quitMs);
  }

  private giveBack(key: string, dest: string, conn: T | undefined, reusable: boolean): Promise<void> {
    if (conn !== undefined && reusable && conn.alive && !this.closed) {
      const w = this.waiters.findIndex((x) => x.key === key);
      if (w !== -1) {
        const [waiter] = this.waiters.splice(w, 1);
        waiter!.resolve(this.lease(key, dest, conn));
        return Promise.resolve();
      }
      if (this.idleCount < this.opts.cacheSize && this.opts.idleMs > 0) {
        this.putIdle(key, dest, conn);
        this.pump();
        return Promise.resolve();
      }
    }
    const ending = conn !== undefined ? conn.quit(this.opts.quitMs) : Promise.resolve();
    this.count(dest, -1);
    this.pump();
    return ending;
  }

  private putIdle(key: string, dest: string, conn: T): void {
    const e: IdleEntry<T> = { conn, key, dest, timer: undefined, since: performance.now() };
    conn.setIdle?.(true);
    e.timer = setTimeout(() => this.dropIdle(e), this.opts.idleMs);
    e.timer.unref();
    const list = this.idle.get(key);
    if (list === undefined) this.idle.set(key, [e]);
    else list.push(e);
    this.idleCount++;
    if (!this.watched.has(conn)) {
      this.watched.add(conn);
      // A peer that hangs up on an idle connection (its own timeout) frees the slot at once.
      conn.onClose(() => {
        for (const list2 of this.idle.values()) {
          const found = list2.find((x) => x.conn === conn);
          if (found !== undefined) {
            this.dropIdle(found);
            this.pump();
            return;
          }
        }
      });
    }
  }

  /** Hands freed slots to waiting deliveries, first come first served. */
  private pump(): void {
    for (let i = 0; i < this.waiters.length; ) {
      const w = this.waiters[i]!;
      const l = this.tryGrant(w.key, w.dest);
      if (l === undefined) {
        i++;
        continue;
      }
      this.waiters.splice(i, 1);
      w.resolve(l);
    }
  }

  /** The address refused a connection: skip it until Timeout.hoststatus has passed. */
  markDown(dest: string, reply: OutcomeReply): void {
    if (this.opts.hostStatusMs > 0) this.down.set(dest, { until: Date.now() + this.opts.hostStatusMs, reply });
  }

  /** The remembered failure of `dest`, while it is remembered. */
  hostDown(dest: string): OutcomeReply | undefined {
    return remembered(this.down, dest)?.reply;
  }

  /** An opportunistic TLS handshake with `dest` failed: use clear text there until Timeout.hoststatus has passed. */
  markTlsBroken(dest: string): void {
    if (this.opts.hostStatusMs > 0) this.noTls.set(dest, { until: Date.now() + this.opts.hostStatusMs });
  }

  tlsBroken(dest: string): boolean {
    return remembered(this.noTls, dest) !== undefined;
  }

  /** QUITs the idle connections; waiting deliveries fail. Busy connections are closed by their release. */
  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w.reject(new PoolClosedError());
    const all = [...this.idle.values()].flat();
    const quits = all.map((e) => {
      clearTimeout(e.timer);
      this.count(e.dest, -1);
      return e.conn.quit(this.opts.quitMs);
    });
    this.idle.clear();
    this.idleCount = 0;
    await Promise.all(quits);
  }
}

function remembered(m: Map<string, Remembered>, dest: string): Remembered | undefined {
  const r = m.get(dest);
  if (r === undefined) return undefined;
  if (r.until > Date.now()) return r;
  m.delete(dest);
  return undefined;
}
