// Opening a compiled alias database (alias-db-format.ts). A file without the completeness marker at
// its end is refused: the server waits for a complete one (AliasWait).

import { readFile } from 'node:fs/promises';
import { ALIAS_DB_MAGIC, ALIAS_DB_MARKER, decodeName, decodeRecord, type AliasDbRecord } from './alias-db-format.js';

export class AliasDb {
  readonly #raw: Map<string, string>;

  constructor(
    readonly path: string,
    /** The alias file it was built from. */
    readonly source: string,
    raw: Map<string, string>,
  ) {
    this.#raw = raw;
  }

  get size(): number {
    return this.#raw.size;
  }

  has(name: string): boolean {
    return this.#raw.has(name);
  }

  /** The record for a name already folded to lower case; undefined if absent or damaged. */
  get(name: string): AliasDbRecord | undefined {
    const text = this.#raw.get(name);
    return text === undefined ? undefined : decodeRecord(text);
  }

  names(): IterableIterator<string> {
    return this.#raw.keys();
  }
}

export type AliasDbRead =
  | { status: 'ok'; db: AliasDb }
  | { status: 'missing' }
  /** No completeness marker, or not a Postern alias database. */
  | { status: 'incomplete'; reason: string }
  | { status: 'error'; code: string };

export function parseAliasDb(path: string, text: string): AliasDbRead {
  const firstEnd = text.indexOf('\n');
  const header = firstEnd < 0 ? text : text.slice(0, firstEnd);
  const tab = header.indexOf('\t');
  if (firstEnd < 0 || (tab < 0 ? header : header.slice(0, tab)) !== ALIAS_DB_MAGIC) return { status: 'incomplete', reason: 'not a Postern alias database' };
  let source = '';
  try {
    const h = JSON.parse(header.slice(tab + 1)) as { source?: unknown };
    if (typeof h.source === 'string') source = h.source;
  } catch {
    return { status: 'incomplete', reason: 'damaged header' };
  }
  if (!text.endsWith(`\n${ALIAS_DB_MARKER}\n`)) return { status: 'incomplete', reason: 'no completeness marker' };
  const raw = new Map<string, string>();
  const end = text.length - ALIAS_DB_MARKER.length - 1;
  let pos = firstEnd + 1;
  while (pos < end) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0 || nl > end) nl = end;
    const t = text.indexOf('\t', pos);
    if (t > pos && t < nl) raw.set(decodeName(text.slice(pos, t)), text.slice(t + 1, nl));
    pos = nl + 1;
  }
  return { status: 'ok', db: new AliasDb(path, source, raw) };
}

export async function readAliasDb(path: string): Promise<AliasDbRead> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    return code === 'ENOENT' || code === 'ENOTDIR' ? { status: 'missing' } : { status: 'error', code };
  }
  return parseAliasDb(path, text);
}
