// Reads the access map's text source (relay-and-access.md §2, makemap input) into an AccessTable,
// with every problem reported by file and line. Works on the file's bytes: keys are cut out as fresh
// latin1 strings so that nothing keeps the whole file alive once the table is built.

import { DiagnosticList, type Diagnostic } from '../util/diagnostics.js';
import { specialsOf } from './access-error-text.js';
import { foldKey, normaliseIPv6In, SLOTS, TAG_SLOT, tagOfWord, type AccessTag } from './access-key.js';
import { AccessTable, type IgnoredEntry } from './access-table.js';
import { parseAccessValue, valueGroupOf, type AccessValue, type ValueGroup } from './access-value.js';

export interface AccessParseOptions {
  /** The file name used in diagnostics and lookup results. */
  file: string;
  /** OperatorChars of the configuration (the ERROR text rebuild); the m4 default when unset. */
  operatorChars?: string;
  /** lookupdotdomain (FEATURE or access_db argument). */
  dotDomain?: boolean;
}

export interface AccessParseResult {
  /** Built even when there are errors (bad lines left out, the first of repeated keys kept). */
  table: AccessTable;
  /** Errors and warnings, at most MAX_REPORTED of each kind plus a count of the rest; notices. */
  diagnostics: Diagnostic[];
  errors: number;
}

/** Diagnostics kept per severity: a broken million-line file must not produce a million messages. */
export const MAX_REPORTED = 100;
/** Below V8's Map limit of 2^24 entries. */
export const MAX_ENTRIES = 16_000_000;
/** Lines parsed between two yields to the event loop in parseAccessBuffer. */
const LINES_PER_SLICE = 10_000;

const SPACE = 0x20;
const TAB = 0x09;
const CR = 0x0d;
const LF = 0x0a;
const HASH = 0x23;
const COLON = 0x3a;

/** A first guess of the entry count from the file size (lines are rarely shorter than 16 bytes). */
function initialCapacity(buf: Buffer): number {
  return Math.max(64, Math.min(MAX_ENTRIES, Math.ceil(buf.length / 16)));
}

function grown(a: Uint32Array, size: number): Uint32Array {
  const b = new Uint32Array(size);
  b.set(a);
  return b;
}

class AccessBuilder {
  readonly #opts: AccessParseOptions;
  readonly #specials: ReadonlySet<string>;
  readonly #buf: Buffer;
  readonly #index: Map<string, number>[] = Array.from({ length: SLOTS }, () => new Map<string, number>());
  #lines: Uint32Array;
  #valueIds: Uint32Array;
  readonly #values: AccessValue[] = [];
  /** Per value group: raw right-hand side → value number, or the error message it gave. */
  readonly #interned: Record<ValueGroup, Map<string, number | string>> = { action: new Map(), spam: new Map(), number: new Map() };
  readonly #ignored: IgnoredEntry[] = [];
  readonly #ignoredTags = new Map<string, { line: number; count: number }>();
  readonly #diags = new DiagnosticList();
  readonly #counts = { error: 0, warning: 0 };
  #count = 0;
  #untagged = 0;
  #numericValues = 0;
  #pos = 0;
  #line = 0;

  constructor(buf: Buffer, opts: AccessParseOptions) {
    this.#buf = buf;
    this.#opts = opts;
    this.#specials = specialsOf(opts.operatorChars);
    const capacity = initialCapacity(buf);
    this.#lines = new Uint32Array(capacity);
    this.#valueIds = new Uint32Array(capacity);
  }

  get done(): boolean {
    return this.#pos >= this.#buf.length;
  }

  /** Parses up to `maxLines` lines. */
  feed(maxLines: number): void {
    const buf = this.#buf;
    for (let n = 0; n < maxLines && this.#pos < buf.length; n++) {
      let end = buf.indexOf(LF, this.#pos);
      if (end < 0) end = buf.length;
      const next = end + 1;
      if (end > this.#pos && buf[end - 1] === CR) end--;
      this.#line++;
      this.#parseLine(this.#pos, end);
      this.#pos = next;
    }
  }

  finish(): AccessParseResult {
    for (const [tag, seen] of this.#ignoredTags) {
      const n = seen.count === 1 ? '1 entry' : `${seen.count} entries`;
      this.#diags.notice(`${tag}: entries are not used by Postern and are ignored (${n})`, { file: this.#opts.file, line: seen.line });
    }
    for (const sev of ['error', 'warning'] as const) {
      const more = this.#counts[sev] - MAX_REPORTED;
      if (more > 0) this.#diags[sev](`${more} more ${sev}s not shown`, { file: this.#opts.file });
    }
    const count = this.#count;
    const table = new AccessTable({
      file: this.#opts.file,
      index: this.#index,
      lines: this.#lines.slice(0, count),
      valueIds: this.#valueIds.slice(0, count),
      values: this.#values,
      ignored: this.#ignored,
      untagged: this.#untagged,
      numericValues: this.#numericValues,
      dotDomain: this.#opts.dotDomain === true,
    });
    return { table, diagnostics: this.#diags.items, errors: this.#counts.error };
  }

  #report(sev: 'error' | 'warning', message: string): void {
    if (++this.#counts[sev] <= MAX_REPORTED) this.#diags[sev](message, { file: this.#opts.file, line: this.#line });
  }

  #parseLine(start: number, end: number): void {
    const buf = this.#buf;
    let p = start;
    while (p < end && (buf[p] === SPACE || buf[p] === TAB)) p++;
    if (p === end || buf[p] === HASH) return;
    let keyEnd = p;
    let colon = -1;
    for (let c = buf[keyEnd]; keyEnd < end && c !== SPACE && c !== TAB; c = buf[++keyEnd]) {
      if (c === COLON && colon < 0) colon = keyEnd;
    }
    let vs = keyEnd;
    while (vs < end && (buf[vs] === SPACE || buf[vs] === TAB)) vs++;
    let ve = end;
    while (ve > vs && (buf[ve - 1] === SPACE || buf[ve - 1] === TAB)) ve--;
    const written = (): string => buf.toString('latin1', p, keyEnd);
    if (vs === ve) {
      this.#report('error', `key ${written()} has no value`);
      return;
    }
    let tag: AccessTag | undefined;
    let restStart = p;
    if (colon >= 0) {
      const w = tagOfWord(foldKey(buf.toString('latin1', p, colon)));
      if (w.kind === 'tag') {
        tag = w.tag;
        restStart = colon + 1;
      } else if (w.kind === 'ignored') {
        this.#ignore(w.tag, foldKey(written()), buf.toString('latin1', vs, ve));
        return;
      } else if (w.kind === 'unknown') {
        this.#report('warning', `${written()}: ${buf.toString('latin1', p, colon)}: is not an access map tag; this entry is never looked up`);
      }
    }
    const rest = foldKey(buf.toString('latin1', restStart, keyEnd));
    let key = normaliseIPv6In(rest);
    if (key === null) {
      this.#report('warning', `${written()}: not a valid IPv6 address; the key is used as written`);
      key = rest;
    }
    const id = this.#valueId(valueGroupOf(tag), buf.toString('latin1', vs, ve));
    if (id < 0) return;
    const keys = this.#index[tag === undefined ? 0 : TAG_SLOT[tag]]!;
    const first = keys.get(key);
    if (first !== undefined) {
      this.#report('error', `repeated key ${written()} (first at line ${this.#lines[first]!}); the first entry is used`);
      return;
    }
    const n = this.#count;
    if (n >= MAX_ENTRIES) {
      this.#report('error', `more than ${MAX_ENTRIES} entries; this one is left out`);
      return;
    }
    if (n === this.#lines.length) {
      const size = Math.min(MAX_ENTRIES, n * 2);
      this.#lines = grown(this.#lines, size);
      this.#valueIds = grown(this.#valueIds, size);
    }
    keys.set(key, n);
    this.#count++;
    this.#lines[n] = this.#line;
    this.#valueIds[n] = id;
    if (tag === undefined) this.#untagged++;
    const v = this.#values[id]!;
    if (v.kind === 'error' && v.deprecatedForm) this.#numericValues++;
  }

  #ignore(tag: string, key: string, value: string): void {
    const seen = this.#ignoredTags.get(tag);
    if (seen === undefined) this.#ignoredTags.set(tag, { line: this.#line, count: 1 });
    else seen.count++;
    this.#ignored.push({ tag, key, value, line: this.#line });
  }

  /** The shared value for a right-hand side, parsed the first time it is seen; -1 after an error. */
  #valueId(group: ValueGroup, raw: string): number {
    const seen = this.#interned[group].get(raw);
    if (typeof seen === 'number') return seen;
    if (typeof seen === 'string') {
      this.#report('error', seen);
      return -1;
    }
    const r = parseAccessValue(raw, group, this.#specials);
    if (!r.ok) {
      this.#interned[group].set(raw, r.message);
      this.#report('error', r.message);
      return -1;
    }
    if (r.warning !== undefined) this.#report('warning', r.warning);
    const id = this.#values.length;
    this.#values.push(r.value);
    this.#interned[group].set(raw, id);
    return id;
  }
}

function toBuffer(source: string | Buffer): Buffer {
  return typeof source === 'string' ? Buffer.from(source, 'utf8') : source;
}

/** Parses a whole text source at once (tests, small files, `postern config`). */
export function parseAccessText(source: string | Buffer, opts: AccessParseOptions): AccessParseResult {
  const b = new AccessBuilder(toBuffer(source), opts);
  b.feed(Number.POSITIVE_INFINITY);
  return b.finish();
}

/** The same, yielding to the event loop between slices so that a big reload does not stall sessions. */
export async function parseAccessBuffer(source: string | Buffer, opts: AccessParseOptions): Promise<AccessParseResult> {
  const b = new AccessBuilder(toBuffer(source), opts);
  while (!b.done) {
    b.feed(LINES_PER_SLICE);
    if (!b.done) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return b.finish();
}
