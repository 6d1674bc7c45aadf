// Files, users, shells, .forward files and the SMTP engine: each check with a fixture that triggers it
// and one that does not.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_UID, find, HARDENED_MC, PASSWD, posternDefaults, sendmailSystem, STOCK_MC, withFixture, type Fixture, type JsonFinding } from './fixture.js';

async function withConf(f: Fixture, conf: string): Promise<JsonFinding[]> {
  const path = await posternDefaults(f, conf);
  return (await f.findings(['--config', path])).findings;
}

test('safe-file-env-unset: a sendmail configuration without it; not the hardened one, not Postern', async () => {
  await withFixture(async (f) => {
    await sendmailSystem(f);
    let mc = await f.write('/etc/mail/sendmail.mc', STOCK_MC);
    let r = await f.findings(['--sendmail', mc]);
    const hit = find(r.findings, 'safe-file-env-unset');
    assert.deepEqual(hit.map((x) => [x.severity, x.subject]), [['high', 'SafeFileEnvironment']]);
    assert.deepEqual(hit[0]!.fixes, { mc: "define(`confSAFE_FILE_ENV', `/')dnl", cf: 'O SafeFileEnvironment=/', conf: 'SafeFileEnvironment = /' });
    mc = await f.write('/etc/mail/sendmail.mc', HARDENED_MC);
    r = await f.findings(['--sendmail', mc]);
    assert.deepEqual(find(r.findings, 'safe-file-env-unset'), []);
    assert.deepEqual(find(await withConf(f, '# defaults\n'), 'safe-file-env-unset'), []);
  });
});

test('default-user-root: root, 0:0 or a name with uid 0; not nobody', async () => {
  await withFixture(async (f) => {
    for (const v of ['root', '0:0', 'toor']) {
      await posternDefaults(f, `DefaultUser = ${v}\n`);
      await f.write('/etc/passwd', `${PASSWD}toor:x:0:0::/root:/bin/sh\n`);
      const r = await f.findings(['--config', '/etc/postern/postern.conf']);
      assert.deepEqual(find(r.findings, 'default-user-root').map((x) => [x.severity, x.subject]), [['critical', 'DefaultUser']], v);
    }
    assert.deepEqual(find(await withConf(f, 'DefaultUser = nobody\n'), 'default-user-root'), []);
  });
});

test('trusted-user-login: TrustedUser with a login shell; not with nologin', async () => {
  await withFixture(async (f) => {
    assert.deepEqual(find(await withConf(f, 'TrustedUser = admin\n'), 'trusted-user-login').map((x) => x.severity), ['low']);
    assert.deepEqual(find(await withConf(f, 'TrustedUser = mailadm\n'), 'trusted-user-login'), []);
    const unknown = find(await withConf(f, 'TrustedUser = ghost\n'), 'check-skipped').filter((x) => x.subject === 'trusted-user-login');
    assert.match(unknown[0]!.message, /ghost is not in \/etc\/passwd/);
  });
});

test('postmaster-copy-unset: unset; not when PostmasterCopy is set', async () => {
  await withFixture(async (f) => {
    assert.deepEqual(find(await withConf(f, '# defaults\n'), 'postmaster-copy-unset').map((x) => x.severity), ['low']);
    assert.deepEqual(find(await withConf(f, 'PostmasterCopy = postmaster, security\n'), 'postmaster-copy-unset'), []);
  });
});

test('shells-nologin-listed and shells-any-shell; real shells pass', async () => {
  await withFixture(async (f) => {
    const conf = await posternDefaults(f);
    await f.write('/etc/shells', '/bin/sh\n/bin/false\n/usr/bin/tmux\n/SENDMAIL/ANY/SHELL/\n/usr/bin/zsh\n');
    let r = await f.findings(['--config', conf]);
    assert.deepEqual(find(r.findings, 'shells-nologin-listed').map((x) => x.subject), ['/etc/shells:2', '/etc/shells:3']);
    assert.deepEqual(find(r.findings, 'shells-any-shell').map((x) => [x.severity, x.subject]), [['high', '/etc/shells:4']]);
    await f.write('/etc/shells', '/bin/sh\n/bin/bash\n/usr/bin/zsh\n');
    r = await f.findings(['--config', conf]);
    assert.deepEqual([...find(r.findings, 'shells-nologin-listed'), ...find(r.findings, 'shells-any-shell')], []);
  });
});

test('dont-blame-sendmail: one finding per flag, high for ...Safe / WorldWritable... / FileDeliveryTo...', async () => {
  await withFixture(async (f) => {
    const fs = await withConf(f, 'DontBlameSendmail = GroupWritableAliasFile, ForwardFileInUnsafeDirPathSafe, WorldWritableForwardfile, FileDeliveryToSymLink\n');
    assert.deepEqual(
      find(fs, 'dont-blame-sendmail').map((x) => [x.subject, x.severity]),
      [
        ['DontBlameSendmail=FileDeliveryToSymLink', 'high'],
        ['DontBlameSendmail=ForwardFileInUnsafeDirPathSafe', 'high'],
        ['DontBlameSendmail=WorldWritableForwardfile', 'high'],
        ['DontBlameSendmail=GroupWritableAliasFile', 'medium'],
      ],
    );
    assert.deepEqual(find(await withConf(f, 'DontBlameSendmail = Safe\n'), 'dont-blame-sendmail'), []);
  });
});

test('unsafe-group-writes-off', async () => {
  await withFixture(async (f) => {
    assert.deepEqual(find(await withConf(f, 'UnsafeGroupWrites = False\n'), 'unsafe-group-writes-off').map((x) => x.severity), ['medium']);
    assert.deepEqual(find(await withConf(f, 'UnsafeGroupWrites = True\n'), 'unsafe-group-writes-off'), []);
  });
});

test('--forward: forward-unsafe for an unsafe .forward or home, alias-program-interpreter for its programs', async () => {
  await withFixture(async (f) => {
    const conf = await posternDefaults(f);
    await f.dir('/home/admin', { mode: 0o755, uid: ADMIN_UID });
    await f.write('/home/admin/.forward', '\\admin, "|/usr/bin/vacation admin"\n', { uid: ADMIN_UID });
    let r = await f.findings(['--config', conf, '--forward']);
    assert.deepEqual([...find(r.findings, 'forward-unsafe'), ...find(r.findings, 'alias-program-interpreter')], []);
    assert.deepEqual(find(r.findings, 'alias-program').map((x) => x.subject), ['/home/admin/.forward:1']);
    // Without --forward the file is not read.
    r = await f.findings(['--config', conf]);
    assert.deepEqual(find(r.findings, 'alias-program'), []);
    await f.write('/home/admin/.forward', '# forward\n"|/usr/bin/python3 /home/admin/bot.py"\n', { uid: ADMIN_UID, mode: 0o664 });
    await f.dir('/home/admin', { mode: 0o775, uid: ADMIN_UID });
    r = await f.findings(['--config', conf, '--forward']);
    const unsafe = find(r.findings, 'forward-unsafe');
    assert.deepEqual(unsafe.map((x) => [x.severity, x.subject]), [['medium', '/home/admin/.forward']]);
    assert.match(unsafe[0]!.message, /directory \/home\/admin is writable by its group \(mode 0775\); \/home\/admin\/\.forward is writable by its group \(mode 0664\)/);
    assert.deepEqual(find(r.findings, 'alias-program-interpreter').map((x) => x.subject), ['/home/admin/.forward:2']);
  });
});

test('strict-crlf-off and strict-pipelining-off (Postern only)', async () => {
  await withFixture(async (f) => {
    let fs = await withConf(f, 'StrictCRLF = False\nStrictPipelining = False\n');
    assert.deepEqual(find(fs, 'strict-crlf-off').map((x) => [x.severity, x.line]), [['high', 1]]);
    assert.deepEqual(find(fs, 'strict-pipelining-off').map((x) => [x.severity, x.line]), [['medium', 2]]);
    fs = await withConf(f, '# defaults\n');
    assert.deepEqual([...find(fs, 'strict-crlf-off'), ...find(fs, 'strict-pipelining-off')], []);
  });
});

test('reject-nul-off: Postern with RejectNUL=False, and sendmail by default', async () => {
  await withFixture(async (f) => {
    assert.deepEqual(find(await withConf(f, 'RejectNUL = False\n'), 'reject-nul-off').map((x) => x.severity), ['low']);
    assert.deepEqual(find(await withConf(f, '# defaults\n'), 'reject-nul-off'), []);
    await sendmailSystem(f);
    const mc = await f.write('/etc/mail/sendmail.mc', HARDENED_MC);
    assert.equal(find((await f.findings(['--sendmail', mc])).findings, 'reject-nul-off').length, 1);
  });
});

test('limits-unbounded: one finding per unlimited option', async () => {
  await withFixture(async (f) => {
    const fs = await withConf(f, 'MaxMessageSize = 0\nMaxDaemonChildren = 0\n');
    assert.deepEqual(find(fs, 'limits-unbounded').map((x) => x.subject), ['MaxDaemonChildren', 'MaxMessageSize']);
    assert.equal(find(fs, 'limits-unbounded')[1]!.fixes!.conf, 'MaxMessageSize = 26214400');
    assert.deepEqual(find(await withConf(f, '# defaults\n'), 'limits-unbounded'), []);
  });
});

test('auth-cleartext: PLAIN/LOGIN offered without AuthOptions p', async () => {
  await withFixture(async (f) => {
    const fs = await withConf(f, 'AuthOptions = A\n');
    const hit = find(fs, 'auth-cleartext');
    assert.deepEqual(hit.map((x) => [x.severity, x.subject]), [['high', 'AuthOptions']]);
    assert.equal(hit[0]!.fixes!.conf, 'AuthOptions = A,p');
    assert.deepEqual(find(await withConf(f, '# defaults\n'), 'auth-cleartext'), []);
    assert.deepEqual(find(await withConf(f, 'AuthOptions = A\nAuthMechanisms = CRAM-MD5\n'), 'auth-cleartext'), []);
  });
});

test('sendmail-smuggling-fix: always with --sendmail, naming srv_features that switch the fix off; never for Postern', async () => {
  await withFixture(async (f) => {
    assert.deepEqual(find(await withConf(f, '# defaults\n'), 'sendmail-smuggling-fix'), []);
    await sendmailSystem(f);
    const mc = await f.write('/etc/mail/sendmail.mc', HARDENED_MC);
    let r = await f.findings(['--sendmail', mc]);
    const hit = find(r.findings, 'sendmail-smuggling-fix');
    assert.deepEqual(hit.map((x) => [x.severity, x.subject]), [['info', '/etc/mail/sendmail.mc']]);
    assert.match(hit[0]!.message, /CVE-2023-51765/);
    assert.match(hit[0]!.message, /none is set here/);
    await f.write('/etc/mail/access', 'Srv_Features:192.0.2 U\n');
    r = await f.findings(['--sendmail', mc]);
    assert.match(find(r.findings, 'sendmail-smuggling-fix')[0]!.message, /access Srv_Features:192\.0\.2 U \(line 1\) sets srv_features U, G, O or F/);
    const cf = await f.write('/etc/mail/sendmail.cf', 'V10/Berkeley\nSsrv_features\nR$*\t$# O\n');
    r = await f.findings(['--sendmail', cf]);
    assert.match(find(r.findings, 'sendmail-smuggling-fix')[0]!.message, /srv_features rule "R\$\*\t\$# O"/);
  });
});
