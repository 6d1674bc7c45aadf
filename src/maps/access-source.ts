// The access map as the daemon holds it (relay-and-access.md §2): read from the text source named by
// the configuration, reloaded whole when the file changes or on reload() (SIGHUP). A reload builds the
// new table beside the old one and swaps it in only when the file parsed without errors; a source that
// cannot be read puts the map in temporary failure until it can be read again.
//
// Change detection: a lookup starts a stat() of the source when the last one is at least
// `checkIntervalMs` (1 s) old. No fs.watch: it loses the file when an editor or a deployment tool
// renames a new version into place, and it is unreliable on network file systems; one stat a second
// costs nothing and sees every kind of replacement (device, inode, size and mtime are compared).
// A version modified less than `settleMs` (1 s) ago is left for a later check unless it is still the
// same then: an editor that truncates the file and writes it again must not have its empty or half
// written file taken for the new map. reload() (SIGHUP) does not wait: the admin says it is ready.

import { performance } from 'node:perf_hooks';
import type { AccessMapSpec } from '../config/layer.js';
import type { EffectiveConfig } from '../config/effective.js';
import type { Diagnostic } from '../util/diagnostics.js';
import type { AccessTag } from './access-key.js';
import { parseAccessBuffer, type AccessParseOptions } from './access-parse.js';
import { readSource, sourceState, type SourceLocation, type SourceRead } from './access-read.js';
import { AccessTable, tempfailLookups, type AccessLookupOptions, type AccessLookups, type AccessResult } from './access-table.js';

export interface AccessSourceOptions {
  readonly spec: AccessMapSpec;
  /** OperatorChars of the configuration (ERROR text rebuild). */
  readonly operatorChars?: string;
  /** FEATURE(lookupdotdomain); the access_db argument `lookupdotdomain` in spec.flags works too. */
  readonly dotDomain?: boolean;
  /** Least time between two checks of the source's modification time; default 1000 ms. */
  readonly checkIntervalMs?: number;
  /** How long a changed source must stay unchanged before a check loads it; default 1000 ms. */
  readonly settleMs?: number;
  /** Told about every load, rejected reload, temporary failure and recovery (for the log). */
  readonly onEvent?: (e: AccessSourceEvent) => void;
}

export type AccessSourceEvent =
  | { kind: 'loaded'; file: string; entries: number; ms: number; diagnostics: Diagnostic[]; missing: boolean }
  /** The new version has errors: the map in use stays as it was. */
  | { kind: 'rejected'; file: string; diagnostics: Diagnostic[] }
  /** The source cannot be read: lookups answer tempfail until it can. Sent once per failure period. */
  | { kind: 'tempfail'; file: string; reason: string };

export type AccessReloadResult =
  | { outcome: 'loaded'; entries: number; diagnostics: Diagnostic[]; /** Optional source absent: empty map. */ missing: boolean }
  | { outcome: 'unchanged' }
  | { outcome: 'rejected'; diagnostics: Diagnostic[] }
  | { outcome: 'tempfail'; reason: string }
  /** The file changed too recently or while it was read; a later check tries again. */
  | { outcome: 'changing' };

export type AccessOpenResult = { ok: true; source: AccessMapSource; diagnostics: Diagnostic[] } | { ok: false; diagnostics: Diagnostic[] };

/** How often open() and reload() read again a file that changes under them before giving up. */
const STABLE_READ_ATTEMPTS = 5;
const STABLE_READ_PAUSE_MS = 50;

/** The source options the effective configuration implies; undefined when access_db is off. */
export function accessSourceOptions(config: EffectiveConfig): Pick<AccessSourceOptions, 'spec' | 'operatorChars' | 'dotDomain'> | undefined {
  if (config.accessMap === undefined) return undefined;
  const operatorChars = config.options.OperatorChars;
  return {
    spec: config.accessMap,
    ...(operatorChars === undefined ? {} : { operatorChars }),
    dotDomain: (config.features['lookupdotdomain']?.length ?? 0) > 0,
  };
}

function dotDomainOf(opts: AccessSourceOptions): boolean {
  return opts.dotDomain === true || opts.spec.flags.some((f) => f.toLowerCase() === 'lookupdotdomain');
}

function parseOptionsOf(opts: AccessSourceOptions, file: string): AccessParseOptions {
  return { file, dotDomain: dotDomainOf(opts), ...(opts.operatorChars === undefined ? {} : { operatorChars: opts.operatorChars }) };
}

function locationOf(spec: AccessMapSpec): SourceLocation {
  return { path: spec.path, dbPath: spec.configuredPath ?? `${spec.path}.db`, optional: spec.optional };
}

async function readStable(loc: SourceLocation): Promise<SourceRead> {
  let r = await readSource(loc);
  for (let i = 1; i < STABLE_READ_ATTEMPTS && r.kind === 'changing'; i++) {
    await new Promise((resolve) => setTimeout(resolve, STABLE_READ_PAUSE_MS));
    r = await readSource(loc);
  }
  return r;
}

export class AccessMapSource implements AccessLookups {
  readonly #loc: SourceLocation;
  readonly #opts: AccessSourceOptions;
  readonly #dotDomain: boolean;
  readonly #interval: number;
  readonly #settleMs: number;
  #table: AccessTable;
  /** Signature of the version the table (or the last rejected version) came from; `missing` for none. */
  #signature: string | undefined;
  #tempfail: AccessLookups | undefined;
  #tempfailReason: string | undefined;
  /** A changed version seen too soon after its modification, and when it was first seen. */
  #pending: { signature: string; since: number } | undefined;
  #lastCheck: number;
  /** The last check or reload started or queued. */
  #inflight: Promise<AccessReloadResult> | undefined;
  /** A check queued behind #inflight that has not started yet. */
  #queuedCheck: Promise<AccessReloadResult> | undefined;

  private constructor(opts: AccessSourceOptions, table: AccessTable, signature: string) {
    this.#opts = opts;
    this.#loc = locationOf(opts.spec);
    this.#dotDomain = dotDomainOf(opts);
    this.#interval = opts.checkIntervalMs ?? 1000;
    this.#settleMs = opts.settleMs ?? 1000;
    this.#table = table;
    this.#signature = signature;
    this.#lastCheck = performance.now();
  }

  /** Start-up: errors in the source, an unreadable source and a `.db` without its text are fatal. */
  static async open(opts: AccessSourceOptions): Promise<AccessOpenResult> {
    const loc = locationOf(opts.spec);
    const at = { file: loc.path };
    const r = await readStable(loc);
    switch (r.kind) {
      case 'db-only':
      case 'unreadable':
        return { ok: false, diagnostics: [{ severity: 'error', message: r.message, ...at }] };
      case 'changing':
        return { ok: false, diagnostics: [{ severity: 'error', message: `access map ${loc.path} kept changing while it was read`, ...at }] };
      case 'missing': {
        const source = new AccessMapSource(opts, AccessTable.empty(loc.path, dotDomainOf(opts)), 'missing');
        opts.onEvent?.({ kind: 'loaded', file: loc.path, entries: 0, ms: 0, diagnostics: [], missing: true });
        return { ok: true, source, diagnostics: [] };
      }
      case 'text': {
        const started = performance.now();
        const parsed = await parseAccessBuffer(r.buf, parseOptionsOf(opts, loc.path));
        if (parsed.errors > 0) return { ok: false, diagnostics: parsed.diagnostics };
        const source = new AccessMapSource(opts, parsed.table, r.signature);
        const ms = performance.now() - started;
        opts.onEvent?.({ kind: 'loaded', file: loc.path, entries: parsed.table.size, ms, diagnostics: parsed.diagnostics, missing: false });
        return { ok: true, source, diagnostics: parsed.diagnostics };
      }
    }
  }

  get path(): string {
    return this.#loc.path;
  }

  /** `tempfail` while the source cannot be read; lookups then answer `{ status: 'tempfail' }`. */
  get state(): 'ready' | 'tempfail' {
    return this.#tempfail === undefined ? 'ready' : 'tempfail';
  }

  /** The table in service (the last good one, also while in temporary failure). */
  get table(): AccessTable {
    return this.#table;
  }

  /** The lookups to use now; starts a check of the source when the last one is old enough. */
  lookups(): AccessLookups {
    const now = performance.now();
    if (now - this.#lastCheck >= this.#interval) {
      this.#lastCheck = now;
      void this.check();
    }
    return this.#tempfail ?? this.#table;
  }

  lookupDomain(tag: AccessTag, name: string, opts?: AccessLookupOptions): AccessResult {
    return this.lookups().lookupDomain(tag, name, opts);
  }

  lookupAddress(tag: AccessTag, addr: string, opts?: AccessLookupOptions): AccessResult {
    return this.lookups().lookupAddress(tag, addr, opts);
  }

  lookupFull(tag: AccessTag, address: string, opts?: AccessLookupOptions): AccessResult {
    return this.lookups().lookupFull(tag, address, opts);
  }

  lookupUser(tag: AccessTag, localPart: string, opts?: AccessLookupOptions): AccessResult {
    return this.lookups().lookupUser(tag, localPart, opts);
  }

  lookupKey(tag: AccessTag, rest: string, opts?: AccessLookupOptions): AccessResult {
    return this.lookups().lookupKey(tag, rest, opts);
  }

  /**
   * Reloads if the source changed since it was last read (what lookups trigger). A check asked for
   * while another runs is done after it, since the running one may have looked before the change;
   * requests made meanwhile share that one follow-up check.
   */
  check(): Promise<AccessReloadResult> {
    if (this.#queuedCheck !== undefined) return this.#queuedCheck;
    if (this.#inflight === undefined) return this.#run(false);
    const queued = this.#run(false);
    this.#queuedCheck = queued;
    return queued;
  }

  /** Reads and parses the source again whether or not it changed (SIGHUP). */
  reload(): Promise<AccessReloadResult> {
    return this.#run(true);
  }

  /** Resolves when no check or reload is running (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.#inflight !== undefined) await this.#inflight;
  }

  #run(force: boolean): Promise<AccessReloadResult> {
    const before = this.#inflight ?? Promise.resolve(undefined);
    const p: Promise<AccessReloadResult> = before
      .then(() => {
        if (this.#queuedCheck === p) this.#queuedCheck = undefined;
        return this.#attempt(force);
      })
      .catch((e: unknown) => this.#fail(`cannot read access map ${this.#loc.path}: ${(e as Error).message}`));
    this.#inflight = p;
    void p.then(() => {
      if (this.#inflight === p) this.#inflight = undefined;
    });
    return p;
  }

  async #attempt(force: boolean): Promise<AccessReloadResult> {
    if (!force) {
      const now = performance.now();
      const st = await sourceState(this.#loc.path);
      if (this.#tempfail === undefined && st.signature === this.#signature) return { outcome: 'unchanged' };
      if (st.signature !== undefined && st.signature !== 'missing' && Date.now() - st.mtimeMs < this.#settleMs) {
        // Too fresh: load it only once the same version has been seen for settleMs.
        if (this.#pending?.signature !== st.signature) this.#pending = { signature: st.signature, since: now };
        if (now - this.#pending.since < this.#settleMs) return { outcome: 'changing' };
      }
    }
    this.#pending = undefined;
    const r = force ? await readStable(this.#loc) : await readSource(this.#loc);
    switch (r.kind) {
      case 'changing':
        return { outcome: 'changing' };
      case 'unreadable':
        return this.#fail(r.message);
      case 'db-only': {
        const diagnostics: Diagnostic[] = [{ severity: 'error', message: r.message, file: this.#loc.path }];
        return this.#reject('missing', diagnostics);
      }
      case 'missing':
        return this.#swap(AccessTable.empty(this.#loc.path, this.#dotDomain), 'missing', [], 0, true);
      case 'text': {
        const started = performance.now();
        const parsed = await parseAccessBuffer(r.buf, parseOptionsOf(this.#opts, this.#loc.path));
        if (parsed.errors > 0) return this.#reject(r.signature, parsed.diagnostics);
        return this.#swap(parsed.table, r.signature, parsed.diagnostics, performance.now() - started, false);
      }
    }
  }

  #swap(table: AccessTable, signature: string, diagnostics: Diagnostic[], ms: number, missing: boolean): AccessReloadResult {
    this.#table = table;
    this.#signature = signature;
    this.#clearTempfail();
    this.#opts.onEvent?.({ kind: 'loaded', file: this.#loc.path, entries: table.size, ms, diagnostics, missing });
    return { outcome: 'loaded', entries: table.size, diagnostics, missing };
  }

  // The version is remembered so that the same broken file is not parsed and reported every second.
  #reject(signature: string, diagnostics: Diagnostic[]): AccessReloadResult {
    this.#signature = signature;
    this.#clearTempfail();
    this.#opts.onEvent?.({ kind: 'rejected', file: this.#loc.path, diagnostics });
    return { outcome: 'rejected', diagnostics };
  }

  #fail(reason: string): AccessReloadResult {
    if (this.#tempfailReason !== reason) this.#opts.onEvent?.({ kind: 'tempfail', file: this.#loc.path, reason });
    this.#tempfail = tempfailLookups(reason);
    this.#tempfailReason = reason;
    return { outcome: 'tempfail', reason };
  }

  #clearTempfail(): void {
    this.#tempfail = undefined;
    this.#tempfailReason = undefined;
  }
}
