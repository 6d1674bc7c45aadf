// Test helpers: a temporary directory with files written into it, removed afterwards.

import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Diagnostic } from '../../src/util/diagnostics.js';
import { formatDiagnostic } from '../../src/util/diagnostics.js';

export interface TempDir {
  dir: string;
  /** Writes a file (creating directories) and returns its absolute path. */
  write(name: string, content: string): Promise<string>;
  path(name: string): string;
}

export async function withTempDir<T>(fn: (t: TempDir) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'postern-config-'));
  const t: TempDir = {
    dir,
    path: (name) => join(dir, name),
    async write(name, content) {
      const p = join(dir, name);
      await mkdir(dirname(p), { recursive: true });
      await writeFile(p, content);
      return p;
    },
  };
  try {
    return await fn(t);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function messages(diags: readonly Diagnostic[], severity?: Diagnostic['severity']): string[] {
  return diags.filter((d) => severity === undefined || d.severity === severity).map(formatDiagnostic);
}

/** Lines of text (a .mc, .cf or postern.conf) joined with newlines, with a final newline. */
export function lines(...ls: string[]): string {
  return ls.join('\n') + '\n';
}
