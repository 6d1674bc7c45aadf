// Where a file delivery writes (program-and-file-delivery.md §4.2): /dev/null, SafeFileEnvironment's
// whole-component prefix stripping, and the emulated chroot (no `..`, no symbolic link among the
// directories below the root). Path arithmetic here; the directory walk needs the file system.

import { lstatSync } from 'node:fs';
import { reasonOf } from './errors.js';

export type TargetPath =
  | { kind: 'devnull' }
  | { kind: 'file'; real: string; root: string; dirs: string[]; confined: boolean }
  | { kind: 'refused'; reason: string };

export const EPERM_TEXT = 'Operation not permitted';

function normalRoot(sfe: string): string {
  const r = sfe.replace(/\/+$/, '');
  return r === '' ? '/' : r;
}

/**
 * The real path of a file delivery to `path`. `dirs` are the directories from just below the root
 * down to the one holding the file (each must be a real directory, not a link). With
 * SafeFileEnvironment unset nothing is confined (sendmail's historic behaviour).
 */
export function targetPath(path: string, sfe: string | undefined): TargetPath {
  if (path === '/dev/null') return { kind: 'devnull' };
  if (!path.startsWith('/')) return { kind: 'refused', reason: EPERM_TEXT };
  if (sfe === undefined) return { kind: 'file', real: path, root: '/', dirs: [], confined: false };
  const root = normalRoot(sfe);
  let rest = path;
  if (root !== '/' && (path === root || path.startsWith(`${root}/`))) rest = path.slice(root.length);
  const parts = rest.split('/').filter((c) => c !== '' && c !== '.');
  if (parts.includes('..')) return { kind: 'refused', reason: EPERM_TEXT };
  const base = root === '/' ? '' : root;
  const dirs: string[] = [];
  for (let i = 1; i < parts.length; i++) dirs.push(`${base}/${parts.slice(0, i).join('/')}`);
  const real = `${base}/${parts.join('/')}`;
  return { kind: 'file', real: real === '' ? '/' : real, root, dirs, confined: true };
}

/** Why the directories below the root cannot be used, or undefined (a symbolic link would leave the chroot). */
export function dirsProblem(dirs: readonly string[]): { reason: string; error?: unknown } | undefined {
  for (const d of dirs) {
    let st;
    try {
      st = lstatSync(d);
    } catch (e) {
      return { reason: reasonOf(e), error: e };
    }
    if (st.isSymbolicLink()) return { reason: EPERM_TEXT };
    if (!st.isDirectory()) return { reason: reasonOf({ code: 'ENOTDIR' }), error: { code: 'ENOTDIR' } };
  }
  return undefined;
}
