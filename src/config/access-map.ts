// The access map declaration: `Kaccess hash -T<TMPF> -o /etc/mail/access` or the map spec argument of
// FEATURE(access_db). Postern reads the text source (relay-and-access.md §2).

import type { Location } from '../util/diagnostics.js';
import type { AccessMapSpec } from './layer.js';

const MAP_CLASSES = new Set(['hash', 'btree', 'dbm', 'cdb', 'implicit']);

export const DEFAULT_ACCESS_MAP_SPEC = 'hash -T<TMPF> /etc/mail/access';
/** sendmail's feature/mailertable.m4: `DATABASE_MAP_TYPE -o MAIL_SETTINGS_DIR`mailertable'`. */
export const DEFAULT_MAILERTABLE_SPEC = 'hash -o /etc/mail/mailertable';

export type AccessMapParse = { ok: true; spec: AccessMapSpec } | { ok: false; message: string };

/** Parses `<class> [flags] <path>`; the class may be omitted in FEATURE(access_db, `/path`). */
export function parseAccessMapSpec(text: string, flags: string[], at?: Location, what = 'access map'): AccessMapParse {
  const words = text.trim().split(/\s+/).filter((w) => w !== '');
  let optional = false;
  let path: string | undefined;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w.startsWith('-')) {
      if (w === '-o') optional = true;
      continue;
    }
    if (i === 0 && !w.includes('/')) {
      if (!MAP_CLASSES.has(w.toLowerCase())) return { ok: false, message: `${what} class ${w} is not supported (hash, btree, dbm, cdb)` };
      continue;
    }
    path = w;
  }
  if (path === undefined) return { ok: false, message: `${what} without a file path` };
  const spec: AccessMapSpec = { path: path.replace(/\.db$/, ''), optional, flags, ...(at ? { at } : {}) };
  if (path.endsWith('.db')) spec.configuredPath = path;
  return { ok: true, spec };
}
