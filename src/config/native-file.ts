// postern.conf (config-formats.md §2): `Name = value`, `Import`, `Feature`, `Class`, `ClassFile`, and the
// Postern extension `Macro <x> <value>` (a cf `D` line: `Macro j mx.example.com` sets $j).

import { dirname, resolve } from 'node:path';
import type { Location } from '../util/diagnostics.js';
import { parseClassFileArg, splitClassName } from './class-spec.js';
import { applyFeatureEffects } from './feature-effects.js';
import type { ConfigLayer } from './layer.js';

export interface NativeFileResult {
  /** The `Import` statement, resolved against the directory of postern.conf. */
  importPath?: { path: string; at: Location };
}

/** Removes a `#` comment that is outside double quotes. */
function stripComment(line: string): string {
  let inQuotes = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && inQuotes) i++;
    else if (c === '"') inQuotes = !inQuotes;
    else if (c === '#' && !inQuotes) return line.slice(0, i);
  }
  return line;
}

type ValueResult = { ok: true; value: string } | { ok: false; message: string };

/** A value is the trimmed rest of the line, or a double-quoted string (with \" and \\ escapes). */
function unquote(text: string): ValueResult {
  const t = text.trim();
  if (!t.startsWith('"')) {
    if (t.includes('"')) return { ok: false, message: 'a quoted value must be quoted as a whole' };
    return { ok: true, value: t };
  }
  let out = '';
  for (let i = 1; i < t.length; i++) {
    const c = t[i]!;
    if (c === '\\' && i + 1 < t.length) {
      out += t[++i];
    } else if (c === '"') {
      if (t.slice(i + 1).trim() !== '') return { ok: false, message: 'text after the closing quote' };
      return { ok: true, value: out };
    } else {
      out += c;
    }
  }
  return { ok: false, message: 'missing closing quote' };
}

export function parseNativeFile(text: string, file: string, layer: ConfigLayer): NativeFileResult {
  const result: NativeFileResult = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const at = { file, line: i + 1 };
    const line = stripComment(lines[i]!).trim();
    if (line === '') continue;
    const assign = /^([A-Za-z][A-Za-z0-9._-]*)\s*=(.*)$/s.exec(line);
    if (assign !== null) {
      const v = unquote(assign[2]!);
      if (!v.ok) layer.diags.error(`${assign[1]!}: ${v.message}`, at);
      else layer.setLong(assign[1]!, v.value, at, true);
      continue;
    }
    const m = /^(\S+)\s*(.*)$/s.exec(line)!;
    const keyword = m[1]!.toLowerCase();
    const rest = m[2]!.trim();
    switch (keyword) {
      case 'import': {
        if (rest === '') layer.diags.error('Import: missing path', at);
        else if (result.importPath !== undefined) {
          const first = result.importPath.at;
          layer.diags.error(`only one sendmail configuration may be imported (already imported at ${first.file}:${first.line})`, at);
        } else {
          const v = unquote(rest);
          if (!v.ok) layer.diags.error(`Import: ${v.message}`, at);
          else result.importPath = { path: resolve(dirname(file), v.value), at };
        }
        break;
      }
      case 'feature': {
        const parts = rest.split(',').map((s) => s.trim());
        const name = parts[0] ?? '';
        if (name === '') layer.diags.error('Feature: missing feature name', at);
        else if (layer.addFeature(name, parts.slice(1), at)) {
          applyFeatureEffects(layer, layer.features[layer.features.length - 1]!.name, parts.slice(1), at, { settingsDir: '/etc/mail/' });
        }
        break;
      }
      case 'class': {
        const c = splitClassName(rest);
        if (!c.ok) layer.diags.error(`Class: ${c.message}`, at);
        else {
          const words = c.rest.trim().split(/\s+/).filter((w) => w !== '');
          if (words.length === 0) layer.diags.error(`Class ${c.cls}: no words given`, at);
          layer.addClassWords(c.cls, words, at);
        }
        break;
      }
      case 'classfile': {
        const c = splitClassName(rest);
        if (!c.ok) {
          layer.diags.error(`ClassFile: ${c.message}`, at);
          break;
        }
        const f = parseClassFileArg(c.rest);
        if (!f.ok) layer.diags.error(`ClassFile ${c.cls}: ${f.message}`, at);
        else layer.addClassFile({ cls: c.cls, path: f.path, optional: f.optional, at, ...(f.pattern ? { pattern: f.pattern } : {}) });
        break;
      }
      case 'macro': {
        // [Postern extension] the native form of a cf `D` line, e.g. `Macro j mx.example.com` for $j.
        const mm = /^(\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z])\s+(.*)$/s.exec(rest);
        if (mm === null) layer.diags.error('Macro: expected a macro name (one letter or {name}) and a value', at);
        else {
          const v = unquote(mm[2]!.trim());
          if (!v.ok) layer.diags.error(`Macro ${mm[1]!}: ${v.message}`, at);
          else layer.setMacro(mm[1]!.replace(/^\{|\}$/g, ''), v.value, at);
        }
        break;
      }
      default:
        layer.diags.error(`unknown statement "${m[1]!}" (expected Name = value, Import, Feature, Class, ClassFile or Macro)`, at);
    }
  }
  return result;
}
