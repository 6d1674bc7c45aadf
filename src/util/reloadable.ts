// A value built from files that is rebuilt when the files change, checked lazily when someone is about
// to use it (a new TLS session, an AUTH attempt) rather than by a watcher: no inotify limits, nothing to
// close, and an idle server does no work. A change is taken only once the newest file has been left
// alone for `settleMs`, so a certificate caught half-copied is not loaded. A file the process cannot
// stat (a key in a directory only root may enter, read through the master) is re-read every
// `blindIntervalMs` instead.

import { stat } from 'node:fs/promises';

export interface ReloadOptions {
  /** at most one stat round per this many ms */
  minIntervalMs?: number;
  /** a change younger than this is left for a later check */
  settleMs?: number;
  /** files that cannot be stat'ed are re-read this often */
  blindIntervalMs?: number;
  now?: () => number;
}

interface Stamp {
  key: string;
  mtimeMs: number;
}

async function stampOf(path: string): Promise<Stamp | undefined> {
  try {
    const st = await stat(path);
    return { key: `${st.ino}:${st.size}:${st.mtimeMs}`, mtimeMs: st.mtimeMs };
  } catch {
    return undefined;
  }
}

export async function stampsOf(paths: readonly string[]): Promise<Array<Stamp | undefined>> {
  return Promise.all(paths.map(stampOf));
}

export class Reloadable<T> {
  private lastCheck: number;
  private lastBlind: number;
  private inflight: Promise<void> | undefined;
  private readonly minInterval: number;
  private readonly settle: number;
  private readonly blindInterval: number;
  private readonly now: () => number;

  /**
   * `build` makes a new value from the files, or returns undefined when they do not make a usable one
   * (it reports why itself); the value in use is then kept.
   */
  constructor(
    private value: T,
    private readonly paths: readonly string[],
    private stamps: Array<Stamp | undefined>,
    private readonly build: () => Promise<T | undefined>,
    opts: ReloadOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.minInterval = opts.minIntervalMs ?? 1000;
    this.settle = opts.settleMs ?? 2000;
    this.blindInterval = opts.blindIntervalMs ?? 60_000;
    this.lastCheck = this.now();
    this.lastBlind = this.lastCheck;
  }

  get current(): T {
    return this.value;
  }

  /** Checks the files (throttled) and rebuilds the value if they changed; never throws. */
  refresh(): Promise<void> {
    if (this.inflight !== undefined) return this.inflight;
    const now = this.now();
    if (now - this.lastCheck < this.minInterval) return Promise.resolve();
    this.lastCheck = now;
    this.inflight = this.check(now)
      .catch(() => undefined)
      .finally(() => {
        this.inflight = undefined;
      });
    return this.inflight;
  }

  private async check(now: number): Promise<void> {
    const fresh = await stampsOf(this.paths);
    const blind = fresh.some((s) => s === undefined);
    let changed = fresh.some((s, i) => s?.key !== this.stamps[i]?.key);
    if (blind && now - this.lastBlind >= this.blindInterval) {
      this.lastBlind = now;
      changed = true;
    }
    if (!changed) return;
    const newest = Math.max(0, ...fresh.map((s) => s?.mtimeMs ?? 0));
    if (now - newest < this.settle) return;
    const next = await this.build();
    // A pair that does not load (a key not matching its certificate yet) is not retried until the
    // files change again.
    this.stamps = fresh;
    if (next !== undefined) this.value = next;
  }
}
