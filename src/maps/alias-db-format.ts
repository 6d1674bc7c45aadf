// The compiled alias database (aliases-forward.md §3): one text file of JSON lines beside the alias
// file, `<aliasfile>.db`. A header names the format and the source; each entry is the JSON-encoded
// name, a tab, and the JSON of its value and line; the last line is the completeness marker (the
// entry `@`, as in sendmail). Values are kept as written and parsed again when they are looked up,
// so a change of class w between newaliases and the server's use is honoured. Loading only splits
// lines and fills a Map; an entry's JSON is parsed when it is first looked up.

export const ALIAS_DB_MAGIC = '#postern-aliases v1';
export const ALIAS_DB_MARKER = '"@"\t"@"';

export interface AliasDbRecord {
  /** The value as written (continuations joined). */
  v: string;
  /** Line of the entry in the source file. */
  l: number;
}

export function encodeHeader(source: string): string {
  return `${ALIAS_DB_MAGIC}\t${JSON.stringify({ source })}`;
}

export function encodeEntry(name: string, value: string, line: number): string {
  const rec: AliasDbRecord = { v: value, l: line };
  return `${JSON.stringify(name)}\t${JSON.stringify(rec)}`;
}

/** The name of an entry line (the part before the tab); JSON strings never hold a raw tab. */
export function decodeName(key: string): string {
  return key.includes('\\') ? (JSON.parse(key) as string) : key.slice(1, -1);
}

export function decodeRecord(text: string): AliasDbRecord | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const r = v as Record<string, unknown>;
  return typeof r.v === 'string' && typeof r.l === 'number' ? { v: r.v, l: r.l } : undefined;
}

export function dbPathOf(aliasFile: string): string {
  return `${aliasFile}.db`;
}
