// Reading the access map's text source from disk (relay-and-access.md §2): the `.db` rule, a missing
// optional source, and a read that raced with a writer. Parsing is elsewhere (access-parse.ts).

import { readFile, stat } from 'node:fs/promises';
import type { BigIntStats } from 'node:fs';

export type SourceRead =
  /** The whole file, read while it did not change. `signature` identifies this version of it. */
  | { kind: 'text'; buf: Buffer; signature: string }
  /** The text source does not exist and the map is optional. */
  | { kind: 'missing' }
  /** Only `<path>.db` exists: a configuration error, not a transient one. */
  | { kind: 'db-only'; message: string }
  /** The source cannot be read now (permissions, I/O error, a mandatory file missing). */
  | { kind: 'unreadable'; message: string }
  /** The file changed while it was being read (an editor writing it in place). */
  | { kind: 'changing' };

export interface SourceLocation {
  /** The text source. */
  readonly path: string;
  /** The `.db` file that sendmail would read (the configured path, or the text path + `.db`). */
  readonly dbPath: string;
  readonly optional: boolean;
}

/** Device, inode, size and modification time in nanoseconds: a rename or rewrite changes it. */
export function signatureOf(st: BigIntStats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}`;
}

function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return (e as Error).message;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

export interface SourceState {
  /** signatureOf() the file, `missing` when it does not exist, undefined when it cannot be looked at. */
  readonly signature: string | undefined;
  /** Modification time in ms since the epoch (0 when there is no file). */
  readonly mtimeMs: number;
}

/** What the source looks like now, without reading it. */
export async function sourceState(path: string): Promise<SourceState> {
  try {
    const st = await stat(path, { bigint: true });
    return { signature: signatureOf(st), mtimeMs: Number(st.mtimeMs) };
  } catch (e) {
    return { signature: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : undefined, mtimeMs: 0 };
  }
}

export async function readSource(loc: SourceLocation): Promise<SourceRead> {
  let before: BigIntStats;
  try {
    before = await stat(loc.path, { bigint: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return { kind: 'unreadable', message: `cannot read access map ${loc.path}: ${reason(e)}` };
    if (await exists(loc.dbPath)) {
      return { kind: 'db-only', message: `access database ${loc.dbPath}: only the text source can be read; keep ${loc.path}` };
    }
    return loc.optional ? { kind: 'missing' } : { kind: 'unreadable', message: `cannot read access map ${loc.path}: no such file` };
  }
  if (!before.isFile()) return { kind: 'unreadable', message: `cannot read access map ${loc.path}: not a regular file` };
  let buf: Buffer;
  let after: BigIntStats;
  try {
    buf = await readFile(loc.path);
    after = await stat(loc.path, { bigint: true });
  } catch (e) {
    return { kind: 'unreadable', message: `cannot read access map ${loc.path}: ${reason(e)}` };
  }
  const signature = signatureOf(after);
  if (signature !== signatureOf(before) || BigInt(buf.length) !== after.size) return { kind: 'changing' };
  return { kind: 'text', buf, signature };
}
