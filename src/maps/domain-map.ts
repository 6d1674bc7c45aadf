// A map keyed by domain, read from a text file the way makemap reads its input (the mailertable and
// the TLS policy map): `key value` per line, `#` comments and blank lines skipped. Keys are a domain
// (`example.com`: that domain only), a leading dot (`.example.com`: any subdomain of it), or `.` alone
// (everything else). Lookups follow sendmail's mailertable: the full domain, then `.` + each parent
// (`.b.example.com`, `.example.com`, `.com`), then `.`.

import type { Diagnostic } from '../util/diagnostics.js';

export interface DomainMapParse<V> {
  map: DomainMap<V>;
  diagnostics: Diagnostic[];
  errors: number;
}

export class DomainMap<V> {
  constructor(private readonly entries: ReadonlyMap<string, V>) {}

  static empty<V>(): DomainMap<V> {
    return new DomainMap(new Map());
  }

  get size(): number {
    return this.entries.size;
  }

  /** The value for `domain` (sendmail's order: exact, .parents, `.`), with the key that matched. */
  lookup(domain: string): { key: string; value: V } | undefined {
    const d = domain.toLowerCase().replace(/\.$/, '').replace(/^\[|\]$/g, '');
    const exact = this.entries.get(d);
    if (exact !== undefined) return { key: d, value: exact };
    let rest = d;
    for (;;) {
      const dot = rest.indexOf('.');
      if (dot < 0) break;
      rest = rest.slice(dot + 1);
      if (rest === '') break;
      const v = this.entries.get(`.${rest}`);
      if (v !== undefined) return { key: `.${rest}`, value: v };
    }
    const def = this.entries.get('.');
    return def === undefined ? undefined : { key: '.', value: def };
  }
}

const KEY = /^(?:\.|\.?[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?|\[[0-9A-Fa-f:.IPv]+\])$/;

/**
 * Parses the text of a domain map; `value` turns the rest of a line into a value or an error text.
 * Errors name the file and line; the map holds the good lines.
 */
export function parseDomainMap<V>(text: string, file: string, value: (raw: string) => { ok: true; value: V } | { ok: false; error: string }): DomainMapParse<V> {
  const entries = new Map<string, V>();
  const firstLine = new Map<string, number>();
  const diagnostics: Diagnostic[] = [];
  let errors = 0;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const line = raw.replace(/^\s+/, '').replace(/\s+$/, '');
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(\S+)\s+(.+)$/.exec(line);
    const at = { file, line: i + 1 };
    if (m === null) {
      diagnostics.push({ severity: 'error', message: `"${line}": a key without a value`, ...at });
      errors++;
      continue;
    }
    const key = m[1]!.toLowerCase().replace(/(.)\.$/, '$1');
    if (!KEY.test(key)) {
      diagnostics.push({ severity: 'error', message: `"${m[1]!}" is not a domain key (example.com, .example.com or .)`, ...at });
      errors++;
      continue;
    }
    const v = value(m[2]!.replace(/\s+#.*$/, '').trim());
    if (!v.ok) {
      diagnostics.push({ severity: 'error', message: `${m[1]!}: ${v.error}`, ...at });
      errors++;
      continue;
    }
    const first = firstLine.get(key);
    if (first !== undefined) {
      diagnostics.push({ severity: 'warning', message: `duplicate key ${key} (first at line ${first}); this line is ignored`, ...at });
      continue;
    }
    firstLine.set(key, i + 1);
    entries.set(key, v.value);
  }
  return { map: new DomainMap(entries), diagnostics, errors };
}
