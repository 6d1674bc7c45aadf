// The content of a .forward or :include: file (aliases-forward.md §4, §5.4): elements as in an alias
// value, any number per line separated by commas or newlines; `#` lines and blank lines are ignored;
// no continuation syntax; `error:` is not allowed. A bad element is reported with its line and left
// out; the others are used.

import { parseElements, type AliasElement } from '../maps/aliases.js';
import { canonicalize, type CanonicalOptions } from '../policy/canonical.js';

export interface ListFileResult {
  elements: AliasElement[];
  errors: Array<{ line: number; message: string }>;
}

/** Addresses are put in canonical form (relay-and-access.md §3) as in the alias file. */
export function parseListFile(text: string, canonical: CanonicalOptions): ListFileResult {
  const opts = { isLocalDomain: (d: string) => canonical.isLocalDomain(d), classify: (a: string) => canonicalize(a, canonical), allowError: false };
  const elements: AliasElement[] = [];
  const errors: ListFileResult['errors'] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const r = parseElements(trimmed, opts);
    for (const message of r.errors) errors.push({ line: i + 1, message });
    elements.push(...r.elements);
  }
  return { elements, errors };
}
