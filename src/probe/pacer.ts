// The probe's manners towards the target (audit-and-probe.md §3.1): one connection at a time and at most
// one new connection per interval (default one second). The interval is a parameter so that tests can
// run faster against their own loopback servers without changing what operators get.

import { setTimeout as sleep } from 'node:timers/promises';

export const DEFAULT_CONNECT_INTERVAL_MS = 1000;

export class ConnectionPacer {
  private lastStart = Number.NEGATIVE_INFINITY;
  private queue: Promise<void> = Promise.resolve();

  constructor(readonly intervalMs: number = DEFAULT_CONNECT_INTERVAL_MS) {}

  /**
   * Waits until the previous connection has been released and the interval since it was opened has
   * passed; returns the release function for this one.
   */
  async acquire(): Promise<() => void> {
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const before = this.queue;
    this.queue = before.then(() => mine);
    await before;
    const wait = this.lastStart + this.intervalMs - performance.now();
    if (wait > 0) await sleep(wait);
    this.lastStart = performance.now();
    return release;
  }
}
