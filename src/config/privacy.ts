// PrivacyOptions (privacy-options.md): the 16 flag names of sendmail 8.17, what `goaway` expands to,
// and the union rules used by layering, the hardening floor and the command line.

import { fail, ok, splitList, type Parsed } from './values.js';

export const PRIVACY_WORDS = [
  'public',
  'needmailhelo',
  'needexpnhelo',
  'needvrfyhelo',
  'noexpn',
  'novrfy',
  'noverb',
  'noetrn',
  'authwarnings',
  'noreceipts',
  'nobodyreturn',
  'noactualrecipient',
  'restrictmailq',
  'restrictqrun',
  'restrictexpand',
  'goaway',
] as const;

export type PrivacyWord = (typeof PRIVACY_WORDS)[number];
/** A flag that has an effect of its own (`public` sets nothing, `goaway` is a shorthand). */
export type PrivacyFlag = Exclude<PrivacyWord, 'public' | 'goaway'>;

/** sendmail 8.17's goaway (privacy-options.md §2): it does not include noreceipts. */
export const GOAWAY_FLAGS: readonly PrivacyFlag[] = [
  'needmailhelo',
  'needexpnhelo',
  'needvrfyhelo',
  'noexpn',
  'novrfy',
  'noverb',
  'authwarnings',
];

export const POSTERN_PRIVACY_DEFAULT = 'goaway,restrictmailq,restrictqrun';

export interface PrivacyValue {
  /** The effective flags, goaway expanded; never contains `public` or `goaway`. */
  flags: ReadonlySet<PrivacyFlag>;
  /** The words as configured (lower case, first occurrence order, duplicates removed), for display. */
  words: readonly PrivacyWord[];
}

function isPrivacyWord(w: string): w is PrivacyWord {
  return (PRIVACY_WORDS as readonly string[]).includes(w);
}

export function privacyFromWords(words: readonly PrivacyWord[]): PrivacyValue {
  const flags = new Set<PrivacyFlag>();
  const seen: PrivacyWord[] = [];
  for (const w of words) {
    if (!seen.includes(w)) seen.push(w);
    if (w === 'goaway') for (const f of GOAWAY_FLAGS) flags.add(f);
    else if (w !== 'public') flags.add(w);
  }
  return { flags, words: seen };
}

/** Names are case-insensitive; commas and spaces separate; an unknown name is an error [Postern]. */
export function parsePrivacy(raw: string): Parsed<PrivacyValue> {
  const words: PrivacyWord[] = [];
  const unknown: string[] = [];
  for (const item of splitList(raw)) {
    const w = item.toLowerCase();
    if (isPrivacyWord(w)) words.push(w);
    else unknown.push(item);
  }
  if (unknown.length > 0) {
    return fail(`PrivacyOptions: unknown flag${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`);
  }
  return ok(privacyFromWords(words));
}

export function privacyUnion(a: PrivacyValue, b: PrivacyValue): PrivacyValue {
  const all = [...a.words, ...b.words];
  const meaningful = all.filter((w) => w !== 'public');
  // `public` only means something when it stands alone; next to real flags it would just be noise.
  return privacyFromWords(meaningful.length > 0 ? meaningful : all);
}

export function formatPrivacy(v: PrivacyValue): string {
  return v.words.length === 0 ? 'public' : v.words.join(',');
}

/** `goaway (expands to needmailhelo,...)` as config show prints it (privacy-options.md §2). */
export function describePrivacyWord(w: PrivacyWord): string {
  if (w === 'goaway') return `goaway (expands to ${GOAWAY_FLAGS.join(',')})`;
  if (w === 'public') return 'public (no privacy flags)';
  return w;
}

export function samePrivacy(a: PrivacyValue, b: PrivacyValue): boolean {
  if (a.flags.size !== b.flags.size) return false;
  for (const f of a.flags) if (!b.flags.has(f)) return false;
  return true;
}
