// The AUTH password file (AuthPasswordFile [Postern], docs/auth.md): one `user:hash` per line, `#`
// comments and empty lines ignored. A line that cannot be used is reported with its file and line and
// left out; the rest of the file still works. The same code reads the file for the server and rewrites it
// for `postern passwd`, which keeps comments and the order of the lines.

import { DiagnosticList } from '../util/diagnostics.js';
import { parseHash, type ParsedHash } from './password-hash.js';

/** Printable ASCII without `:`, white space or `#`; `user@example.com` is fine. */
const USER = /^[!-9;-~]{1,256}$/;

export function validUserName(name: string): boolean {
  return USER.test(name) && !name.includes('#');
}

export interface PasswordEntries {
  users: Map<string, ParsedHash>;
  diagnostics: DiagnosticList;
}

export function parsePasswordFile(text: string, file: string): PasswordEntries {
  const diags = new DiagnosticList();
  const users = new Map<string, ParsedHash>();
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.replace(/\r$/, '').trim();
    if (line === '' || line.startsWith('#')) return;
    const at = { file, line: i + 1 };
    const colon = line.indexOf(':');
    if (colon === -1) return diags.warning('expected user:hash; line ignored', at);
    const user = line.slice(0, colon);
    if (!validUserName(user)) return diags.warning('bad user name (printable ASCII without ":", "#" or spaces); line ignored', at);
    const h = parseHash(line.slice(colon + 1));
    if ('error' in h) return diags.warning(`${user}: ${h.error}; line ignored`, at);
    if (users.has(user)) return diags.warning(`${user}: listed twice; the first line is used`, at);
    users.set(user, h);
  });
  return { users, diagnostics: diags };
}

/** The file with `user` set to `hash` (appended when new), or removed when `hash` is undefined. */
export function withUser(text: string, user: string, hash: string | undefined): { text: string; found: boolean } {
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  let found = false;
  const out: string[] = [];
  for (const line of lines) {
    const t = line.trim();
    const isUser = !t.startsWith('#') && t.slice(0, t.indexOf(':')) === user && t.includes(':');
    if (!isUser) {
      out.push(line);
      continue;
    }
    if (found) continue;
    found = true;
    if (hash !== undefined) out.push(`${user}:${hash}`);
  }
  if (!found && hash !== undefined) out.push(`${user}:${hash}`);
  return { text: out.length === 0 ? '' : `${out.join('\n')}\n`, found };
}
