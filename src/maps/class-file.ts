// Class files: local-host-names, relay-domains, trusted-users (relay-and-access.md §1 "Class file
// format"): one entry per line, `#` to the end of the line is a comment, white space trimmed, empty
// lines ignored, only the first word of a line used [Postern].

import { readFile } from 'node:fs/promises';
import type { Diagnostic } from '../util/diagnostics.js';

export interface ClassFileWord {
  word: string;
  line: number;
}

export interface ClassFileRequest {
  path: string;
  /** `-o`: a missing file is an empty class instead of an error. */
  optional: boolean;
}

export type ClassFileResult =
  | { ok: true; words: ClassFileWord[]; /** The optional file did not exist. */ missing: boolean }
  | { ok: false; error: Diagnostic };

export function parseClassFileText(text: string): ClassFileWord[] {
  const out: ClassFileWord[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const hash = lines[i]!.indexOf('#');
    const content = (hash >= 0 ? lines[i]!.slice(0, hash) : lines[i]!).trim();
    if (content === '') continue;
    out.push({ word: content.split(/\s+/)[0]!, line: i + 1 });
  }
  return out;
}

export async function readClassFile(req: ClassFileRequest): Promise<ClassFileResult> {
  let text: string;
  try {
    text = await readFile(req.path, 'latin1');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && req.optional) return { ok: true, words: [], missing: true };
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    return { ok: false, error: { severity: 'error', message: `cannot read class file ${req.path}: ${why}`, file: req.path } };
  }
  return { ok: true, words: parseClassFileText(text), missing: false };
}
