// The AUTH password file: scrypt hashes (format, verification, bounds on parameters read from a file),
// the line format with its diagnostics, the rewrite used by `postern passwd`, and the store's reload
// when the file changes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword, parseHash, verifyHash } from '../../src/maps/password-hash.js';
import { parsePasswordFile, validUserName, withUser } from '../../src/maps/password-file.js';
import { PasswordStore, type PasswordStoreEvent } from '../../src/maps/password-store.js';

const FAST = { ln: 10, r: 8, p: 1 };

test('scrypt hashes: the written format, verification, a fresh salt each time', async () => {
  const h = await hashPassword('s3cret', FAST);
  assert.match(h, /^scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/]+={0,2}\$[A-Za-z0-9+/]+={0,2}$/);
  const p = parseHash(h);
  assert.ok(!('error' in p));
  assert.equal(await verifyHash(Buffer.from('s3cret'), p), true);
  assert.equal(await verifyHash(Buffer.from('s3cret '), p), false);
  assert.notEqual(await hashPassword('s3cret', FAST), h);
  assert.match(await hashPassword('x'), /^scrypt\$ln=15,r=8,p=1\$/, 'the default cost');
});

test('hashes that cannot be used are refused with a reason', () => {
  const err = (t: string): string => {
    const r = parseHash(t);
    assert.ok('error' in r, t);
    return r.error;
  };
  assert.match(err('$6$salt$cryptstuff'), /unknown hash scheme/);
  assert.match(err('argon2id$v=19$m=65536'), /unknown hash scheme "argon2id"/);
  assert.match(err('scrypt$ln=15$abc'), /malformed/);
  assert.match(err('scrypt$ln=30,r=8,p=1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5'), /out of range/);
  assert.match(err('scrypt$ln=14,r=8,p=1$c2E=$a2V5a2V5a2V5a2V5a2V5a2V5'), /too short/);
});

test('the file: comments, blank lines, CR LF; bad lines reported with file:line and skipped', async () => {
  const h = await hashPassword('pw', FAST);
  const text = `# users\n\nalice:${h}\r\nbroken line\nbad user:${h}\ncarol:plain-text-password\nalice:${h}\nbob@example.org:${h}\n`;
  const r = parsePasswordFile(text, '/etc/mail/passwords');
  assert.deepEqual([...r.users.keys()], ['alice', 'bob@example.org']);
  assert.deepEqual(
    r.diagnostics.items.map((d) => `${d.line} ${d.message}`),
    [
      '4 expected user:hash; line ignored',
      '5 bad user name (printable ASCII without ":", "#" or spaces); line ignored',
      '6 carol: unknown hash scheme "plain-text-password" (only scrypt$ is supported); line ignored',
      '7 alice: listed twice; the first line is used',
    ],
  );
  assert.ok(r.diagnostics.items.every((d) => d.file === '/etc/mail/passwords' && d.severity === 'warning'));
  assert.equal(validUserName('a:b'), false);
  assert.equal(validUserName('a#b'), false);
  assert.equal(validUserName('alice@example.org'), true);
});

test('withUser: add, change in place (comments and order kept), delete', () => {
  const start = '# admins\nalice:scrypt$1\nbob:scrypt$2\n';
  assert.deepEqual(withUser(start, 'carol', 'scrypt$3'), { text: `${start}carol:scrypt$3\n`, found: false });
  assert.deepEqual(withUser(start, 'alice', 'scrypt$9'), { text: '# admins\nalice:scrypt$9\nbob:scrypt$2\n', found: true });
  assert.deepEqual(withUser(start, 'bob', undefined), { text: '# admins\nalice:scrypt$1\n', found: true });
  assert.deepEqual(withUser(start, 'nobody', undefined), { text: start, found: false });
  assert.deepEqual(withUser('', 'alice', 'scrypt$1'), { text: 'alice:scrypt$1\n', found: false });
});

test('the store: verify, unknown users, and a changed file read again (after it settles)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'postern-pw-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'passwords');
  await writeFile(file, `alice:${await hashPassword('one', FAST)}\n`);
  let now = Date.now();
  const events: PasswordStoreEvent[] = [];
  const r = await PasswordStore.open({ file, onEvent: (e) => events.push(e), reload: { now: () => now, minIntervalMs: 0, settleMs: 2000 } });
  const store = r.store!;
  assert.deepEqual(r.diagnostics, []);
  assert.equal(await store.verify('alice', Buffer.from('one')), true);
  assert.equal(await store.verify('mallory', Buffer.from('one')), false);
  await writeFile(file, `alice:${await hashPassword('two', FAST)}\nbob:${await hashPassword('three', FAST)}\n`);
  // Just written: not taken yet.
  now = Date.now();
  assert.equal(await store.verify('alice', Buffer.from('one')), true);
  const past = new Date(Date.now() - 10_000);
  await utimes(file, past, past);
  assert.equal(await store.verify('alice', Buffer.from('two')), true);
  assert.equal(await store.verify('bob', Buffer.from('three')), true);
  assert.deepEqual(events, [{ kind: 'loaded', file, users: 2 }]);
  await rm(file);
  now += 5000;
  assert.equal(await store.verify('alice', Buffer.from('two')), true, 'a file gone keeps the users in use');
  assert.equal(events[1]?.kind, 'rejected');
});

test('a password file that cannot be read is an error at start-up', async () => {
  const r = await PasswordStore.open({ file: '/nonexistent/postern-passwords' });
  assert.equal(r.store, undefined);
  assert.match(r.diagnostics[0]!.message, /^AuthPasswordFile cannot be read: ENOENT/);
});
