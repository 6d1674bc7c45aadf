// Queue directory, queue file modes and queue files: each check with a fixture that triggers it and one
// that does not.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_UID, find, POSTERN_UID, posternDefaults, sendmailSystem, withFixture } from './fixture.js';

test('queue-dir-readable is info when restrictmailq is off; absent for 0700', async () => {
  await withFixture(async (f) => {
    const conf = await posternDefaults(f, 'PrivacyOptions = goaway,restrictqrun\n');
    await f.dir('/var/spool/postern', { mode: 0o755, uid: POSTERN_UID });
    let r = await f.findings(['--config', conf]);
    assert.deepEqual(find(r.findings, 'queue-dir-readable').map((x) => x.severity), ['info']);
    await f.dir('/var/spool/postern', { mode: 0o700, uid: POSTERN_UID });
    r = await f.findings(['--config', conf]);
    assert.deepEqual([...find(r.findings, 'queue-dir-readable'), ...find(r.findings, 'queue-dir-writable')], []);
  });
});

test('queue-dir-writable: a symbolic link', async () => {
  await withFixture(async (f) => {
    const conf = await posternDefaults(f, 'QueueDirectory = /var/spool/q\n');
    await f.link('/var/spool/postern', '/var/spool/q');
    const r = await f.findings(['--config', conf]);
    const hit = find(r.findings, 'queue-dir-writable');
    assert.deepEqual(hit.map((x) => [x.severity, x.subject]), [['high', '/var/spool/q']]);
    assert.match(hit[0]!.message, /symbolic link/);
  });
});

test('queue-dir-owner: Postern wants RunAsUser, sendmail wants root', async () => {
  await withFixture(async (f) => {
    const conf = await posternDefaults(f);
    await f.dir('/var/spool/postern', { mode: 0o700, uid: ADMIN_UID });
    let r = await f.findings(['--config', conf]);
    assert.deepEqual(find(r.findings, 'queue-dir-owner').map((x) => x.severity), ['high']);
    assert.match(find(r.findings, 'queue-dir-owner')[0]!.message, /owned by uid 1000 \(admin\), not by the queue owner postern/);
    await f.dir('/var/spool/postern', { mode: 0o700, uid: POSTERN_UID });
    r = await f.findings(['--config', conf]);
    assert.deepEqual(find(r.findings, 'queue-dir-owner'), []);
  });
  await withFixture(async (f) => {
    await sendmailSystem(f);
    const cf = await f.write('/etc/mail/sendmail.cf', 'V10/Berkeley\nO QueueDirectory=/var/spool/mqueue\n');
    let r = await f.findings(['--sendmail', cf]);
    assert.deepEqual(find(r.findings, 'queue-dir-owner'), []);
    await f.dir('/var/spool/mqueue', { mode: 0o700, uid: POSTERN_UID });
    r = await f.findings(['--sendmail', cf]);
    assert.match(find(r.findings, 'queue-dir-owner')[0]!.message, /not by root/);
  });
});

test('queue-file-mode and temp-file-mode from postern.conf (the floor does not touch the native file)', async () => {
  await withFixture(async (f) => {
    let conf = await posternDefaults(f, 'QueueFileMode = 0660\nTempFileMode = 0604\n');
    let r = await f.findings(['--config', conf]);
    assert.deepEqual(find(r.findings, 'queue-file-mode').map((x) => [x.severity, x.subject, x.line]), [['medium', 'QueueFileMode', 1]]);
    assert.deepEqual(find(r.findings, 'temp-file-mode').map((x) => [x.severity, x.subject, x.line]), [['medium', 'TempFileMode', 2]]);
    assert.equal(find(r.findings, 'temp-file-mode')[0]!.fixes!.mc, "define(`confTEMP_FILE_MODE', `0600')dnl");
    conf = await f.write('/etc/postern/postern.conf', 'QueueFileMode = 0600\nTempFileMode = 0400\n');
    r = await f.findings(['--config', conf]);
    assert.deepEqual([...find(r.findings, 'queue-file-mode'), ...find(r.findings, 'temp-file-mode')], []);
  });
});

test('queue-files-exposed: sendmail qf/df files readable by group or others; not 0600 ones or other names', async () => {
  await withFixture(async (f) => {
    await sendmailSystem(f);
    const cf = await f.write('/etc/mail/sendmail.cf', 'V10/Berkeley\n');
    await f.write('/var/spool/mqueue/qf8MHJPSu003622', 'V8\n', { mode: 0o600 });
    await f.write('/var/spool/mqueue/df8MHJPSu003622', 'body\n', { mode: 0o600 });
    await f.write('/var/spool/mqueue/README', 'not a queue file\n', { mode: 0o644 });
    let r = await f.findings(['--sendmail', cf]);
    assert.deepEqual(find(r.findings, 'queue-files-exposed'), []);
    await f.write('/var/spool/mqueue/df8MHJPSu003622', 'body\n', { mode: 0o644 });
    r = await f.findings(['--sendmail', cf]);
    const hit = find(r.findings, 'queue-files-exposed');
    assert.deepEqual(hit.map((x) => [x.severity, x.subject]), [['high', '/var/spool/mqueue']]);
    assert.match(hit[0]!.message, /1 queue file is readable by group or others: df8MHJPSu003622 \(0644\)/);
  });
});

test('queue-files-exposed in Postern mode looks at every file of the spool', async () => {
  await withFixture(async (f) => {
    const conf = await posternDefaults(f);
    await f.write('/var/spool/postern/w1.0000000001.seg', 'x', { mode: 0o640, uid: POSTERN_UID });
    const r = await f.findings(['--config', conf]);
    assert.match(find(r.findings, 'queue-files-exposed')[0]!.message, /w1\.0000000001\.seg \(0640\)/);
  });
});

test('a missing queue directory is reported as check-skipped, not passed', async () => {
  await withFixture(async (f) => {
    const conf = await posternDefaults(f, 'QueueDirectory = /var/spool/none\n');
    const r = await f.findings(['--config', conf]);
    const skipped = find(r.findings, 'check-skipped').filter((x) => x.subject === 'queue-dir-*');
    assert.equal(skipped.length, 1);
    assert.match(skipped[0]!.message, /\/var\/spool\/none does not exist/);
  });
});
