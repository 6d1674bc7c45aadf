// The answer patterns of FEATURE(enhdnsbl) (relay-and-access.md §8.2): a dotted address written with
// a trailing dot (`127.0.0.2.`), in which a whole octet may be `$-` (any one octet) and whose end may
// be `$+` (one or more further octets) or `$*` (zero or more). [Postern] the trailing dot may be left
// out.

export interface AnswerPattern {
  readonly source: string;
  /** the leading octets: a value, or undefined for `$-` */
  readonly octets: ReadonlyArray<number | undefined>;
  readonly tail: 'none' | 'one-or-more' | 'zero-or-more';
}

export function parsePattern(source: string): AnswerPattern | string {
  const text = source.trim().replace(/\.$/, '');
  const bad = `invalid answer pattern "${source}" (write an address such as 127.0.0.2. with $- for one octet, $+ or $* at the end)`;
  if (text === '') return bad;
  const parts = text.split('.');
  let tail: AnswerPattern['tail'] = 'none';
  const last = parts[parts.length - 1];
  if (last === '$+' || last === '$*') {
    tail = last === '$+' ? 'one-or-more' : 'zero-or-more';
    parts.pop();
  }
  const octets: Array<number | undefined> = [];
  for (const p of parts) {
    if (p === '$-') octets.push(undefined);
    else if (/^\d{1,3}$/.test(p) && Number(p) <= 255) octets.push(Number(p));
    else return bad;
  }
  const room = tail === 'one-or-more' ? 3 : 4;
  if (octets.length > room || (tail === 'none' && octets.length !== 4)) return bad;
  return { source, octets, tail };
}

/** Whether an A record answer (a dotted quad) matches. */
export function matchesPattern(p: AnswerPattern, answer: string): boolean {
  const got = answer.split('.');
  if (got.length !== 4) return false;
  for (let i = 0; i < p.octets.length; i++) {
    const want = p.octets[i];
    if (want !== undefined && Number(got[i]) !== want) return false;
  }
  const rest = got.length - p.octets.length;
  return p.tail === 'none' ? rest === 0 : p.tail === 'one-or-more' ? rest >= 1 : rest >= 0;
}
