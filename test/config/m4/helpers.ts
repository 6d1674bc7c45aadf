// Shared by the m4 engine tests: run text through the engine and look at the result as m4 would print it.

import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { runM4, type M4Options, type M4Result, type SourceLoc } from '../../../src/config/m4/engine.js';
import { formatDiagnostic } from '../../../src/util/diagnostics.js';

export interface Run {
  result: M4Result;
  /** Kept output (diversions >= 0) in production order. */
  out: string;
  /** Diagnostics formatted as file:line: [severity: ]message. */
  diags: string[];
}

export function m4(text: string, options: Partial<M4Options> = {}, file = 'test.mc'): Run {
  const result = runM4(text, file, { readInclude: () => undefined, ...options });
  return {
    result,
    out: result.output.map((c) => c.text).join(''),
    diags: result.diagnostics.map(formatDiagnostic),
  };
}

/** A temporary directory removed by the returned cleanup function. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'postern-m4-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Reads include files from disk: relative paths against the including file's directory, absolute paths
 *  under `root` (so a test can stand in for /etc/mail). */
export function diskIncludes(root: string): M4Options['readInclude'] {
  return (path: string, from: SourceLoc) => {
    const full = path.startsWith('/') ? join(root, path) : resolve(dirname(from.file), path);
    if (!existsSync(full)) return undefined;
    return { text: readFileSync(full, 'latin1'), file: full };
  };
}
