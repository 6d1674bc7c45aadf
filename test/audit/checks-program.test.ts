// Program delivery and smrsh: each check with a fixture that triggers it and one that does not.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_UID, find, HARDENED_MC, posternDefaults, sendmailSystem, withFixture, type Fixture } from './fixture.js';

async function postern(f: Fixture, conf: string): Promise<Awaited<ReturnType<Fixture['findings']>>> {
  const path = await posternDefaults(f, conf);
  return f.findings(['--config', path]);
}

const CF_BASE = 'V10/Berkeley\nO PrivacyOptions=goaway,restrictmailq,restrictqrun\n';

test('prog-mailer-shell: ProgMailer=shell (floor off) and a cf Mprog with P=/bin/bash; not with smrsh', async () => {
  await withFixture(async (f) => {
    const r = await postern(f, 'HardeningFloor = False\nProgMailer = shell\n');
    const hit = find(r.findings, 'prog-mailer-shell');
    assert.equal(hit.length, 1);
    assert.equal(hit[0]!.subject, 'ProgMailer');
    assert.deepEqual({ file: hit[0]!.file, line: hit[0]!.line }, { file: '/etc/postern/postern.conf', line: 2 });
    assert.equal(hit[0]!.fixes!.mc, "FEATURE(`smrsh')dnl");
    assert.equal(hit[0]!.fixes!.conf, 'ProgMailer = smrsh');
    assert.match(hit[0]!.fixes!.cf!, /^Mprog, P=\/usr\/sbin\/smrsh, .*A=smrsh -c \$u$/);
  });
  await withFixture(async (f) => {
    await sendmailSystem(f);
    const cf = await f.write('/etc/mail/sendmail.cf', `${CF_BASE}Mprog, P=/usr/bin/bash, F=lsDFMoqeu9, A=bash -c $u\n`);
    const r = await f.findings(['--sendmail', cf]);
    assert.deepEqual(find(r.findings, 'prog-mailer-shell').map((x) => [x.severity, x.subject]), [['critical', '/etc/mail/sendmail.cf:3']]);
  });
  await withFixture(async (f) => {
    const r = await postern(f, '# defaults\n');
    assert.deepEqual(find(r.findings, 'prog-mailer-shell'), []);
    assert.deepEqual(find(r.findings, 'prog-mailer-external'), []);
  });
});

test('prog-mailer-external: ProgMailer=external:<path> and a cf Mprog with another program; not with smrsh', async () => {
  await withFixture(async (f) => {
    const r = await postern(f, 'ProgMailer = external:/usr/local/bin/deliver\n');
    assert.deepEqual(find(r.findings, 'prog-mailer-external').map((x) => x.severity), ['high']);
  });
  await withFixture(async (f) => {
    await sendmailSystem(f);
    const cf = await f.write('/etc/mail/sendmail.cf', `${CF_BASE}Mprog, P=/usr/local/bin/deliver, F=lsDFMoqeu9, A=deliver $u\n`);
    const r = await f.findings(['--sendmail', cf]);
    assert.deepEqual(find(r.findings, 'prog-mailer-external').map((x) => x.subject), ['/etc/mail/sendmail.cf:3']);
    assert.deepEqual(find(r.findings, 'prog-mailer-shell'), []);
  });
  await withFixture(async (f) => {
    await sendmailSystem(f);
    const cf = await f.write('/etc/mail/sendmail.cf', `${CF_BASE}Mprog, P=/usr/sbin/smrsh, F=lsDFMoqeu9, A=smrsh -c $u\n`);
    const r = await f.findings(['--sendmail', cf]);
    assert.deepEqual(find(r.findings, 'prog-mailer-external'), []);
  });
});

test('smrsh-dir-missing: info when the directory does not exist; not when it does', async () => {
  await withFixture(async (f) => {
    const r = await postern(f, 'SmrshDirectory = /etc/smrsh-nowhere\n');
    const hit = find(r.findings, 'smrsh-dir-missing');
    assert.deepEqual(hit.map((x) => [x.severity, x.subject]), [['info', '/etc/smrsh-nowhere']]);
  });
  await withFixture(async (f) => {
    const r = await postern(f, '# defaults\n');
    assert.deepEqual(find(r.findings, 'smrsh-dir-missing'), []);
  });
});

test('--smrsh-dir names sendmail\'s compiled-in directory; without it the usual places are searched', async () => {
  await withFixture(async (f) => {
    await sendmailSystem(f);
    const mc = await f.write('/etc/mail/sendmail.mc', HARDENED_MC);
    await f.dir('/usr/libexec/sm.bin');
    await f.link('/usr/bin/perl', '/usr/libexec/sm.bin/perl');
    let r = await f.findings(['--sendmail', mc]);
    // /etc/mail/smrsh comes first in the search and is clean.
    assert.deepEqual(find(r.findings, 'smrsh-interpreter'), []);
    r = await f.findings(['--sendmail', mc, '--smrsh-dir', '/usr/libexec/sm.bin']);
    assert.deepEqual(find(r.findings, 'smrsh-interpreter').map((x) => x.subject), ['/usr/libexec/sm.bin/perl']);
  });
});

test('smrsh-dir-unsafe: a group-writable directory, or one owned by another user; not root 0755', async () => {
  await withFixture(async (f) => {
    const conf = await posternDefaults(f);
    await f.dir('/etc/mail/smrsh', { mode: 0o775 });
    let r = await f.findings(['--config', conf]);
    assert.deepEqual(find(r.findings, 'smrsh-dir-unsafe').map((x) => [x.severity, x.subject]), [['high', '/etc/mail/smrsh']]);
    assert.match(find(r.findings, 'smrsh-dir-unsafe')[0]!.message, /writable by its group \(mode 0775\)/);
    await f.dir('/etc/mail/smrsh', { mode: 0o755, uid: ADMIN_UID });
    r = await f.findings(['--config', conf]);
    assert.match(find(r.findings, 'smrsh-dir-unsafe')[0]!.message, /owned by uid 1000 \(admin\)/);
    await f.dir('/etc/mail/smrsh', { mode: 0o755, uid: 0 });
    r = await f.findings(['--config', conf]);
    assert.deepEqual(find(r.findings, 'smrsh-dir-unsafe'), []);
  });
});

test('smrsh-interpreter: by entry name, by link target name, by final target; not for vacation', async () => {
  await withFixture(async (f) => {
    const conf = await posternDefaults(f);
    await f.write('/usr/bin/python3.11', '#!/bin/true\n', { mode: 0o755 });
    await f.link('python3.11', '/usr/bin/python3');
    await f.write('/usr/bin/gawk', '#!/bin/true\n', { mode: 0o755 });
    await f.link('/usr/bin/python3', '/etc/mail/smrsh/helper');
    await f.link('/usr/bin/gawk', '/etc/mail/smrsh/awk');
    await f.write('/etc/mail/smrsh/uudecode', '#!/bin/true\n', { mode: 0o755 });
    await f.link('/usr/bin/env', '/etc/mail/smrsh/env');
    const r = await f.findings(['--config', conf]);
    const hits = find(r.findings, 'smrsh-interpreter');
    assert.deepEqual(hits.map((x) => x.subject), ['/etc/mail/smrsh/awk', '/etc/mail/smrsh/env', '/etc/mail/smrsh/helper', '/etc/mail/smrsh/uudecode']);
    assert.ok(hits.every((x) => x.severity === 'critical'));
    assert.match(hits[2]!.message, /helper -> \/usr\/bin\/python3 runs python3, an interpreter/);
    assert.ok(!hits.some((x) => x.subject.endsWith('/vacation')));
  });
});

test('smrsh-procmail: a procmail entry; not without it', async () => {
  await withFixture(async (f) => {
    const conf = await posternDefaults(f);
    let r = await f.findings(['--config', conf]);
    assert.deepEqual(find(r.findings, 'smrsh-procmail'), []);
    await f.write('/etc/mail/smrsh/procmail', '#!/bin/true\n', { mode: 0o755 });
    r = await f.findings(['--config', conf]);
    assert.deepEqual(find(r.findings, 'smrsh-procmail').map((x) => [x.severity, x.subject]), [['medium', '/etc/mail/smrsh/procmail']]);
  });
});

test('smrsh-entry-writable: a target writable by others or owned by a user; not a root 0755 target', async () => {
  await withFixture(async (f) => {
    const conf = await posternDefaults(f);
    await f.write('/usr/local/bin/filter', '#!/bin/true\n', { mode: 0o757 });
    await f.link('/usr/local/bin/filter', '/etc/mail/smrsh/filter');
    await f.write('/etc/mail/smrsh/notify', '#!/bin/true\n', { mode: 0o755, uid: ADMIN_UID });
    const r = await f.findings(['--config', conf]);
    const hits = find(r.findings, 'smrsh-entry-writable');
    assert.deepEqual(hits.map((x) => x.subject), ['/etc/mail/smrsh/filter', '/etc/mail/smrsh/notify']);
    assert.match(hits[0]!.message, /-> \/usr\/local\/bin\/filter is writable by others \(mode 0757\)/);
    assert.match(hits[1]!.message, /owned by uid 1000 \(admin\)/);
  });
});
