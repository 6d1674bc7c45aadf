// Access map keys (relay-and-access.md §2, §2.1): the tag in front, case folding, and the IPv6
// normalisation of §1 that lets `IPv6:2001:db8::1` in a key match the client address however either
// side was written.

/** The tags Postern looks up. */
export type AccessTag = 'Connect' | 'From' | 'To' | 'Spam' | 'GreetPause' | 'ClientRate' | 'ClientConn';

export const ACCESS_TAGS: readonly AccessTag[] = ['Connect', 'From', 'To', 'Spam', 'GreetPause', 'ClientRate', 'ClientConn'];

/** sendmail tags Postern accepts and ignores (one startup notice each). */
export const IGNORED_TAGS: readonly string[] = [
  'TLS_Clt',
  'TLS_Srv',
  'TLS_Rcpt',
  'Try_TLS',
  'Srv_Features',
  'Clt_Features',
  'QGRP',
  'Compat',
  'AuthInfo',
];

/** The folded key prefix of each tag: `connect:`. */
export const TAG_PREFIX: Readonly<Record<AccessTag, string>> = Object.fromEntries(
  ACCESS_TAGS.map((t) => [t, `${t.toLowerCase()}:`]),
) as Record<AccessTag, string>;

/** Position of each tag's key set in a table; 0 holds the untagged keys. */
export const TAG_SLOT: Readonly<Record<AccessTag, number>> = Object.fromEntries(ACCESS_TAGS.map((t, i) => [t, i + 1])) as Record<AccessTag, number>;
export const SLOTS = ACCESS_TAGS.length + 1;


/** Tags whose lookups fall back to the untagged key (§2.1). */
export function hasUntaggedFallback(tag: AccessTag): boolean {
  return tag === 'Connect' || tag === 'From' || tag === 'To';
}

// Keys are nearly always ASCII, and then the native toLowerCase() folds exactly A-Z.
const NON_ASCII = /[^\x00-\x7f]/;

/**
 * Folds A-Z to a-z and nothing else, like makemap's tolower() in the C locale. Octets above 0x7F
 * (latin1-decoded UTF-8) are left alone: folding them would turn one UTF-8 lead byte into another.
 */
export function foldKey(s: string): string {
  if (!NON_ASCII.test(s)) return s.toLowerCase();
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += c >= 65 && c <= 90 ? String.fromCharCode(c + 32) : s[i];
  }
  return out;
}

export type TagWord =
  | { readonly kind: 'tag'; readonly tag: AccessTag }
  | { readonly kind: 'ignored'; readonly tag: string }
  | { readonly kind: 'unknown' }
  | { readonly kind: 'address' };

// Shared answers: the parser asks once per tagged line.
const KNOWN_WORDS = new Map<string, TagWord>([
  ...ACCESS_TAGS.map((t): [string, TagWord] => [t.toLowerCase(), { kind: 'tag', tag: t }]),
  ...IGNORED_TAGS.map((t): [string, TagWord] => [t.toLowerCase(), { kind: 'ignored', tag: t }]),
]);
const UNKNOWN: TagWord = { kind: 'unknown' };
const ADDRESS: TagWord = { kind: 'address' };
const TAG_WORD = /^[a-z][a-z0-9_]*$/;

/** What the folded word before a key's first colon is: a tag, an ignored tag, `ipv6` or something else. */
export function tagOfWord(word: string): TagWord {
  return KNOWN_WORDS.get(word) ?? (word !== 'ipv6' && TAG_WORD.test(word) ? UNKNOWN : ADDRESS);
}

/** A folded key split into its tag (undefined: untagged) and the rest. */
export function splitTag(folded: string): { tag: AccessTag | undefined; rest: string } {
  const colon = folded.indexOf(':');
  const w = colon < 0 ? undefined : tagOfWord(folded.slice(0, colon));
  return w?.kind === 'tag' ? { tag: w.tag, rest: folded.slice(colon + 1) } : { tag: undefined, rest: folded };
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

const DOTTED_QUAD = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/**
 * The body of an IPv6 address (after `IPv6:`) as colon groups in lower-case hex without leading zeros;
 * `::` expanded to 8 groups; a dotted quad at the end turned into two groups. A body without `::` may
 * have fewer than 8 groups (a prefix key). Null when it is not IPv6. Written as a scanner because a
 * million-entry map may hold many IPv6 keys.
 */
export function normaliseIPv6Body(body: string): string | null {
  const n = body.length;
  const groups: number[] = [];
  let gap = -1;
  let i = 0;
  if (body.startsWith('::')) {
    gap = 0;
    i = 2;
  }
  while (i < n) {
    let j = i;
    let v = 0;
    for (let d = j < n ? hexDigit(body.charCodeAt(j)) : -1; d >= 0; d = j < n ? hexDigit(body.charCodeAt(j)) : -1) {
      v = v * 16 + d;
      j++;
    }
    if (j < n && body.charCodeAt(j) === 46) {
      const q = DOTTED_QUAD.exec(body.slice(i));
      if (q === null) return null;
      const o = [Number(q[1]), Number(q[2]), Number(q[3]), Number(q[4])];
      if (o.some((x) => x > 255)) return null;
      groups.push((o[0]! << 8) | o[1]!, (o[2]! << 8) | o[3]!);
      break;
    }
    if (j === i || j - i > 4) return null;
    groups.push(v);
    if (j === n) break;
    if (body.charCodeAt(j) !== 58) return null;
    if (j + 1 < n && body.charCodeAt(j + 1) === 58) {
      if (gap >= 0) return null;
      gap = groups.length;
      i = j + 2;
    } else {
      i = j + 1;
      if (i === n) return null;
    }
  }
  if (gap < 0) {
    if (groups.length === 0 || groups.length > 8) return null;
  } else {
    if (groups.length > 7) return null;
    groups.splice(gap, 0, ...new Array<number>(8 - groups.length).fill(0));
  }
  return groups.map((g) => g.toString(16)).join(':');
}

/**
 * Normalises the IPv6 parts of a folded key body or lookup value: `ipv6:...`, `[ipv6:...]`, and a
 * `user@[ipv6:...]` domain. Returns the text unchanged when there is nothing to do, and null when an
 * `ipv6:` part is not an IPv6 address.
 */
export function normaliseIPv6In(text: string): string | null {
  if (!text.includes('ipv6:')) return text;
  const at = text.lastIndexOf('@');
  const head = at < 0 ? '' : text.slice(0, at + 1);
  const addr = at < 0 ? text : text.slice(at + 1);
  const bracketed = addr.startsWith('[') && addr.endsWith(']');
  const inner = bracketed ? addr.slice(1, -1) : addr;
  if (!inner.startsWith('ipv6:')) return text;
  const body = normaliseIPv6Body(inner.slice(5));
  if (body === null) return null;
  // join() gives a flat string: a concatenation would be kept as a rope in a million-key map.
  return bracketed ? [head, '[ipv6:', body, ']'].join('') : [head, 'ipv6:', body].join('');
}
