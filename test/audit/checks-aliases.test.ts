// Aliases: each check with a fixture that triggers it and one that does not.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_UID, find, goodAliases, PASSWD, posternDefaults, sendmailSystem, STOCK_MC, withFixture, type Fixture, type JsonFinding } from './fixture.js';

async function withAliases(f: Fixture, aliases: string): Promise<JsonFinding[]> {
  const conf = await posternDefaults(f);
  await goodAliases(f, aliases);
  return (await f.findings(['--config', conf])).findings;
}

const BASE = 'postmaster: root\nroot: admin\n';

test('alias-decode-program and alias-decode', async () => {
  await withFixture(async (f) => {
    let fs = await withAliases(f, `${BASE}decode: "|/usr/bin/uudecode"\n`);
    assert.deepEqual(find(fs, 'alias-decode-program').map((x) => [x.severity, x.subject]), [['critical', '/etc/mail/aliases:3']]);
    assert.deepEqual(find(fs, 'alias-decode'), []);
    // The program element is not also reported as an interpreter.
    assert.deepEqual(find(fs, 'alias-program-interpreter'), []);
    fs = await withAliases(f, `${BASE}Decode: root\n`);
    assert.deepEqual(find(fs, 'alias-decode').map((x) => [x.severity, x.subject]), [['low', '/etc/mail/aliases:3']]);
    assert.deepEqual(find(fs, 'alias-decode-program'), []);
    fs = await withAliases(f, BASE);
    assert.deepEqual([...find(fs, 'alias-decode'), ...find(fs, 'alias-decode-program')], []);
  });
});

test('alias-program-interpreter: in an alias (after exec, by basename), in a :include: file; not for vacation', async () => {
  await withFixture(async (f) => {
    await f.write('/etc/mail/lists/staff', '# staff\nadmin\n"|/usr/bin/sed -n p"\n', { age: -60 });
    const fs = await withAliases(
      f,
      `${BASE}evil: "|exec /usr/local/bin/perl5.36 -e 1"\nstaff: :include:/etc/mail/lists/staff\nvac: "|/usr/bin/vacation admin"\n`,
    );
    const hits = find(fs, 'alias-program-interpreter');
    assert.deepEqual(hits.map((x) => x.subject), ['/etc/mail/aliases:3', '/etc/mail/lists/staff:3']);
    assert.ok(hits.every((x) => x.severity === 'critical'));
    assert.match(hits[0]!.message, /perl5\.36 is an interpreter/);
    assert.match(hits[1]!.message, /sed is a stream editor/);
    assert.ok(!hits.some((x) => x.message.includes('vacation')));
  });
});

test('alias-program-interpreter in a line newaliases rejects (an unquoted program with spaces)', async () => {
  await withFixture(async (f) => {
    const fs = await withAliases(f, `${BASE}run: |/bin/sh -c id\n`);
    assert.deepEqual(find(fs, 'alias-syntax').map((x) => [x.subject, x.message]), [['/etc/mail/aliases:3', 'program address with spaces must be quoted']]);
    assert.deepEqual(find(fs, 'alias-program-interpreter').map((x) => x.subject), ['/etc/mail/aliases:3']);
  });
});

test('alias-program lists other program aliases; alias-program-not-allowed when smrsh lacks the program', async () => {
  await withFixture(async (f) => {
    const fs = await withAliases(f, `${BASE}vac: "|/usr/bin/vacation admin"\nfilter: "|exec /usr/local/bin/filter || exit 75"\n`);
    assert.deepEqual(
      find(fs, 'alias-program').map((x) => [x.severity, x.subject]),
      [
        ['info', '/etc/mail/aliases:3'],
        ['info', '/etc/mail/aliases:4'],
      ],
    );
    const notAllowed = find(fs, 'alias-program-not-allowed');
    assert.deepEqual(notAllowed.map((x) => x.subject), ['/etc/mail/aliases:4']);
    assert.match(notAllowed[0]!.message, /runs filter, which is not in the smrsh directory \/etc\/mail\/smrsh/);
  });
  await withFixture(async (f) => {
    const fs = await withAliases(f, BASE);
    assert.deepEqual([...find(fs, 'alias-program'), ...find(fs, 'alias-program-not-allowed')], []);
  });
});

test('alias-file-target: info under SafeFileEnvironment, medium without it', async () => {
  await withFixture(async (f) => {
    let fs = await withAliases(f, `${BASE}archive: /var/mail-archive/team\n`);
    assert.deepEqual(find(fs, 'alias-file-target').map((x) => [x.severity, x.subject]), [['info', '/etc/mail/aliases:3']]);
    await sendmailSystem(f);
    await goodAliases(f, `${BASE}archive: /var/mail-archive/team\n`);
    const mc = await f.write('/etc/mail/sendmail.mc', STOCK_MC);
    fs = (await f.findings(['--sendmail', mc])).findings;
    assert.deepEqual(find(fs, 'alias-file-target').map((x) => x.severity), ['medium']);
    fs = await withAliases(f, BASE);
    assert.deepEqual(find(fs, 'alias-file-target'), []);
  });
});

test('alias-pseudo-accounts: one finding listing them', async () => {
  await withFixture(async (f) => {
    let fs = await withAliases(f, `${BASE}games: root\nuucp: root\noperator: root\nbin: root\n`);
    const hit = find(fs, 'alias-pseudo-accounts');
    assert.equal(hit.length, 1);
    assert.match(hit[0]!.message, /games, uucp, operator$/);
    fs = await withAliases(f, `${BASE}bin: root\ndaemon: root\n`);
    assert.deepEqual(find(fs, 'alias-pseudo-accounts'), []);
  });
});

test('alias-postmaster-missing: neither alias nor user; not with a postmaster user', async () => {
  await withFixture(async (f) => {
    let fs = await withAliases(f, 'root: admin\n');
    assert.deepEqual(find(fs, 'alias-postmaster-missing').map((x) => [x.severity, x.subject]), [['high', '/etc/mail/aliases']]);
    await f.write('/etc/passwd', `${PASSWD}postmaster:x:990:990::/nonexistent:/usr/sbin/nologin\n`);
    fs = (await f.findings(['--config', '/etc/postern/postern.conf'])).findings;
    assert.deepEqual(find(fs, 'alias-postmaster-missing'), []);
  });
});

test('alias-root-unread: no root alias, or root only to itself; not root: admin', async () => {
  await withFixture(async (f) => {
    let fs = await withAliases(f, 'postmaster: root\n');
    assert.deepEqual(find(fs, 'alias-root-unread').map((x) => x.severity), ['low']);
    fs = await withAliases(f, 'postmaster: root\nroot: \\root\n');
    assert.deepEqual(find(fs, 'alias-root-unread').map((x) => x.subject), ['/etc/mail/aliases:2']);
    fs = await withAliases(f, BASE);
    assert.deepEqual(find(fs, 'alias-root-unread'), []);
  });
});

test('alias-syntax: one finding per rejected line with the newaliases message', async () => {
  await withFixture(async (f) => {
    let fs = await withAliases(f, `${BASE}nocolon bob\nempty:\n#c\n bob\n`);
    assert.deepEqual(
      find(fs, 'alias-syntax').map((x) => [x.severity, x.subject, x.message]),
      [
        ['medium', '/etc/mail/aliases:3', 'missing colon'],
        ['medium', '/etc/mail/aliases:4', 'empty:... missing value for alias'],
        ['medium', '/etc/mail/aliases:6', 'Non-continuation line starts with space'],
      ],
    );
    fs = await withAliases(f, BASE);
    assert.deepEqual(find(fs, 'alias-syntax'), []);
  });
});

test('alias-db-stale: database older than the text, or missing', async () => {
  await withFixture(async (f) => {
    const conf = await posternDefaults(f);
    await f.write('/etc/mail/aliases.db', 'old', { age: -3600 });
    let r = await f.findings(['--config', conf]);
    assert.deepEqual(find(r.findings, 'alias-db-stale').map((x) => [x.severity, x.subject]), [['medium', '/etc/mail/aliases']]);
    assert.match(find(r.findings, 'alias-db-stale')[0]!.message, /newer than its database \/etc\/mail\/aliases\.db/);
    await f.write('/etc/mail/aliases.db', 'new');
    r = await f.findings(['--config', conf]);
    assert.deepEqual(find(r.findings, 'alias-db-stale'), []);
    await f.write('/etc/postern/postern.conf', 'AliasFile = /etc/mail/other-aliases\n');
    await f.write('/etc/mail/other-aliases', BASE);
    r = await f.findings(['--config', conf]);
    assert.match(find(r.findings, 'alias-db-stale')[0]!.message, /other-aliases\.db does not exist/);
  });
});

test('alias-file-unsafe: group-writable file, file owned by a user, writable directory; not root 0644', async () => {
  await withFixture(async (f) => {
    const conf = await posternDefaults(f);
    let r = await f.findings(['--config', conf]);
    assert.deepEqual(find(r.findings, 'alias-file-unsafe'), []);
    await goodAliases(f, BASE);
    await f.write('/etc/mail/aliases', BASE, { mode: 0o664, age: -60 });
    r = await f.findings(['--config', conf]);
    assert.match(find(r.findings, 'alias-file-unsafe')[0]!.message, /\/etc\/mail\/aliases is writable by its group \(mode 0664\)/);
    await f.write('/etc/mail/aliases', BASE, { uid: ADMIN_UID, age: -60 });
    r = await f.findings(['--config', conf]);
    assert.match(find(r.findings, 'alias-file-unsafe')[0]!.message, /owned by uid 1000 \(admin\)/);
    await f.write('/etc/mail/aliases', BASE, { age: -60 });
    await f.dir('/etc/mail', { mode: 0o777 });
    r = await f.findings(['--config', conf]);
    assert.equal(find(r.findings, 'alias-file-unsafe')[0]!.severity, 'high');
    assert.match(find(r.findings, 'alias-file-unsafe')[0]!.message, /directory \/etc\/mail is writable by group and others \(mode 0777\)/);
  });
});

test('TrustedUser may own the alias file', async () => {
  await withFixture(async (f) => {
    const conf = await posternDefaults(f, 'TrustedUser = admin\n');
    await f.write('/etc/mail/aliases', BASE, { uid: ADMIN_UID, age: -60 });
    const r = await f.findings(['--config', conf]);
    assert.deepEqual(find(r.findings, 'alias-file-unsafe'), []);
  });
});
