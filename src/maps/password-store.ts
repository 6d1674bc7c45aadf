// The credential source behind AUTH PLAIN/LOGIN: the password file, read through `read` (the master in
// the privilege split, docs/auth.md) and read again when it changes (checked at most once a second, on
// an AUTH attempt).

import { readFile } from 'node:fs/promises';
import { Limiter } from '../util/limiter.js';
import { Reloadable, stampsOf, type ReloadOptions } from '../util/reloadable.js';
import type { Diagnostic } from '../util/diagnostics.js';
import { parsePasswordFile } from './password-file.js';
import { verifyHash, verifyNothing, type ParsedHash } from './password-hash.js';

export type PasswordStoreEvent =
  | { kind: 'loaded'; file: string; users: number }
  | { kind: 'rejected'; file: string; reason: string }
  | { kind: 'warning'; diagnostic: Diagnostic };

export interface PasswordStoreOptions {
  file: string;
  read?: (path: string) => Promise<Buffer>;
  onEvent?: (e: PasswordStoreEvent) => void;
  reload?: ReloadOptions;
}

/** Half of libuv's default thread pool: the spool's file operations keep the other half. */
const CONCURRENT_CHECKS = 2;

export class PasswordStore {
  private readonly checks = new Limiter(CONCURRENT_CHECKS);

  private constructor(private readonly users: Reloadable<Map<string, ParsedHash>>) {}

  /** Opens the file; a file that cannot be read is an error (AUTH would otherwise silently fail). */
  static async open(o: PasswordStoreOptions): Promise<{ store?: PasswordStore; diagnostics: Diagnostic[] }> {
    const read = o.read ?? ((p: string) => readFile(p));
    const load = async (): Promise<{ users?: Map<string, ParsedHash>; diagnostics: Diagnostic[] }> => {
      let text: string;
      try {
        text = (await read(o.file)).toString('utf8');
      } catch (err) {
        return { diagnostics: [{ severity: 'error', file: o.file, message: `AuthPasswordFile cannot be read: ${(err as Error).message}` }] };
      }
      const parsed = parsePasswordFile(text, o.file);
      return { users: parsed.users, diagnostics: parsed.diagnostics.items };
    };
    const stamps = await stampsOf([o.file]);
    const first = await load();
    if (first.users === undefined) return { diagnostics: first.diagnostics };
    const users = new Reloadable(
      first.users,
      [o.file],
      stamps,
      async () => {
        const next = await load();
        for (const d of next.diagnostics) {
          if (d.severity === 'warning') o.onEvent?.({ kind: 'warning', diagnostic: d });
        }
        if (next.users === undefined) {
          o.onEvent?.({ kind: 'rejected', file: o.file, reason: next.diagnostics[0]?.message ?? 'unreadable' });
          return undefined;
        }
        o.onEvent?.({ kind: 'loaded', file: o.file, users: next.users.size });
        return next.users;
      },
      o.reload,
    );
    return { store: new PasswordStore(users), diagnostics: first.diagnostics };
  }

  get size(): number {
    return this.users.current.size;
  }

  /** True when `user` exists and `password` is theirs. Takes about as long either way. */
  async verify(user: string, password: Buffer): Promise<boolean> {
    await this.users.refresh();
    const h = this.users.current.get(user);
    return this.checks.run(() => (h === undefined ? verifyNothing(password) : verifyHash(password, h)));
  }
}
