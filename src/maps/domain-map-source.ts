// A domain map (domain-map.ts) as the daemon holds it: read from its text file at start-up, read again
// when the file changes. Like the access map (access-source.ts): a lookup starts a stat() when the last
// one is at least `checkIntervalMs` old; a version modified less than `settleMs` ago waits for a later
// check (an editor may still be writing it); a new version with errors is rejected and the map in use
// stays; a file that cannot be read after start-up also leaves the map in use as it was (routing keeps
// working from the last good version; the event is logged). SIGHUP rebuilds the runtime, which opens
// the file afresh.

import { readFile, stat } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import type { Diagnostic } from '../util/diagnostics.js';
import { DomainMap, type DomainMapParse } from './domain-map.js';

export interface DomainMapSourceOptions<V> {
  /** The text file. */
  path: string;
  /** What the map is, for messages: `mailertable`, `TLS policy map`. */
  what: string;
  /** A missing file is an empty map (else an error at start-up). */
  optional: boolean;
  parse(text: string, file: string): DomainMapParse<V>;
  checkIntervalMs?: number;
  settleMs?: number;
  onEvent?: (e: DomainMapEvent) => void;
}

export type DomainMapEvent =
  | { kind: 'loaded'; what: string; file: string; entries: number; diagnostics: Diagnostic[]; missing: boolean }
  | { kind: 'rejected'; what: string; file: string; diagnostics: Diagnostic[] }
  | { kind: 'unreadable'; what: string; file: string; reason: string };

type Read = { kind: 'text'; text: string; signature: string } | { kind: 'missing' } | { kind: 'unreadable'; reason: string } | { kind: 'changing' };

async function signature(path: string): Promise<{ sig: string; mtimeMs: number } | 'missing' | { error: string }> {
  try {
    const st = await stat(path, { bigint: true });
    if (!st.isFile()) return { error: 'not a regular file' };
    return { sig: `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}`, mtimeMs: Number(st.mtimeMs) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'missing' : { error: code === 'EACCES' ? 'permission denied' : (e as Error).message };
  }
}

async function readVersion(path: string): Promise<Read> {
  const before = await signature(path);
  if (before === 'missing') return { kind: 'missing' };
  if ('error' in before) return { kind: 'unreadable', reason: before.error };
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    return { kind: 'unreadable', reason: (e as Error).message };
  }
  const after = await signature(path);
  if (after === 'missing' || 'error' in after || after.sig !== before.sig) return { kind: 'changing' };
  return { kind: 'text', text, signature: after.sig };
}

export type DomainMapOpen<V> = { ok: true; source: DomainMapSource<V>; diagnostics: Diagnostic[] } | { ok: false; diagnostics: Diagnostic[] };

export class DomainMapSource<V> {
  #map: DomainMap<V>;
  #signature: string;
  #lastCheck = performance.now();
  #pending: { signature: string; since: number } | undefined;
  #inflight: Promise<void> | undefined;

  private constructor(
    private readonly opts: DomainMapSourceOptions<V>,
    map: DomainMap<V>,
    sig: string,
  ) {
    this.#map = map;
    this.#signature = sig;
  }

  /** Start-up: errors in the file, or a mandatory file that cannot be read, are fatal. */
  static async open<V>(opts: DomainMapSourceOptions<V>): Promise<DomainMapOpen<V>> {
    let r = await readVersion(opts.path);
    for (let i = 0; i < 5 && r.kind === 'changing'; i++) {
      await new Promise((res) => setTimeout(res, 50));
      r = await readVersion(opts.path);
    }
    const at = { file: opts.path };
    switch (r.kind) {
      case 'changing':
        return { ok: false, diagnostics: [{ severity: 'error', message: `${opts.what} ${opts.path} kept changing while it was read`, ...at }] };
      case 'unreadable':
        return { ok: false, diagnostics: [{ severity: 'error', message: `cannot read ${opts.what} ${opts.path}: ${r.reason}`, ...at }] };
      case 'missing':
        if (!opts.optional) return { ok: false, diagnostics: [{ severity: 'error', message: `cannot read ${opts.what} ${opts.path}: no such file`, ...at }] };
        opts.onEvent?.({ kind: 'loaded', what: opts.what, file: opts.path, entries: 0, diagnostics: [], missing: true });
        return { ok: true, source: new DomainMapSource(opts, DomainMap.empty<V>(), 'missing'), diagnostics: [] };
      case 'text': {
        const p = opts.parse(r.text, opts.path);
        if (p.errors > 0) return { ok: false, diagnostics: p.diagnostics };
        opts.onEvent?.({ kind: 'loaded', what: opts.what, file: opts.path, entries: p.map.size, diagnostics: p.diagnostics, missing: false });
        return { ok: true, source: new DomainMapSource(opts, p.map, r.signature), diagnostics: p.diagnostics };
      }
    }
  }

  get path(): string {
    return this.opts.path;
  }

  /** The map in service; starts a check of the file when the last one is old enough. */
  current(): DomainMap<V> {
    const now = performance.now();
    if (now - this.#lastCheck >= (this.opts.checkIntervalMs ?? 1000)) {
      this.#lastCheck = now;
      void this.check();
    }
    return this.#map;
  }

  /** Loads the file again if it changed (one check at a time). */
  check(): Promise<void> {
    this.#inflight ??= this.#check().finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  async #check(): Promise<void> {
    const o = this.opts;
    const st = await signature(o.path);
    const sig = st === 'missing' ? 'missing' : 'error' in st ? undefined : st.sig;
    if (sig === this.#signature) return;
    if (sig === undefined) {
      o.onEvent?.({ kind: 'unreadable', what: o.what, file: o.path, reason: (st as { error: string }).error });
      return;
    }
    if (st !== 'missing' && !('error' in st) && Date.now() - st.mtimeMs < (o.settleMs ?? 1000)) {
      const now = performance.now();
      if (this.#pending?.signature !== sig) this.#pending = { signature: sig, since: now };
      if (now - this.#pending.since < (o.settleMs ?? 1000)) return;
    }
    this.#pending = undefined;
    const r = await readVersion(o.path);
    if (r.kind === 'changing') return;
    if (r.kind === 'unreadable') {
      o.onEvent?.({ kind: 'unreadable', what: o.what, file: o.path, reason: r.reason });
      return;
    }
    if (r.kind === 'missing') {
      this.#signature = 'missing';
      if (!o.optional) {
        o.onEvent?.({ kind: 'unreadable', what: o.what, file: o.path, reason: 'no such file' });
        return;
      }
      this.#map = DomainMap.empty<V>();
      o.onEvent?.({ kind: 'loaded', what: o.what, file: o.path, entries: 0, diagnostics: [], missing: true });
      return;
    }
    const p = o.parse(r.text, o.path);
    this.#signature = r.signature;
    if (p.errors > 0) {
      o.onEvent?.({ kind: 'rejected', what: o.what, file: o.path, diagnostics: p.diagnostics });
      return;
    }
    this.#map = p.map;
    o.onEvent?.({ kind: 'loaded', what: o.what, file: o.path, entries: p.map.size, diagnostics: p.diagnostics, missing: false });
  }
}
