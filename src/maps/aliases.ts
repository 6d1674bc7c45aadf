// Alias files (aliases-forward.md §2): lines, continuation, names, and the elements of each value, with
// every problem reported by file and line. Parsing only; expansion is done where messages are routed.

import { readFile } from 'node:fs/promises';
import { DiagnosticList, type Diagnostic } from '../util/diagnostics.js';

export type AliasElement =
  /** A local address: aliased again, then delivered to the user (.forward honoured). */
  | { readonly kind: 'local'; readonly raw: string; readonly user: string; readonly domain?: string }
  /** `\user`: straight to the mailbox, no alias lookup, no .forward. */
  | { readonly kind: 'user'; readonly raw: string; readonly user: string }
  | { readonly kind: 'remote'; readonly raw: string; readonly address: string }
  | { readonly kind: 'file'; readonly raw: string; readonly path: string }
  /** `command` is the text after the `|`. */
  | { readonly kind: 'program'; readonly raw: string; readonly command: string }
  | { readonly kind: 'include'; readonly raw: string; readonly path: string }
  /** `error:D.S.N:ddd text` or `error:ddd text` (§2.4). */
  | { readonly kind: 'error'; readonly raw: string; readonly code: number; readonly enh?: string; readonly text: string };

export interface AliasEntry {
  /** Folded to lower case. */
  readonly name: string;
  readonly elements: readonly AliasElement[];
  /** The value as written (continuations joined, outer white space removed). */
  readonly value: string;
  readonly file: string;
  /** Line of the entry's first line. */
  readonly line: number;
}

/** How an address element is split into local and remote; relay-and-access.md §3 is the full rule. */
export type AddressClassifier = (address: string) => { local: string; domain: string | undefined; isLocal: boolean };

export interface AliasOptions {
  /** Class w membership; called with the domain lower-cased, without trailing dot. */
  isLocalDomain(domain: string): boolean;
  /**
   * Canonicalisation of address elements (`%`, `!`, source routes). Without it an element is split at
   * its last `@` only; the server passes policy/canonical.ts here.
   */
  readonly classify?: AddressClassifier;
  /** The map's `-A` flag: a name defined twice gets both values. */
  readonly joinDuplicates?: boolean;
  /** Maximum length of one entry after joining, in bytes. */
  readonly maxEntryLength?: number;
}

export interface AliasStats {
  /** Entries built. */
  readonly count: number;
  /** Longest value, in bytes. */
  readonly longest: number;
  /** Sum of name and value lengths, in bytes. */
  readonly total: number;
}

export interface AliasParseResult {
  readonly aliases: Map<string, AliasEntry>;
  readonly diagnostics: Diagnostic[];
}

export const MAX_ENTRY_LENGTH = 8192;

function isBlank(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t';
}

function trimWhite(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isBlank(s[a])) a++;
  while (b > a && isBlank(s[b - 1])) b--;
  return s.slice(a, b);
}

function hasFreeWhite(s: string): boolean {
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '\\') i++;
    else if (ch === '"') quoted = !quoted;
    else if (!quoted && isBlank(ch)) return true;
  }
  return false;
}

function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return true;
  }
  return false;
}

/** Index of the last `@` outside quotes and not escaped. */
function lastFreeAt(s: string): number {
  let found = -1;
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '\\') i++;
    else if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === '@') found = i;
  }
  return found;
}

function normalizeDomain(d: string): string {
  return (d.endsWith('.') ? d.slice(0, -1) : d).toLowerCase();
}

/** Removes the double quotes of a local part; `\"` and `\\` inside quotes become `"` and `\`. */
function unquoteLocal(s: string): string {
  if (!s.includes('"')) return s;
  let out = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '"') quoted = !quoted;
    else if (ch === '\\' && i + 1 < s.length) {
      const next = s[i + 1];
      out += quoted && (next === '"' || next === '\\') ? next : ch + next;
      i++;
    } else out += ch;
  }
  return out;
}

/** Splits a value at commas outside double quotes and angle brackets. */
function splitElements(value: string): { parts: string[] } | { unbalanced: string } {
  const parts: string[] = [];
  let quoted = false;
  let angle = 0;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch === '\\') {
      i++;
    } else if (quoted) {
      if (ch === '"') quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === '<') angle++;
    else if (ch === '>') {
      if (angle === 0) return { unbalanced: '>' };
      angle--;
    } else if (ch === ',' && angle === 0) {
      parts.push(value.slice(start, i));
      start = i + 1;
    }
  }
  if (quoted) return { unbalanced: '"' };
  if (angle > 0) return { unbalanced: '<' };
  parts.push(value.slice(start));
  return { parts };
}

/** The quoted text of an element written entirely in double quotes, with `\"` and `\\` resolved. */
function wholeQuoted(el: string): string | undefined {
  if (el.length < 2 || el[0] !== '"' || el[el.length - 1] !== '"') return undefined;
  let out = '';
  for (let i = 1; i < el.length - 1; i++) {
    const ch = el[i];
    if (ch === '\\' && i + 1 < el.length - 1) {
      out += el[++i];
    } else if (ch === '"') return undefined;
    else out += ch;
  }
  return out;
}

const ERROR_VALUE = /^(?:([245])\.(\d{1,3})\.(\d{1,3}):)?([45])(\d\d)(?:[ \t]+(.*))?$/s;

function parseErrorValue(raw: string, rest: string): AliasElement | string {
  const m = ERROR_VALUE.exec(rest);
  if (m === null) return `${raw}... invalid error: value (error:D.S.N:ddd text or error:ddd text)`;
  const [, ec, es, ed, cc, cd, text] = m;
  if (ec !== undefined && ec !== cc) return `${raw}... enhanced status ${ec}.${es}.${ed} does not match reply code ${cc}${cd}`;
  const enh = ec === undefined ? undefined : `${ec}.${es}.${ed}`;
  const code = Number(`${cc}${cd}`);
  const body = trimWhite(text ?? '');
  return enh === undefined ? { kind: 'error', raw, code, text: body } : { kind: 'error', raw, code, enh, text: body };
}

function classifyDefault(address: string, isLocalDomain: (d: string) => boolean): ReturnType<AddressClassifier> {
  const at = lastFreeAt(address);
  if (at < 0) return { local: unquoteLocal(address), domain: undefined, isLocal: true };
  const domain = normalizeDomain(address.slice(at + 1));
  const local = address.slice(0, at);
  return isLocalDomain(domain) ? { local: unquoteLocal(local), domain, isLocal: true } : { local, domain, isLocal: false };
}

/** A character that has no place in an address outside quotes (after the `<...>` part is taken). */
function hasFreeSpecial(s: string): boolean {
  const at = lastFreeAt(s);
  // A domain literal ([192.0.2.1], [IPv6:...]) after the last @ may hold brackets and colons.
  const literalFrom = at >= 0 && s[at + 1] === '[' ? at : s.length;
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '\\') i++;
    else if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '<' || ch === '>' || ch === ';' || ch === ',' || ch === '[' || ch === ']' || ch === ':')) {
      if ((ch === '[' || ch === ']' || ch === ':') && i > literalFrom) continue;
      return true;
    }
  }
  return false;
}

/** `@a,@b:user@host` → `user@host` (RFC 5321 source route). */
function dropRoute(s: string): string {
  if (s[0] !== '@') return s;
  const colon = s.indexOf(':');
  return colon < 0 ? s : s.slice(colon + 1);
}

/** The `<addr>` part of `Full Name <addr>`; the element itself otherwise. */
function routeAddress(el: string): string {
  if (el[el.length - 1] !== '>') return el;
  let quoted = false;
  for (let i = 0; i < el.length; i++) {
    const ch = el[i];
    if (ch === '\\') i++;
    else if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === '<') return trimWhite(el.slice(i + 1, -1));
  }
  return el;
}

export interface ElementOptions {
  isLocalDomain(domain: string): boolean;
  readonly classify?: AddressClassifier;
  /** `error:` values are allowed in alias files only (not in :include: or .forward files). */
  readonly allowError?: boolean;
}

/** One element (already split and trimmed) → its kind, or the error message. */
export function parseElement(raw: string, opts: ElementOptions): AliasElement | string {
  if (hasControl(raw)) return `${raw}... control character in address`;
  const inner = wholeQuoted(raw);
  const el = inner ?? raw;
  const quoted = inner !== undefined;
  const first = el.charAt(0);
  if (first === '|') {
    if (!quoted && hasFreeWhite(el)) return 'program address with spaces must be quoted';
    if (trimWhite(el.slice(1)).length === 0) return `${raw}... empty program`;
    return { kind: 'program', raw, command: el.slice(1) };
  }
  if (first === '/') {
    if (!quoted && hasFreeWhite(el)) return 'file address with spaces must be quoted';
    return { kind: 'file', raw, path: el };
  }
  const lower = el.slice(0, 9).toLowerCase();
  if (lower === ':include:') {
    const path = trimWhite(el.slice(9));
    if (!path.startsWith('/')) return ':include: path must be absolute';
    return { kind: 'include', raw, path };
  }
  if (lower.startsWith('error:')) {
    if (opts.allowError === false) return `${raw}... error: is allowed in alias files only`;
    return parseErrorValue(raw, el.slice(6));
  }
  if (first === '\\') {
    const user = el.slice(1);
    if (user.length === 0 || hasFreeWhite(user) || lastFreeAt(user) >= 0) return `${raw}... invalid user name`;
    return { kind: 'user', raw, user: unquoteLocal(user) };
  }
  const address = dropRoute(routeAddress(el));
  if (address.length === 0 || hasFreeWhite(address) || hasFreeSpecial(address)) return `${raw}... invalid address`;
  const at = lastFreeAt(address);
  if (at === 0) return `${raw}... user address required`;
  if (at === address.length - 1) return `${raw}... hostname required`;
  const c = (opts.classify ?? ((a: string) => classifyDefault(a, (d) => opts.isLocalDomain(d))))(address);
  if (c.isLocal) {
    return c.domain === undefined ? { kind: 'local', raw, user: c.local } : { kind: 'local', raw, user: c.local, domain: c.domain };
  }
  return { kind: 'remote', raw, address: c.domain === undefined ? c.local : `${c.local}@${c.domain}` };
}

/**
 * Splits and parses a list of elements (an alias value, or the content of a :include: or .forward
 * line). Empty elements are skipped.
 */
export function parseElements(value: string, opts: ElementOptions): { elements: AliasElement[]; errors: string[] } {
  const split = splitElements(value);
  if ('unbalanced' in split) return { elements: [], errors: [`${value}... Unbalanced '${split.unbalanced}'`] };
  const elements: AliasElement[] = [];
  const errors: string[] = [];
  for (const part of split.parts) {
    const el = trimWhite(part);
    if (el.length === 0) continue;
    const r = parseElement(el, opts);
    if (typeof r === 'string') errors.push(r);
    else elements.push(r);
  }
  if (errors.length === 0 && elements.length > 1 && elements.some((e) => e.kind === 'error')) {
    errors.push('error: must be the only element of an alias value');
  }
  return { elements, errors };
}

const ATEXT_SPECIALS = '()<>[]:;@\\,."';

function isDotAtom(s: string): boolean {
  if (s.length === 0 || s[0] === '.' || s[s.length - 1] === '.') return false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    const c = s.charCodeAt(i);
    if (ch === '.') {
      if (s[i - 1] === '.') return false;
    } else if (c <= 0x20 || c === 0x7f || ATEXT_SPECIALS.includes(ch)) return false;
  }
  return true;
}

/** The name of an entry: a dot-atom or a quoted string, unquoted. undefined when unparsable. */
function localName(s: string): string | undefined {
  const q = wholeQuoted(s);
  if (q !== undefined) return q.length > 0 ? q : undefined;
  return isDotAtom(s) ? s : undefined;
}

interface RawEntry {
  text: string;
  line: number;
}

/** Physical lines → entries (continuations and backslash-newline joined), plus line-level errors. */
function* logicalEntries(text: string, file: string, diags: DiagnosticList, max: number): Generator<RawEntry> {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const at = (i: number): string => {
    const l = lines[i];
    return l.endsWith('\r') ? l.slice(0, -1) : l;
  };
  let i = 0;
  /** Reads the physical line at i, joining backslash-newline continuations. */
  const physical = (): string => {
    let l = at(i++);
    while (l.endsWith('\\') && i < lines.length) l = l.slice(0, -1) + at(i++);
    return l;
  };
  let skipping = false;
  while (i < lines.length) {
    const lineNo = i + 1;
    let entry = physical();
    const first = entry[0];
    if (first === undefined || first === '#') {
      skipping = false;
      continue;
    }
    if (isBlank(first)) {
      if (!skipping) diags.error('Non-continuation line starts with space', { file, line: lineNo });
      skipping = true;
      continue;
    }
    skipping = false;
    while (i < lines.length && isBlank(at(i)[0])) entry += physical();
    if (Buffer.byteLength(entry, 'utf8') > max) {
      diags.error('alias line too long', { file, line: lineNo });
      continue;
    }
    yield { text: entry, line: lineNo };
  }
}

/** Parses one alias file's text. Entries with errors are left out; the others are returned. */
export function parseAliases(text: string, file: string, opts: AliasOptions): AliasParseResult {
  const diags = new DiagnosticList();
  const aliases = new Map<string, AliasEntry>();
  const elementOpts: ElementOptions = { isLocalDomain: opts.isLocalDomain, classify: opts.classify, allowError: true };
  for (const { text: line, line: lineNo } of logicalEntries(text, file, diags, opts.maxEntryLength ?? MAX_ENTRY_LENGTH)) {
    const where = { file, line: lineNo };
    const colon = line.indexOf(':');
    if (colon < 0) {
      diags.error('missing colon', where);
      continue;
    }
    const head = line.slice(0, 40);
    const lhs = trimWhite(line.slice(0, colon));
    const at = lastFreeAt(lhs);
    const namePart = at < 0 ? lhs : lhs.slice(0, at);
    const name = localName(namePart);
    if (name === undefined) {
      diags.error(`${head}... illegal alias name`, where);
      continue;
    }
    if (at >= 0 || name.startsWith('|') || name.startsWith('/')) {
      const domain = at < 0 ? '' : normalizeDomain(lhs.slice(at + 1));
      if (at < 0 || domain.length === 0 || !opts.isLocalDomain(domain)) {
        diags.error(`${lhs}... cannot alias non-local names`, where);
        continue;
      }
      diags.warning(`Warning: ${lhs}: local domain ${domain} dropped from alias name`, where);
    }
    const value = trimWhite(line.slice(colon + 1));
    if (value.length === 0) {
      diags.error(`${head}... missing value for alias`, where);
      continue;
    }
    const { elements, errors } = parseElements(value, elementOpts);
    if (errors.length > 0) {
      for (const e of errors) diags.error(e, where);
      continue;
    }
    const key = name.toLowerCase();
    const before = aliases.get(key);
    if (before !== undefined) {
      diags.warning(`Warning: duplicate alias name ${key}`, where);
      if (opts.joinDuplicates === true) {
        const joined = [...before.elements, ...elements];
        if (joined.some((e) => e.kind === 'error')) {
          diags.error('error: must be the only element of an alias value', where);
          continue;
        }
        aliases.set(key, { ...before, elements: joined, value: `${before.value}, ${value}` });
        continue;
      }
      // A Map keeps the first insertion's position; delete so the later definition is also later in order.
      aliases.delete(key);
    }
    aliases.set(key, { name: key, elements, value, file, line: lineNo });
  }
  return { aliases, diagnostics: diags.items };
}

/** newaliases' summary figures (§3 step 6). */
export function aliasStats(aliases: ReadonlyMap<string, AliasEntry>): AliasStats {
  let longest = 0;
  let total = 0;
  for (const e of aliases.values()) {
    const v = Buffer.byteLength(e.value, 'utf8');
    if (v > longest) longest = v;
    total += v + Buffer.byteLength(e.name, 'utf8');
  }
  return { count: aliases.size, longest, total };
}

/** Case-insensitive lookup. */
export function lookupAlias(aliases: ReadonlyMap<string, AliasEntry>, name: string): AliasEntry | undefined {
  return aliases.get(name.toLowerCase());
}

const IGNORED_CLASSES = ['implicit', 'hash', 'btree', 'dbm', 'cdb'];
const REFUSED_CLASSES = ['nis', 'nisplus', 'ldap', 'hesiod'];

export interface AliasFileSet {
  /** Merged: a name found in an earlier file wins (the files are searched in order). */
  readonly aliases: Map<string, AliasEntry>;
  readonly diagnostics: Diagnostic[];
  /** Per file, in the given order: the entries it defines and newaliases' figures. */
  readonly files: { readonly path: string; readonly aliases: Map<string, AliasEntry>; readonly stats: AliasStats }[];
}

/**
 * Reads the AliasFile list. A `hash:`-style class prefix is dropped (§1); a missing file is a warning
 * naming it (the caller decides whether that is fatal); any other read error is an error.
 */
export async function loadAliasFiles(
  paths: readonly string[],
  isLocalDomainOrOptions: ((domain: string) => boolean) | AliasOptions,
): Promise<AliasFileSet> {
  const opts: AliasOptions =
    typeof isLocalDomainOrOptions === 'function' ? { isLocalDomain: isLocalDomainOrOptions } : isLocalDomainOrOptions;
  const diagnostics: Diagnostic[] = [];
  const merged = new Map<string, AliasEntry>();
  const files: { path: string; aliases: Map<string, AliasEntry>; stats: AliasStats }[] = [];
  for (const spec of paths) {
    let path = spec.trim();
    const colon = path.indexOf(':');
    if (colon > 0 && !path.startsWith('/')) {
      const cls = path.slice(0, colon).toLowerCase();
      if (REFUSED_CLASSES.includes(cls)) {
        diagnostics.push({ severity: 'error', message: `alias map class ${cls}: is not supported`, file: spec });
        continue;
      }
      if (IGNORED_CLASSES.includes(cls)) path = path.slice(colon + 1);
    }
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      const missing = code === 'ENOENT' || code === 'ENOTDIR';
      diagnostics.push({
        severity: missing ? 'warning' : 'error',
        message: missing ? `alias file ${path} does not exist` : `cannot read alias file ${path}: ${code}`,
        file: path,
      });
      continue;
    }
    const r = parseAliases(text, path, opts);
    diagnostics.push(...r.diagnostics);
    files.push({ path, aliases: r.aliases, stats: aliasStats(r.aliases) });
    for (const [k, e] of r.aliases) if (!merged.has(k)) merged.set(k, e);
  }
  return { aliases: merged, diagnostics, files };
}
