// The local user database: a passwd(5) file read into memory (default /etc/passwd). Lookups follow
// getpwnam() on the name folded to lower case (smtp-session.md §7 step 8).

import { readFile } from 'node:fs/promises';
import { DiagnosticList, type Diagnostic } from '../util/diagnostics.js';

export interface UserEntry {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  /** The full name: the GECOS field up to its first comma. */
  readonly gecos: string;
  readonly home: string;
  readonly shell: string;
}

export const DEFAULT_PASSWD = '/etc/passwd';

export class UserTable {
  constructor(
    readonly users: ReadonlyMap<string, UserEntry>,
    readonly diagnostics: readonly Diagnostic[],
  ) {}

  /** The user called `name` in any case (the name is folded to lower case first). */
  lookupUser(name: string): UserEntry | undefined {
    return this.users.get(name.toLowerCase());
  }
}

function parseId(field: string): number | undefined {
  if (field.length === 0 || field.length > 10) return undefined;
  for (let i = 0; i < field.length; i++) {
    const c = field.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return undefined;
  }
  const n = Number(field);
  return n <= 0xffffffff ? n : undefined;
}

/** Parses passwd text; malformed lines are reported with their line number and left out. */
export function parsePasswd(text: string, file: string): UserTable {
  const users = new Map<string, UserEntry>();
  const diags = new DiagnosticList();
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    let line = lines[n];
    if (line.endsWith('\r')) line = line.slice(0, -1);
    const at = { file, line: n + 1 };
    if (line.length === 0 || line.startsWith('#')) continue;
    if (line.startsWith('+') || line.startsWith('-')) {
      diags.notice('NIS compat entry ignored', at);
      continue;
    }
    const f = line.split(':');
    if (f.length !== 7) {
      diags.error(`malformed passwd line: ${f.length} fields instead of 7`, at);
      continue;
    }
    const [name, , uidText, gidText, gecosField, home, shell] = f;
    const uid = parseId(uidText);
    const gid = parseId(gidText);
    if (name.length === 0) {
      diags.error('malformed passwd line: empty user name', at);
      continue;
    }
    if (uid === undefined || gid === undefined) {
      diags.error(`malformed passwd line: bad ${uid === undefined ? 'uid' : 'gid'} for ${name}`, at);
      continue;
    }
    if (users.has(name)) {
      // getpwnam() returns the first entry; a later one with the same name is never seen.
      diags.warning(`duplicate user ${name}; the first entry is used`, at);
      continue;
    }
    const comma = gecosField.indexOf(',');
    const gecos = comma < 0 ? gecosField : gecosField.slice(0, comma);
    users.set(name, { name, uid, gid, gecos, home, shell });
  }
  return new UserTable(users, diags.items);
}

/** Reads a passwd file. An unreadable file gives an empty table with an error diagnostic naming it. */
export async function loadPasswd(path: string = DEFAULT_PASSWD): Promise<UserTable> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    return new UserTable(new Map(), [{ severity: 'error', message: `cannot read user database: ${code}`, file: path }]);
  }
  return parsePasswd(text, path);
}
