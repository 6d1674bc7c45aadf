// One loaded access map and its lookup procedures (relay-and-access.md §2.3). Built for a million
// entries: per tag one Map from the folded key without its tag to an entry number, the entry's line
// and value number in typed arrays, and each distinct right-hand side parsed once and shared
// (docs/access-map.md has the measurements). Keeping the tag out of the stored keys saves memory and
// lets a lookup hash each candidate once for both the tagged and the untagged try.

import { addressCandidates, domainCandidates, fullCandidates, userCandidates } from './access-candidates.js';
import { ACCESS_TAGS, foldKey, hasUntaggedFallback, normaliseIPv6In, splitTag, TAG_PREFIX, TAG_SLOT, SLOTS, type AccessTag } from './access-key.js';
import type { AccessValue } from './access-value.js';

export interface AccessKeyRef {
  /** The key as stored: folded, IPv6 normalised, with its tag (`connect:192.0.2`). */
  readonly key: string;
  readonly file: string;
  readonly line: number;
}

export type AccessResult =
  | (AccessKeyRef & { readonly status: 'found'; readonly value: AccessValue; /** Matched through the untagged fallback. */ readonly untagged: boolean })
  /** `skip`: a SKIP entry ended the search (§2.2). */
  | { readonly status: 'not-found'; readonly skip?: AccessKeyRef }
  /** The source could not be read at a reload (policy: `451 4.3.0`, relay-and-access.md §2.2). */
  | { readonly status: 'tempfail'; readonly reason: string };

export interface AccessLookupOptions {
  /** Only the tagged key, never the untagged fallback (relay_mail_from, §7.3 step 5). */
  readonly tagOnly?: boolean;
  /** Domain lookup: the name itself only (relay_hosts_only, for relay permission). */
  readonly exact?: boolean;
  /** Domain lookup: also `.parent` keys; defaults to the map's lookupdotdomain setting. */
  readonly dotDomain?: boolean;
}

/** What the policy asks of an access map; a map in temporary failure answers every call with tempfail. */
export interface AccessLookups {
  /** Host or domain name, or a bracketed address literal. */
  lookupDomain(tag: AccessTag, name: string, opts?: AccessLookupOptions): AccessResult;
  /** Client address: dotted IPv4 or `IPv6:...`. */
  lookupAddress(tag: AccessTag, addr: string, opts?: AccessLookupOptions): AccessResult;
  /** `user@domain` (with `user+*@domain` for `user+detail`). */
  lookupFull(tag: AccessTag, address: string, opts?: AccessLookupOptions): AccessResult;
  /** A local part, `user` or `user@` (with `user+*@` for `user+detail`). */
  lookupUser(tag: AccessTag, localPart: string, opts?: AccessLookupOptions): AccessResult;
  /** One exact key; `lookupKey('ClientRate', '')` is the default `ClientRate:` entry. */
  lookupKey(tag: AccessTag, rest: string, opts?: AccessLookupOptions): AccessResult;
}

export interface AccessEntry {
  readonly key: string;
  /** Undefined for an untagged (deprecated) key. */
  readonly tag: AccessTag | undefined;
  readonly value: AccessValue;
  readonly line: number;
}

/** An entry with a sendmail tag Postern does not use (kept for audit, never looked up). */
export interface IgnoredEntry {
  readonly tag: string;
  readonly key: string;
  readonly value: string;
  readonly line: number;
}

export interface AccessStats {
  readonly entries: number;
  /** Entries without a tag (deprecated; audit access-untagged). */
  readonly untagged: number;
  /** Values written `ddd text` (deprecated; audit access-numeric-rhs). */
  readonly numericValues: number;
  readonly distinctValues: number;
  readonly ignored: number;
}

export interface AccessTableParts {
  readonly file: string;
  /** Slot 0: untagged keys; slot TAG_SLOT[tag]: that tag's keys without the tag. Value: entry number. */
  readonly index: readonly Map<string, number>[];
  readonly lines: Uint32Array;
  readonly valueIds: Uint32Array;
  readonly values: readonly AccessValue[];
  readonly ignored: readonly IgnoredEntry[];
  readonly untagged: number;
  readonly numericValues: number;
  readonly dotDomain: boolean;
}

const NOT_FOUND: AccessResult = Object.freeze({ status: 'not-found' });

export class AccessTable implements AccessLookups {
  readonly file: string;
  readonly ignored: readonly IgnoredEntry[];
  readonly stats: AccessStats;
  /** lookupdotdomain (FEATURE or access_db argument). */
  readonly dotDomain: boolean;
  readonly #index: readonly Map<string, number>[];
  readonly #lines: Uint32Array;
  readonly #valueIds: Uint32Array;
  readonly #values: readonly AccessValue[];

  constructor(parts: AccessTableParts) {
    this.file = parts.file;
    this.ignored = parts.ignored;
    this.dotDomain = parts.dotDomain;
    this.#index = parts.index;
    this.#lines = parts.lines;
    this.#valueIds = parts.valueIds;
    this.#values = parts.values;
    this.stats = {
      entries: parts.index.reduce((n, m) => n + m.size, 0),
      untagged: parts.untagged,
      numericValues: parts.numericValues,
      distinctValues: parts.values.length,
      ignored: parts.ignored.length,
    };
  }

  static empty(file: string, dotDomain = false): AccessTable {
    return new AccessTable({
      file,
      index: Array.from({ length: SLOTS }, () => new Map<string, number>()),
      lines: new Uint32Array(0),
      valueIds: new Uint32Array(0),
      values: [],
      ignored: [],
      untagged: 0,
      numericValues: 0,
      dotDomain,
    });
  }

  get size(): number {
    return this.stats.entries;
  }

  /** The entry stored under a full key (`Connect:192.0.2`, `spammer.example`), folded and normalised here. */
  get(key: string): AccessEntry | undefined {
    const { tag, rest: written } = splitTag(foldKey(key));
    const rest = normaliseIPv6In(written) ?? written;
    const i = this.#index[tag === undefined ? 0 : TAG_SLOT[tag]]!.get(rest);
    return i === undefined ? undefined : this.#entry(tag, rest, i);
  }

  /** Every entry, untagged ones first, then tag by tag, each group in file order (for audit). */
  *entries(): IterableIterator<AccessEntry> {
    for (const [rest, i] of this.#index[0]!) yield this.#entry(undefined, rest, i);
    for (const tag of ACCESS_TAGS) for (const [rest, i] of this.#index[TAG_SLOT[tag]]!) yield this.#entry(tag, rest, i);
  }

  lookupDomain(tag: AccessTag, name: string, opts: AccessLookupOptions = {}): AccessResult {
    const dotDomain = opts.dotDomain ?? this.dotDomain;
    return this.#search(tag, domainCandidates(name, { dotDomain, exact: opts.exact === true }), opts);
  }

  lookupAddress(tag: AccessTag, addr: string, opts: AccessLookupOptions = {}): AccessResult {
    return this.#search(tag, addressCandidates(addr), opts);
  }

  lookupFull(tag: AccessTag, address: string, opts: AccessLookupOptions = {}): AccessResult {
    return this.#search(tag, fullCandidates(address), opts);
  }

  lookupUser(tag: AccessTag, localPart: string, opts: AccessLookupOptions = {}): AccessResult {
    return this.#search(tag, userCandidates(localPart), opts);
  }

  lookupKey(tag: AccessTag, rest: string, opts: AccessLookupOptions = {}): AccessResult {
    return this.#search(tag, [rest], opts);
  }

  #entry(tag: AccessTag | undefined, rest: string, i: number): AccessEntry {
    const key = tag === undefined ? rest : TAG_PREFIX[tag] + rest;
    return { key, tag, value: this.#values[this.#valueIds[i]!]!, line: this.#lines[i]! };
  }

  // For each candidate the tagged key, then the untagged one; the first key found ends the search.
  #search(tag: AccessTag, candidates: readonly string[], opts: AccessLookupOptions): AccessResult {
    const tagged = this.#index[TAG_SLOT[tag]]!;
    const plain = this.#index[0]!;
    // Most current maps have no untagged entries: then the fallback costs nothing.
    const untaggedKeys = plain.size > 0 && opts.tagOnly !== true && hasUntaggedFallback(tag) ? plain : undefined;
    if (tagged.size === 0 && untaggedKeys === undefined) return NOT_FOUND;
    for (const c of candidates) {
      let i = tagged.get(c);
      let untagged = false;
      if (i === undefined && untaggedKeys !== undefined) {
        i = untaggedKeys.get(c);
        untagged = true;
      }
      if (i === undefined) continue;
      const value = this.#values[this.#valueIds[i]!]!;
      const line = this.#lines[i]!;
      const key = untagged ? c : TAG_PREFIX[tag] + c;
      if (value.kind === 'skip') return { status: 'not-found', skip: { key, file: this.file, line } };
      return { status: 'found', key, value, file: this.file, line, untagged };
    }
    return NOT_FOUND;
  }
}

/** The lookups of a map whose source cannot be read: every answer is a temporary failure. */
export function tempfailLookups(reason: string): AccessLookups {
  const r: AccessResult = Object.freeze({ status: 'tempfail', reason });
  return {
    lookupDomain: () => r,
    lookupAddress: () => r,
    lookupFull: () => r,
    lookupUser: () => r,
    lookupKey: () => r,
  };
}
