// Valid login shells (aliases-forward.md §6, sendmail's usershellok()): a user whose shell is not
// listed in /etc/shells may not run programs or write files through mail either (FAQ Q3.11).

import { readFile } from 'node:fs/promises';

export const DEFAULT_SHELLS_FILE = '/etc/shells';
/** The C library's list when /etc/shells does not exist. */
const LIBC_DEFAULT = ['/bin/sh', '/bin/csh'];
const ANY_SHELL = '/SENDMAIL/ANY/SHELL/';

export interface ShellList {
  readonly shells: ReadonlySet<string>;
  /** The file holds `/SENDMAIL/ANY/SHELL/`: every shell is valid. */
  readonly any: boolean;
}

export function parseShells(text: string): ShellList {
  const shells = new Set<string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    shells.add(line.split(/[ \t]/, 1)[0]!);
  }
  return { shells, any: shells.has(ANY_SHELL) };
}

/** Reads the shells file; a missing file gives the C library's default list, other errors throw. */
export async function loadShells(path: string = DEFAULT_SHELLS_FILE): Promise<ShellList> {
  try {
    return parseShells(await readFile(path, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    return { shells: new Set(LIBC_DEFAULT), any: false };
  }
}

/** Class t members (trusted users) are exempt, as in sendmail. */
export function shellIsValid(user: { name: string; shell: string }, list: ShellList, trustedUsers: ReadonlySet<string>): boolean {
  if (user.shell === '') return true;
  if (trustedUsers.has(user.name)) return true;
  return list.any || list.shells.has(user.shell);
}
