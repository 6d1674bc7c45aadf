// Installing a compiled alias database (aliases-forward.md §3 steps 4–5): written to a temporary file
// in the same directory, owner and group set before the mode opens it to the group, fsynced, and
// renamed over the previous database; readers see the old database or the new one, never a mix.

import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ALIAS_DB_MARKER, encodeEntry, encodeHeader } from './alias-db-format.js';

export const ALIAS_DB_MODE = 0o640;

export interface AliasDbOwner {
  /** Owner of the database (TrustedUser or root); undefined keeps the writer's. */
  uid?: number;
  /** Group of the alias text file; undefined keeps the writer's. */
  gid?: number;
}

export interface AliasDbEntry {
  name: string;
  value: string;
  line: number;
}

export function renderAliasDb(source: string, entries: Iterable<AliasDbEntry>): string {
  const lines = [encodeHeader(source)];
  for (const e of entries) lines.push(encodeEntry(e.name, e.value, e.line));
  lines.push(ALIAS_DB_MARKER);
  return `${lines.join('\n')}\n`;
}

async function syncDirectory(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Writes and installs `dbPath`; throws the system error (with its code) when that cannot be done. */
export async function writeAliasDb(dbPath: string, source: string, entries: Iterable<AliasDbEntry>, owner: AliasDbOwner): Promise<void> {
  const dir = dirname(dbPath);
  const tmp = join(dir, `.${basename(dbPath)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx', 0o600);
  let installed = false;
  try {
    await fh.writeFile(renderAliasDb(source, entries), 'utf8');
    if (owner.uid !== undefined || owner.gid !== undefined) await fh.chown(owner.uid ?? -1, owner.gid ?? -1);
    await fh.chmod(ALIAS_DB_MODE);
    await fh.sync();
    await fh.close();
    await rename(tmp, dbPath);
    installed = true;
    await syncDirectory(dir);
  } finally {
    if (!installed) {
      await fh.close().catch(() => undefined);
      await unlink(tmp).catch(() => undefined);
    }
  }
}
