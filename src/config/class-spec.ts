// Class names and class-file declarations as the cf `C`/`F` lines, the m4 macros and postern.conf's
// `Class`/`ClassFile` write them.

export type ClassNameResult = { ok: true; cls: string; rest: string } | { ok: false; message: string };

/** `w rest`, `{TrustAuthMech} rest`: a single character or a braced long name. */
export function splitClassName(text: string): ClassNameResult {
  if (text.startsWith('{')) {
    const close = text.indexOf('}');
    if (close < 2) return { ok: false, message: `bad class name "${text.slice(0, 20)}"` };
    const cls = text.slice(1, close);
    if (!/^[A-Za-z0-9_]+$/.test(cls)) return { ok: false, message: `bad class name {${cls}}` };
    return { ok: true, cls, rest: text.slice(close + 1) };
  }
  const c = text[0];
  if (c === undefined || /\s/.test(c)) return { ok: false, message: 'missing class name' };
  return { ok: true, cls: c, rest: text.slice(1) };
}

export type ClassFileArg =
  | { ok: true; path: string; optional: boolean; pattern?: string }
  | { ok: false; message: string };

/** `/path`, `-o /path`, `/path %[^#]`; program (`|cmd`) and map (`@map`) sources are refused. */
export function parseClassFileArg(text: string): ClassFileArg {
  let rest = text.trim();
  let optional = false;
  if (rest.startsWith('-o')) {
    optional = true;
    rest = rest.slice(2).trim();
  }
  if (rest.startsWith('|')) return { ok: false, message: 'class files read from a program (F|program) are not supported' };
  if (rest.startsWith('@')) return { ok: false, message: 'classes read from a map (F@map) are not supported' };
  const m = /^(\S+)(?:\s+(.*))?$/s.exec(rest);
  if (m === null) return { ok: false, message: 'missing class file path' };
  const out: { ok: true; path: string; optional: boolean; pattern?: string } = { ok: true, path: m[1]!, optional };
  if (m[2] !== undefined && m[2].trim() !== '') out.pattern = m[2].trim();
  return out;
}
