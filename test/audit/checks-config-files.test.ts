// Configuration files: each check with a fixture that triggers it and one that does not.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_UID, find, HARDENED_MC, posternDefaults, sendmailSystem, withFixture } from './fixture.js';
import { GENERATED_CF } from '../helpers/spec-examples.js';



test('config-file-unsafe: postern.conf group-writable, owned by a user, an imported cf in a writable directory', async () => {
  await withFixture(async (f) => {
    const conf = await posternDefaults(f);
    let r = await f.findings(['--config', conf]);
    assert.deepEqual(find(r.findings, 'config-file-unsafe'), []);
    await f.write(conf, '# defaults\n', { mode: 0o664 });
    r = await f.findings(['--config', conf]);
    assert.deepEqual(find(r.findings, 'config-file-unsafe').map((x) => [x.severity, x.subject]), [['high', '/etc/postern/postern.conf']]);
    await f.write(conf, '# defaults\n', { uid: ADMIN_UID });
    r = await f.findings(['--config', conf]);
    assert.match(find(r.findings, 'config-file-unsafe')[0]!.message, /owned by uid 1000 \(admin\)/);
    // TrustedUser may own it.
    await f.write(conf, 'TrustedUser = admin\n', { uid: ADMIN_UID });
    r = await f.findings(['--config', conf]);
    assert.deepEqual(find(r.findings, 'config-file-unsafe'), []);
    await f.dir('/srv/cf', { mode: 0o777 });
    const cf = await f.write('/srv/cf/sendmail.cf', GENERATED_CF);
    await f.write(conf, `Import ${cf}\n`, { uid: 0 });
    r = await f.findings(['--config', conf]);
    assert.deepEqual(find(r.findings, 'config-file-unsafe').map((x) => x.subject), ['/srv/cf/sendmail.cf']);
  });
});

test('config-file-unsafe covers side files: relay-domains, the access map and its .db, /etc/shells', async () => {
  await withFixture(async (f) => {
    const conf = await posternDefaults(f);
    await f.write('/etc/mail/relay-domains', 'example.net\n', { mode: 0o666 });
    await f.write('/etc/mail/access', 'Connect:127.0.0.1 RELAY\n', { uid: ADMIN_UID });
    await f.write('/etc/mail/access.db', 'compiled', { mode: 0o646 });
    await f.write('/etc/shells', '/bin/sh\n', { mode: 0o664 });
    const r = await f.findings(['--config', conf]);
    assert.deepEqual(
      find(r.findings, 'config-file-unsafe').map((x) => x.subject).sort(),
      ['/etc/mail/access', '/etc/mail/access.db', '/etc/mail/relay-domains', '/etc/shells'],
    );
  });
});

test('config-not-immutable: one finding listing the files without +i; none when all carry it', async () => {
  await withFixture(async (f) => {
    const conf = await posternDefaults(f);
    let r = await f.findings(['--config', conf]);
    const files = ['/etc/postern/postern.conf', '/etc/shells', '/etc/mail/aliases'];
    const skipped = find(r.findings, 'check-skipped').filter((x) => x.subject === 'config-not-immutable');
    if (skipped.length > 0) {
      // A file system without inode flags: the audit must say so instead of passing or failing.
      assert.deepEqual(find(r.findings, 'config-not-immutable'), []);
      return;
    }
    const hit = find(r.findings, 'config-not-immutable');
    assert.equal(hit.length, 1);
    assert.equal(hit[0]!.severity, 'info');
    assert.equal(hit[0]!.message.split(' lack ')[0], files.join(', '));
    assert.match(hit[0]!.message, /alias database and the access \.db must stay writable/);
    const settable = [];
    for (const p of files) settable.push(await f.makeImmutable(p));
    r = await f.findings(['--config', conf]);
    if (settable.every((s) => s)) assert.deepEqual(find(r.findings, 'config-not-immutable'), []);
    else assert.ok(find(r.findings, 'config-not-immutable').length + find(r.findings, 'check-skipped').length > 0);
  });
});

test('cf-no-feature-markers: a cf without VERSIONID lines; not the generated one', async () => {
  await withFixture(async (f) => {
    await sendmailSystem(f);
    let cf = await f.write('/etc/mail/sendmail.cf', 'V10/Berkeley\nO PrivacyOptions=goaway\n');
    let r = await f.findings(['--sendmail', cf]);
    assert.deepEqual(find(r.findings, 'cf-no-feature-markers').map((x) => [x.severity, x.subject]), [['medium', '/etc/mail/sendmail.cf']]);
    cf = await f.write('/etc/mail/sendmail.cf', GENERATED_CF);
    r = await f.findings(['--sendmail', cf]);
    assert.deepEqual(find(r.findings, 'cf-no-feature-markers'), []);
  });
});

test('cf-hand-edited: the cf differs from the .mc next to it; not when they agree; not without an .mc', async () => {
  await withFixture(async (f) => {
    await sendmailSystem(f);
    // DOMAIN(generic) of the .mc puts this line into the generated cf as well.
    const generated = GENERATED_CF.replace('O QueueFileMode', 'O ForwardPath=$z/.forward.$w+$h:$z/.forward+$h:$z/.forward.$w:$z/.forward\nO QueueFileMode');
    const cf = await f.write('/etc/mail/sendmail.cf', generated);
    let r = await f.findings(['--sendmail', cf]);
    assert.deepEqual(find(r.findings, 'cf-hand-edited'), []);
    await f.write('/etc/mail/sendmail.mc', HARDENED_MC);
    r = await f.findings(['--sendmail', cf]);
    assert.deepEqual(find(r.findings, 'cf-hand-edited'), []);
    // The seed's hand edit: a different Mprog, and a privacy flag added in the cf only.
    await f.write(
      '/etc/mail/sendmail.cf',
      generated.replace('P=/usr/sbin/smrsh', 'P=/bin/sh').replace('O PrivacyOptions=goaway,restrictmailq,restrictqrun', 'O PrivacyOptions=goaway'),
    );
    r = await f.findings(['--sendmail', cf]);
    const hit = find(r.findings, 'cf-hand-edited');
    assert.deepEqual(hit.map((x) => [x.severity, x.subject]), [['info', '/etc/mail/sendmail.cf']]);
    assert.match(hit[0]!.message, /Mprog \(cf P=\/bin\/sh A=smrsh -c \$u, mc P=\/usr\/sbin\/smrsh A=smrsh -c \$u\); PrivacyOptions \(cf goaway, mc goaway,restrictmailq,restrictqrun\)/);
  });
});

test('hardening-floor-off: HardeningFloor=False in postern.conf', async () => {
  await withFixture(async (f) => {
    let conf = await posternDefaults(f, 'HardeningFloor = False\n');
    let r = await f.findings(['--config', conf]);
    assert.deepEqual(find(r.findings, 'hardening-floor-off').map((x) => [x.severity, x.subject, x.line]), [['high', 'HardeningFloor', 1]]);
    conf = await f.write(conf, 'HardeningFloor = True\n');
    r = await f.findings(['--config', conf]);
    assert.deepEqual(find(r.findings, 'hardening-floor-off'), []);
  });
});
