// The aliases the server uses (aliases-forward.md §3): for each AliasFile, its compiled database when
// one exists, checked for completeness (waiting up to AliasWait for a complete one), with a warning
// when the text is newer; the text file itself when there is no database at all (embedded mode and
// tests work without newaliases). The server never builds a database. A database that changes is
// loaded again: a lookup starts a stat() when the last one is at least a second old (see
// access-source.ts for why no fs.watch); a new version that is incomplete leaves the old one in use.

import { stat } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import type { Diagnostic } from '../util/diagnostics.js';
import { dbPathOf } from './alias-db-format.js';
import { readAliasDb, type AliasDb } from './alias-db-read.js';
import { loadAliasFiles, parseElements, type AddressClassifier, type AliasEntry } from './aliases.js';

export interface AliasStoreOptions {
  /** The AliasFile list, class prefixes already removed. */
  files: readonly string[];
  isLocalDomain(domain: string): boolean;
  classify?: AddressClassifier;
  /** AliasWait, ms: how long open() waits for a database with its completeness marker. */
  aliasWaitMs: number;
  /** Pause between two looks at an incomplete database while waiting; default 1000 ms. */
  pollMs?: number;
  /** Least time between two checks for a changed database; default 1000 ms. */
  checkIntervalMs?: number;
  /** Told about databases loaded again, found out of date or incomplete after start-up. */
  onEvent?: (e: AliasStoreEvent) => void;
}

export type AliasStoreEvent =
  | { kind: 'loaded'; db: string; entries: number }
  | { kind: 'out-of-date'; db: string }
  | { kind: 'incomplete'; db: string; reason: string };

type Source =
  | { kind: 'db'; file: string; dbPath: string; db: AliasDb; signature: string; cache: Map<string, AliasEntry | null> }
  | { kind: 'text'; file: string; dbPath: string; aliases: ReadonlyMap<string, AliasEntry> }
  | { kind: 'unavailable'; file: string; dbPath: string; signature: string | undefined };

async function signatureOf(path: string): Promise<{ signature: string; mtimeMs: number } | undefined> {
  try {
    const st = await stat(path);
    // ctime too: a database made readable (chmod, chgrp) must be tried again.
    return { signature: `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`, mtimeMs: st.mtimeMs };
  } catch {
    return undefined;
  }
}

async function mtimeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return undefined;
  }
}

function reasonText(code: string): string {
  return code === 'EACCES' ? 'Permission denied' : code;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function outOfDateMessage(db: string): string {
  return `Warning: alias database ${db} out of date`;
}

/** §3 step 4: logged when AliasWait ran out; every local recipient is deferred meanwhile. */
export function unavailableMessage(db: string): string {
  return `alias database ${db} unavailable`;
}

export class AliasStore {
  #sources: Source[];
  readonly #opts: AliasStoreOptions;
  #lastCheck = performance.now();
  #checking: Promise<void> | undefined;

  private constructor(opts: AliasStoreOptions, sources: Source[]) {
    this.#opts = opts;
    this.#sources = sources;
  }

  /** Start-up (and every reload): the diagnostics are warnings and notices, never errors. */
  static async open(opts: AliasStoreOptions): Promise<{ store: AliasStore; diagnostics: Diagnostic[] }> {
    const diagnostics: Diagnostic[] = [];
    const sources: Source[] = [];
    for (const file of opts.files) sources.push(await openSource(file, opts, diagnostics));
    return { store: new AliasStore(opts, sources), diagnostics };
  }

  /** The entry for `name` (lower case): the first alias file that defines it wins. */
  lookup(name: string): AliasEntry | undefined {
    this.#maybeCheck();
    for (const s of this.#sources) {
      const e = entryOf(s, name, this.#opts);
      if (e !== undefined) return e;
    }
    return undefined;
  }

  /** The first database that is unusable (no completeness marker): local recipients are deferred. */
  unavailable(): string | undefined {
    this.#maybeCheck();
    return this.#sources.find((s) => s.kind === 'unavailable')?.dbPath;
  }

  /** Every name, first file first, each once. */
  *names(): IterableIterator<string> {
    const seen = new Set<string>();
    for (const s of this.#sources) {
      const names = s.kind === 'db' ? s.db.names() : s.kind === 'text' ? s.aliases.keys() : [][Symbol.iterator]();
      for (const n of names) {
        if (seen.has(n)) continue;
        seen.add(n);
        yield n;
      }
    }
  }

  /** A Map view of the merged aliases (what the SMTP session's LocalDirectory reads). */
  asMap(): ReadonlyMap<string, AliasEntry> {
    return new AliasStoreMap(this);
  }

  /** Looks for changed databases now (the queue runner may call this before a run). */
  async refresh(): Promise<void> {
    this.#lastCheck = performance.now();
    const next: Source[] = [];
    for (const s of this.#sources) next.push(await this.#refreshSource(s));
    this.#sources = next;
  }

  #maybeCheck(): void {
    const interval = this.#opts.checkIntervalMs ?? 1000;
    if (this.#checking !== undefined || performance.now() - this.#lastCheck < interval) return;
    this.#checking = this.refresh().finally(() => {
      this.#checking = undefined;
    });
  }

  async #refreshSource(s: Source): Promise<Source> {
    const now = await signatureOf(s.dbPath);
    // A database that disappeared leaves the last one in use; the text file is read only at start-up.
    if (now === undefined) return s;
    if (s.kind !== 'text' && s.signature === now.signature) return s;
    const r = await readAliasDb(s.dbPath);
    const emit = this.#opts.onEvent;
    if (r.status !== 'ok') {
      if (r.status === 'incomplete') emit?.({ kind: 'incomplete', db: s.dbPath, reason: r.reason });
      return s.kind === 'unavailable' ? { ...s, signature: now.signature } : s;
    }
    emit?.({ kind: 'loaded', db: s.dbPath, entries: r.db.size });
    const textTime = await mtimeOf(s.file);
    if (textTime !== undefined && textTime > now.mtimeMs) emit?.({ kind: 'out-of-date', db: s.dbPath });
    return { kind: 'db', file: s.file, dbPath: s.dbPath, db: r.db, signature: now.signature, cache: new Map() };
  }
}

async function openSource(file: string, opts: AliasStoreOptions, diags: Diagnostic[]): Promise<Source> {
  const dbPath = dbPathOf(file);
  const deadline = performance.now() + opts.aliasWaitMs;
  for (;;) {
    const sig = await signatureOf(dbPath);
    const r = await readAliasDb(dbPath);
    if (r.status === 'missing') return openText(file, dbPath, opts, diags);
    if (r.status === 'ok' && sig !== undefined) {
      const textTime = await mtimeOf(file);
      if (textTime !== undefined && textTime > sig.mtimeMs) diags.push({ severity: 'warning', message: outOfDateMessage(dbPath) });
      return { kind: 'db', file, dbPath, db: r.db, signature: sig.signature, cache: new Map() };
    }
    const left = deadline - performance.now();
    if (r.status === 'error' || left <= 0) {
      // Waiting does not make an unreadable database readable: the daemon's user needs read access.
      if (r.status === 'error') diags.push({ severity: 'warning', message: `cannot read alias database ${dbPath}: ${reasonText(r.code)}` });
      diags.push({ severity: 'warning', message: unavailableMessage(dbPath) });
      return { kind: 'unavailable', file, dbPath, signature: sig?.signature };
    }
    await sleep(Math.min(opts.pollMs ?? 1000, left));
  }
}

async function openText(file: string, dbPath: string, opts: AliasStoreOptions, diags: Diagnostic[]): Promise<Source> {
  const r = await loadAliasFiles([file], { isLocalDomain: opts.isLocalDomain, ...(opts.classify !== undefined ? { classify: opts.classify } : {}) });
  // A broken alias line never stops the server: the entry is left out and newaliases/audit report it.
  for (const d of r.diagnostics) diags.push({ ...d, severity: d.severity === 'error' ? 'warning' : d.severity });
  if (r.files.length > 0) diags.push({ severity: 'notice', message: `alias database ${dbPath} does not exist; using the text of ${file} (run newaliases)` });
  return { kind: 'text', file, dbPath, aliases: r.aliases };
}

function entryOf(s: Source, name: string, opts: AliasStoreOptions): AliasEntry | undefined {
  if (s.kind === 'text') return s.aliases.get(name);
  if (s.kind !== 'db') return undefined;
  const cached = s.cache.get(name);
  if (cached !== undefined) return cached ?? undefined;
  const rec = s.db.get(name);
  let entry: AliasEntry | null = null;
  if (rec !== undefined) {
    // newaliases checked the syntax; an element that no longer parses is left out, as at build time.
    const { elements } = parseElements(rec.v, { isLocalDomain: opts.isLocalDomain, classify: opts.classify, allowError: true });
    entry = { name, elements, value: rec.v, file: s.file, line: rec.l };
  }
  s.cache.set(name, entry);
  return entry ?? undefined;
}

/** ReadonlyMap over the store, so that code written for a parsed alias file reads the database. */
class AliasStoreMap implements ReadonlyMap<string, AliasEntry> {
  constructor(private readonly store: AliasStore) {}

  get(key: string): AliasEntry | undefined {
    return this.store.lookup(key);
  }

  has(key: string): boolean {
    return this.store.lookup(key) !== undefined;
  }

  get size(): number {
    let n = 0;
    for (const _ of this.store.names()) n++;
    return n;
  }

  *entries(): IterableIterator<[string, AliasEntry]> {
    for (const n of this.store.names()) {
      const e = this.store.lookup(n);
      if (e !== undefined) yield [n, e];
    }
  }

  keys(): IterableIterator<string> {
    return this.store.names();
  }

  *values(): IterableIterator<AliasEntry> {
    for (const [, e] of this.entries()) yield e;
  }

  forEach(fn: (value: AliasEntry, key: string, map: ReadonlyMap<string, AliasEntry>) => void): void {
    for (const [k, e] of this.entries()) fn(e, k, this);
  }

  [Symbol.iterator](): IterableIterator<[string, AliasEntry]> {
    return this.entries();
  }
}
