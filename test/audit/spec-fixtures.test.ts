// The fixtures of audit-and-probe.md §2.4, each under its own --root.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  find,
  goodAliases,
  HARDENED_MC,
  ids,
  posternDefaults,
  sendmailSystem,
  STOCK_MC,
  withFixture,
  type JsonFinding,
} from './fixture.js';

const ABOVE_LOW = ['critical', 'high', 'medium'];

function aboveLow(fs: readonly JsonFinding[]): string[] {
  return fs.filter((f) => ABOVE_LOW.includes(f.severity)).map((f) => `${f.severity} ${f.id} ${f.subject}: ${f.message}`);
}

test('Postern defaults with postmaster and root aliased: nothing above low, exit 0', async () => {
  await withFixture(async (f) => {
    const conf = await posternDefaults(f);
    const r = await f.findings(['--config', conf]);
    assert.deepEqual(aboveLow(r.findings), []);
    assert.equal(r.code, 0);
    // The facts an administrator still gets about the defaults.
    assert.ok(ids(r.findings).includes('privacy-goaway-keeps-dsn'));
    assert.ok(ids(r.findings).includes('privacy-restrictexpand'));
  });
});

test('a stock sendmail.mc with --sendmail: shell prog mailer, no SafeFileEnvironment, EXPN/VRFY, mailq and qrun open; exit 3', async () => {
  await withFixture(async (f) => {
    await sendmailSystem(f);
    const mc = await f.write('/etc/mail/sendmail.mc', STOCK_MC);
    const r = await f.findings(['--sendmail', mc]);
    const sev = (id: string): string[] => find(r.findings, id).map((x) => x.severity);
    assert.deepEqual(sev('prog-mailer-shell'), ['critical']);
    assert.deepEqual(sev('safe-file-env-unset'), ['high']);
    assert.deepEqual(sev('privacy-expn'), ['high']);
    assert.deepEqual(sev('privacy-vrfy'), ['medium']);
    assert.deepEqual(sev('privacy-restrictmailq'), ['medium']);
    assert.deepEqual(sev('privacy-restrictqrun'), ['medium']);
    assert.equal(find(r.findings, 'prog-mailer-shell')[0]!.subject, '/etc/mail/sendmail.mc:5');
    assert.equal(r.code, 3);
  });
});

test('the hardened .mc of config-formats.md §3.3: no prog-mailer finding, privacy only dsn/restrictexpand/noetrn', async () => {
  await withFixture(async (f) => {
    await sendmailSystem(f);
    const mc = await f.write('/etc/mail/sendmail.mc', HARDENED_MC);
    const r = await f.findings(['--sendmail', mc]);
    assert.deepEqual(ids(r.findings).filter((i) => i.startsWith('prog-mailer-')), []);
    const privacy = r.findings.filter((x) => x.id.startsWith('privacy-')).map((x) => `${x.id} ${x.severity}`);
    assert.deepEqual(privacy.sort(), ['privacy-goaway-keeps-dsn info', 'privacy-noetrn info', 'privacy-restrictexpand low']);
  });
});

test('aliases with decode: "|/usr/bin/uudecode" give CRITICAL alias-decode-program with file:line; exit 3', async () => {
  await withFixture(async (f) => {
    const conf = await posternDefaults(f);
    await goodAliases(f, 'postmaster: root\nroot: admin\n# trap\ndecode: "|/usr/bin/uudecode"\n');
    const r = await f.audit(['--config', conf]);
    assert.match(r.stdout, /^CRITICAL alias-decode-program \/etc\/mail\/aliases:4: .* \(fix: delete the decode alias, run newaliases\)$/m);
    assert.equal(r.code, 3);
  });
});

test('smrsh directory with sh -> /bin/sh: CRITICAL smrsh-interpreter naming the entry', async () => {
  await withFixture(async (f) => {
    const conf = await posternDefaults(f);
    await f.link('/bin/sh', '/etc/mail/smrsh/sh');
    const r = await f.audit(['--config', conf]);
    assert.match(r.stdout, /^CRITICAL smrsh-interpreter \/etc\/mail\/smrsh\/sh: /m);
  });
});

test('smrsh directory with procmail: MEDIUM smrsh-procmail with the reason', async () => {
  await withFixture(async (f) => {
    const conf = await posternDefaults(f);
    await f.write('/usr/bin/procmail', '#!/bin/true\n', { mode: 0o755 });
    await f.link('/usr/bin/procmail', '/etc/mail/smrsh/procmail');
    const r = await f.audit(['--config', conf]);
    assert.match(r.stdout, /^MEDIUM smrsh-procmail \/etc\/mail\/smrsh\/procmail: .*\.procmailrc can run any program/m);
  });
});

test('queue directory 0750 with restrictmailq: MEDIUM queue-dir-readable', async () => {
  await withFixture(async (f) => {
    const conf = await posternDefaults(f);
    await f.dir('/var/spool/postern', { mode: 0o750, uid: 998 });
    const r = await f.audit(['--config', conf]);
    assert.match(r.stdout, /^MEDIUM queue-dir-readable \/var\/spool\/postern: /m);
  });
});

test('queue directory 0770: HIGH queue-dir-writable', async () => {
  await withFixture(async (f) => {
    const conf = await posternDefaults(f);
    await f.dir('/var/spool/postern', { mode: 0o770, uid: 998 });
    const r = await f.audit(['--config', conf]);
    assert.match(r.stdout, /^HIGH queue-dir-writable \/var\/spool\/postern: /m);
  });
});

test('QueueFileMode=0644 in an imported cf (Postern mode): floor-applied, no queue-file-mode', async () => {
  await withFixture(async (f) => {
    await f.write('/etc/mail/sendmail.cf', 'V10/Berkeley\nO QueueFileMode=0644\n');
    const conf = await posternDefaults(f, 'Import /etc/mail/sendmail.cf\n');
    const r = await f.findings(['--config', conf]);
    const floor = find(r.findings, 'floor-applied').filter((x) => x.subject === 'QueueFileMode');
    assert.equal(floor.length, 1);
    assert.equal(floor[0]!.severity, 'info');
    assert.equal(floor[0]!.message, 'QueueFileMode: imported 0644 raised to 0600');
    assert.deepEqual({ file: floor[0]!.file, line: floor[0]!.line }, { file: '/etc/mail/sendmail.cf', line: 2 });
    assert.deepEqual(find(r.findings, 'queue-file-mode'), []);
  });
});

test('QueueFileMode=0644 with --sendmail: MEDIUM queue-file-mode', async () => {
  await withFixture(async (f) => {
    await sendmailSystem(f);
    const cf = await f.write('/etc/mail/sendmail.cf', 'V10/Berkeley\nO QueueFileMode=0644\n');
    const r = await f.audit(['--sendmail', cf]);
    assert.match(r.stdout, /^MEDIUM queue-file-mode QueueFileMode: QueueFileMode=0644 /m);
  });
});

test('FEATURE(promiscuous_relay) with --sendmail: CRITICAL relay-promiscuous, exit 3', async () => {
  await withFixture(async (f) => {
    await sendmailSystem(f);
    const mc = await f.write('/etc/mail/sendmail.mc', HARDENED_MC.replace("MAILER(`local')", "FEATURE(`promiscuous_relay')dnl\nMAILER(`local')"));
    const r = await f.audit(['--sendmail', mc]);
    assert.match(r.stdout, /^CRITICAL relay-promiscuous \/etc\/mail\/sendmail\.mc:19: /m);
    assert.equal(r.code, 3);
  });
});

test('relay-domains containing com: HIGH relay-class-broad with file:line', async () => {
  await withFixture(async (f) => {
    const conf = await posternDefaults(f);
    await f.write('/etc/mail/relay-domains', '# relay for\nexample.net\ncom\n');
    const r = await f.audit(['--config', conf]);
    assert.match(r.stdout, /^HIGH relay-class-broad \/etc\/mail\/relay-domains:3: /m);
  });
});

test('access line "spammer.example REJECT": MEDIUM access-untagged', async () => {
  await withFixture(async (f) => {
    const conf = await posternDefaults(f);
    await f.write('/etc/mail/access', 'Connect:127.0.0.1 RELAY\nspammer.example REJECT\n');
    const r = await f.audit(['--config', conf]);
    assert.match(r.stdout, /^MEDIUM access-untagged \/etc\/mail\/access:2: /m);
  });
});

test('access line "From:x.example 550 go away": LOW access-numeric-rhs', async () => {
  await withFixture(async (f) => {
    const conf = await posternDefaults(f);
    await f.write('/etc/mail/access', 'From:x.example 550 go away\n');
    const r = await f.audit(['--config', conf]);
    assert.match(r.stdout, /^LOW access-numeric-rhs \/etc\/mail\/access:1: /m);
  });
});

test('/etc/shells containing /usr/sbin/nologin: HIGH shells-nologin-listed', async () => {
  await withFixture(async (f) => {
    const conf = await posternDefaults(f);
    await f.write('/etc/shells', '/bin/sh\n/bin/bash\n/usr/sbin/nologin\n');
    const r = await f.audit(['--config', conf]);
    assert.match(r.stdout, /^HIGH shells-nologin-listed \/etc\/shells:3: /m);
  });
});

test('FEATURE(rbl) in an .mc: MEDIUM feature-rbl-removed and the audit completes', async () => {
  await withFixture(async (f) => {
    const mc = await f.write('/etc/mail/sendmail.mc', HARDENED_MC.replace("MAILER(`local')", "FEATURE(`rbl')dnl\nMAILER(`local')"));
    const conf = await posternDefaults(f, `Import ${mc}\n`);
    const r = await f.audit(['--config', conf]);
    assert.match(r.stdout, /^MEDIUM feature-rbl-removed \/etc\/mail\/sendmail\.mc:19: /m);
    assert.match(r.stdout, /^audit: \d+ critical, \d+ high, \d+ medium, \d+ low, \d+ info$/m);
    assert.notEqual(r.code, 78);
  });
});
