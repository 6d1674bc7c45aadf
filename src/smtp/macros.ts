// sendmail macro expansion (smtp-session.md §11, op.me §5.2): `$x`, `${name}`, `$$`, `$&x` (deferred,
// which is the same here), and `$?x then $| else $.` conditionals, which may nest. Single pass: a macro's
// value is inserted as it is and never expanded again; an undefined macro is empty.
//
// Templates (greeting, Received) are expanded per connection or per message, so they are compiled once
// into a small tree and the tree is walked per expansion.

export type MacroLookup = (name: string) => string | undefined;

type Node = string | { readonly macro: string } | { readonly test: string; readonly then: Node[]; readonly else: Node[] };

export interface CompiledTemplate {
  readonly source: string;
  expand(lookup: MacroLookup): string;
}

interface Frame {
  readonly test: string;
  readonly then: Node[];
  readonly else: Node[];
  inElse: boolean;
}

/** Reads a macro name at `i` (one character, or `{name}`); returns the name and the index after it. */
function readName(t: string, i: number): { name: string; next: number } | undefined {
  if (i >= t.length) return undefined;
  if (t[i] === '{') {
    const close = t.indexOf('}', i + 1);
    if (close < 0) return undefined;
    return { name: t.slice(i + 1, close), next: close + 1 };
  }
  return { name: t[i], next: i + 1 };
}

function parse(t: string): Node[] {
  const root: Node[] = [];
  const stack: Frame[] = [];
  let out = root;
  let text = '';
  const flush = (): void => {
    if (text.length > 0) out.push(text);
    text = '';
  };
  let i = 0;
  while (i < t.length) {
    const dollar = t.indexOf('$', i);
    if (dollar < 0 || dollar === t.length - 1) {
      text += t.slice(i);
      break;
    }
    text += t.slice(i, dollar);
    const op = t[dollar + 1];
    i = dollar + 2;
    if (op === '$') {
      text += '$';
    } else if (op === '?') {
      const n = readName(t, i);
      if (n === undefined) {
        text += t.slice(dollar);
        break;
      }
      flush();
      const frame: Frame = { test: n.name, then: [], else: [], inElse: false };
      out.push(frame);
      stack.push(frame);
      out = frame.then;
      i = n.next;
    } else if (op === '|') {
      const top = stack[stack.length - 1];
      flush();
      if (top !== undefined && !top.inElse) {
        top.inElse = true;
        out = top.else;
      }
    } else if (op === '.') {
      flush();
      stack.pop();
      const top = stack[stack.length - 1];
      out = top === undefined ? root : top.inElse ? top.else : top.then;
    } else {
      const n = readName(t, op === '&' ? i : i - 1);
      if (n === undefined) {
        text += t.slice(dollar);
        break;
      }
      flush();
      out.push({ macro: n.name });
      i = n.next;
    }
  }
  flush();
  return root;
}

function walk(nodes: readonly Node[], lookup: MacroLookup): string {
  let s = '';
  for (const node of nodes) {
    if (typeof node === 'string') s += node;
    else if ('macro' in node) s += lookup(node.macro) ?? '';
    else {
      const v = lookup(node.test);
      s += walk(v !== undefined && v !== '' ? node.then : node.else, lookup);
    }
  }
  return s;
}

export function compileMacros(template: string): CompiledTemplate {
  const nodes = parse(template);
  if (nodes.length === 1 && typeof nodes[0] === 'string') {
    const constant = nodes[0];
    return { source: template, expand: () => constant };
  }
  return { source: template, expand: (lookup) => walk(nodes, lookup) };
}

const CACHE_LIMIT = 64;
const cache = new Map<string, CompiledTemplate>();

/** Expands `template`; compiled forms of recently used templates are kept. */
export function expandMacros(template: string, lookup: MacroLookup): string {
  let c = cache.get(template);
  if (c === undefined) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    c = compileMacros(template);
    cache.set(template, c);
  }
  return c.expand(lookup);
}

/** A lookup over a plain record of macro values. */
export function lookupIn(values: Readonly<Record<string, string | undefined>>): MacroLookup {
  return (name) => (Object.prototype.hasOwnProperty.call(values, name) ? values[name] : undefined);
}

/** Names of the macros a template refers to (plain and conditional), e.g. `$j $?{auth_type}` → j, auth_type. */
export function usedMacroNames(template: string): Set<string> {
  const names = new Set<string>();
  const re = /\$[?&]?(\{[^}]*\}|[^$?&|.{])/g;
  for (let m = re.exec(template); m !== null; m = re.exec(template)) {
    const n = m[1]!;
    names.add(n.startsWith('{') ? n.slice(1, -1) : n);
  }
  return names;
}
