// The alias files as the audit reads them: each file parsed by the same parser newaliases uses (so
// alias-syntax reports exactly newaliases' messages), plus a lenient second look at the lines it
// rejects, because sendmail accepts some of them (an unquoted program with spaces, for instance) and
// a program hidden in such a line must still be judged.

import { parseAliases, type AliasEntry } from '../maps/aliases.js';
import type { Diagnostic } from '../util/diagnostics.js';
import type { AuditContext } from './context.js';
import { classWords } from './class-words.js';
import { describeCode, errnoCode } from './root-fs.js';

/** A program element found in a line newaliases rejects. */
export interface LenientProgram {
  name: string;
  command: string;
  line: number;
}

export interface AliasFile {
  /** As configured (class prefix removed). */
  path: string;
  /** The map class prefix (`hash`, `dbm`...) or undefined. */
  mapClass?: string;
  state: 'read' | 'missing' | 'unreadable';
  entries: Map<string, AliasEntry>;
  diagnostics: Diagnostic[];
  lenientPrograms: LenientProgram[];
}

const PREFIXES = ['implicit', 'hash', 'btree', 'dbm', 'cdb'];
const REMOTE_CLASSES = ['nis', 'nisplus', 'ldap', 'hesiod'];

function splitOutsideQuotes(value: string): string[] {
  const parts: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch === '\\') i++;
    else if (ch === '"') quoted = !quoted;
    else if (ch === ',' && !quoted) {
      parts.push(value.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(value.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

/** Entries as newaliases joins them: continuation lines and backslash-newline (aliases-forward.md §2.1). */
function rawEntries(text: string): Array<{ text: string; line: number }> {
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  const out: Array<{ text: string; line: number }> = [];
  for (let i = 0; i < lines.length; i++) {
    const first = lines[i]![0];
    if (first === undefined || first === '#' || first === ' ' || first === '\t') continue;
    const line = i + 1;
    let entry = lines[i]!;
    while ((entry.endsWith('\\') || /^[ \t]/.test(lines[i + 1] ?? '')) && i + 1 < lines.length) {
      entry = entry.endsWith('\\') ? entry.slice(0, -1) + lines[++i]! : entry + lines[++i]!;
    }
    out.push({ text: entry, line });
  }
  return out;
}

function lenientPrograms(text: string, errorLines: ReadonlySet<number>): LenientProgram[] {
  const out: LenientProgram[] = [];
  for (const e of rawEntries(text)) {
    if (!errorLines.has(e.line)) continue;
    const colon = e.text.indexOf(':');
    if (colon <= 0) continue;
    const name = e.text.slice(0, colon).trim().replace(/^"|"$/g, '').toLowerCase();
    for (const el of splitOutsideQuotes(e.text.slice(colon + 1))) {
      const inner = el.startsWith('"') && el.endsWith('"') && el.length >= 2 ? el.slice(1, -1) : el;
      if (inner.startsWith('|')) out.push({ name, command: inner.slice(1), line: e.line });
    }
  }
  return out;
}

/** Class w as far as a configuration shows it: enough to tell local from remote alias elements. */
async function localDomains(ctx: AuditContext): Promise<(d: string) => boolean> {
  const w = new Set(['localhost', (await ctx.hostName()).toLowerCase()]);
  for (const e of (await classWords(ctx, 'w')).words) w.add(e.word.toLowerCase().replace(/\.$/, ''));
  return (d) => w.has(d.toLowerCase().replace(/\.$/, ''));
}

export async function readAliasFiles(ctx: AuditContext): Promise<AliasFile[]> {
  const isLocalDomain = await localDomains(ctx);
  const out: AliasFile[] = [];
  for (const spec of ctx.cfg.options.AliasFile) {
    let path = spec.trim();
    let mapClass: string | undefined;
    const colon = path.indexOf(':');
    if (colon > 0 && !path.startsWith('/')) {
      const cls = path.slice(0, colon).toLowerCase();
      if (REMOTE_CLASSES.includes(cls)) {
        ctx.skip('alias-*', `alias map ${spec} is not a file`);
        continue;
      }
      if (PREFIXES.includes(cls)) {
        mapClass = cls;
        path = path.slice(colon + 1);
      }
    }
    const file: AliasFile = { path, state: 'read', entries: new Map(), diagnostics: [], lenientPrograms: [] };
    if (mapClass !== undefined) file.mapClass = mapClass;
    out.push(file);
    let text: string;
    try {
      text = await ctx.fs.readFile(path);
    } catch (e) {
      const code = errnoCode(e);
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        file.state = 'missing';
      } else {
        file.state = 'unreadable';
        ctx.skip('alias-*', `cannot read ${path}: ${describeCode(code)}`);
      }
      continue;
    }
    const r = parseAliases(text, path, { isLocalDomain });
    file.entries = r.aliases;
    file.diagnostics = r.diagnostics;
    const errorLines = new Set(r.diagnostics.filter((d) => d.severity === 'error' && d.line !== undefined).map((d) => d.line!));
    file.lenientPrograms = lenientPrograms(text, errorLines);
  }
  return out;
}
