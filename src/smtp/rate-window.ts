// Connections per client address within a sliding window (relay-and-access.md §5 step 5, ratecontrol):
// one small ring of timestamps per address, forgotten once it falls out of the window.

export class RateWindow {
  private readonly seen = new Map<string, number[]>();
  private lastPrune = 0;

  /** Records a connection from `ip` now and returns how many fell within the last `windowMs`. */
  hit(ip: string, now: number, windowMs: number): number {
    let list = this.seen.get(ip);
    if (list === undefined) {
      list = [];
      this.seen.set(ip, list);
    }
    const from = now - windowMs;
    let drop = 0;
    while (drop < list.length && list[drop]! <= from) drop++;
    if (drop > 0) list.splice(0, drop);
    list.push(now);
    if (now - this.lastPrune > windowMs) this.prune(from, now);
    return list.length;
  }

  private prune(from: number, now: number): void {
    this.lastPrune = now;
    for (const [ip, list] of this.seen) {
      if (list.length === 0 || list[list.length - 1]! <= from) this.seen.delete(ip);
    }
  }
}
