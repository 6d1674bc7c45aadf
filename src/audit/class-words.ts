// The words of a class (w, R, t) with where each was configured: C lines, RELAY_DOMAIN(), postern.conf
// `Class`, and the class files (local-host-names, relay-domains...) read under the audit root.

import { parseClassFileText } from '../maps/class-file.js';
import type { AuditContext } from './context.js';
import { describeCode, errnoCode } from './root-fs.js';

export interface ClassWordAt {
  word: string;
  /** Logical path, absent for Postern's built-in words. */
  file?: string;
  line?: number;
}

export interface ClassWords {
  words: ClassWordAt[];
  /** Class files that exist (logical paths). */
  files: string[];
}

export async function classWords(ctx: AuditContext, cls: string): Promise<ClassWords> {
  const words: ClassWordAt[] = [];
  for (const e of ctx.cfg.classes[cls] ?? []) {
    words.push(e.at === undefined ? { word: e.word } : { word: e.word, file: ctx.shown(e.at.file), line: e.at.line });
  }
  const files: string[] = [];
  for (const spec of ctx.cfg.classFiles) {
    if (spec.cls !== cls) continue;
    let text: string;
    try {
      text = await ctx.fs.readFile(spec.path, 'latin1');
    } catch (e) {
      const code = errnoCode(e);
      if (code !== 'ENOENT') ctx.skip(`class ${cls} checks`, `cannot read ${spec.path}: ${describeCode(code)}`);
      continue;
    }
    files.push(spec.path);
    for (const w of parseClassFileText(text)) words.push({ word: w.word, file: spec.path, line: w.line });
  }
  return { words, files };
}
