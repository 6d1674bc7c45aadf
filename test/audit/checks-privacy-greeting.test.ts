// PrivacyOptions and the greeting: each check with a fixture that triggers it and one that does not.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { find, posternDefaults, sendmailSystem, withFixture, type Fixture, type JsonFinding } from './fixture.js';

async function withConf(f: Fixture, conf: string): Promise<JsonFinding[]> {
  const path = await posternDefaults(f, conf);
  return (await f.findings(['--config', path])).findings;
}

function privacyIds(fs: readonly JsonFinding[]): string[] {
  return fs.filter((x) => x.id.startsWith('privacy-')).map((x) => `${x.id} ${x.severity}`).sort();
}

const ALL_PRIVACY = [
  'privacy-authwarnings low',
  'privacy-expn high',
  'privacy-needmailhelo low',
  'privacy-noetrn info',
  'privacy-restrictexpand low',
  'privacy-restrictmailq medium',
  'privacy-restrictqrun medium',
  'privacy-verb low',
  'privacy-vrfy medium',
];

test('PrivacyOptions=public (native file, so no floor) triggers every privacy check except goaway-keeps-dsn', async () => {
  await withFixture(async (f) => {
    const fs = await withConf(f, 'PrivacyOptions = public\n');
    assert.deepEqual(privacyIds(fs), ALL_PRIVACY);
    const expn = find(fs, 'privacy-expn')[0]!;
    assert.equal(expn.subject, 'PrivacyOptions');
    assert.deepEqual({ file: expn.file, line: expn.line }, { file: '/etc/postern/postern.conf', line: 1 });
    assert.deepEqual(expn.fixes, {
      mc: "define(`confPRIVACY_FLAGS', ``goaway,restrictmailq,restrictqrun'')dnl",
      cf: 'O PrivacyOptions=goaway,restrictmailq,restrictqrun',
      conf: 'PrivacyOptions = goaway,restrictmailq,restrictqrun',
    });
  });
});

test('every privacy flag set: no privacy finding at all', async () => {
  await withFixture(async (f) => {
    const fs = await withConf(f, 'PrivacyOptions = goaway,restrictmailq,restrictqrun,restrictexpand,noetrn,noreceipts\n');
    assert.deepEqual(privacyIds(fs), []);
  });
});

test('each flag clears its own check (evaluated on the expanded set)', async () => {
  const cases: Array<[string, string]> = [
    ['noexpn', 'privacy-expn'],
    ['novrfy', 'privacy-vrfy'],
    ['needmailhelo', 'privacy-needmailhelo'],
    ['authwarnings', 'privacy-authwarnings'],
    ['restrictmailq', 'privacy-restrictmailq'],
    ['restrictqrun', 'privacy-restrictqrun'],
    ['restrictexpand', 'privacy-restrictexpand'],
    ['noetrn', 'privacy-noetrn'],
  ];
  await withFixture(async (f) => {
    for (const [flag, id] of cases) {
      const fs = await withConf(f, `PrivacyOptions = ${flag}\n`);
      const present = privacyIds(fs).map((x) => x.split(' ')[0]);
      assert.ok(!present.includes(id), `${flag} should clear ${id}`);
      assert.equal(present.length, ALL_PRIVACY.length - (flag === 'noexpn' ? 2 : 1), `${flag}: ${present.join(',')}`);
    }
    // noverb alone clears privacy-verb; so does noexpn (above).
    assert.ok(!privacyIds(await withConf(f, 'PrivacyOptions = noverb\n')).some((x) => x.startsWith('privacy-verb')));
  });
});

test('privacy-goaway-keeps-dsn: goaway without noreceipts; the message says why', async () => {
  await withFixture(async (f) => {
    let fs = await withConf(f, 'PrivacyOptions = goaway\n');
    const hit = find(fs, 'privacy-goaway-keeps-dsn');
    assert.equal(hit.length, 1);
    assert.match(hit[0]!.message, /since sendmail 8\.10 it does not/);
    assert.equal(hit[0]!.fixes!.conf, 'PrivacyOptions = goaway,restrictmailq,restrictqrun,noreceipts');
    fs = await withConf(f, 'PrivacyOptions = goaway,noreceipts\n');
    assert.deepEqual(find(fs, 'privacy-goaway-keeps-dsn'), []);
    fs = await withConf(f, 'PrivacyOptions = noexpn\n');
    assert.deepEqual(find(fs, 'privacy-goaway-keeps-dsn'), []);
  });
});

test('an imported PrivacyOptions=authwarnings is floored in Postern mode, judged as is with --sendmail', async () => {
  await withFixture(async (f) => {
    const cf = await f.write('/etc/mail/sendmail.cf', 'V10/Berkeley\nO PrivacyOptions=authwarnings\n');
    const fs = await withConf(f, `Import ${cf}\n`);
    assert.deepEqual(find(fs, 'privacy-expn'), []);
    assert.equal(find(fs, 'floor-applied').find((x) => x.subject === 'PrivacyOptions')!.message, 'PrivacyOptions: imported authwarnings raised to authwarnings,goaway,restrictmailq,restrictqrun');
    await sendmailSystem(f);
    const r = await f.findings(['--sendmail', cf]);
    assert.equal(find(r.findings, 'privacy-expn').length, 1);
  });
});

test('greeting-discloses-version: $v, $Z or a version number; not the Postern default', async () => {
  await withFixture(async (f) => {
    for (const g of ['$j Sendmail $v ready at $b', '$j ESMTP $Z', '$j ESMTP MTA 8.17.1; $b']) {
      const fs = await withConf(f, `SmtpGreetingMessage = ${g}\n`);
      assert.deepEqual(find(fs, 'greeting-discloses-version').map((x) => [x.severity, x.subject]), [['info', 'SmtpGreetingMessage']], g);
    }
    const fs = await withConf(f, '# default greeting\n');
    assert.deepEqual(find(fs, 'greeting-discloses-version'), []);
  });
});

test('greeting-missing-fqdn: a greeting that does not start with $j', async () => {
  await withFixture(async (f) => {
    let fs = await withConf(f, 'SmtpGreetingMessage = Welcome to $j\n');
    assert.deepEqual(find(fs, 'greeting-missing-fqdn').map((x) => x.severity), ['medium']);
    fs = await withConf(f, 'SmtpGreetingMessage = $j ESMTP\n');
    assert.deepEqual(find(fs, 'greeting-missing-fqdn'), []);
  });
});

test('help-discloses-version: the smtp topic of the help file shows $v', async () => {
  await withFixture(async (f) => {
    await sendmailSystem(f);
    const cf = await f.write('/etc/mail/sendmail.cf', 'V10/Berkeley\nO HelpFile=/etc/mail/helpfile\n');
    await f.write('/etc/mail/helpfile', 'cpyr\tCopyright\nsmtp\tThis is sendmail version $v\nsmtp\tTopics:\n');
    let r = await f.findings(['--sendmail', cf]);
    assert.deepEqual(find(r.findings, 'help-discloses-version').map((x) => [x.severity, x.subject]), [['info', '/etc/mail/helpfile:2']]);
    await f.write('/etc/mail/helpfile', 'smtp\tThis is sendmail\nsmtp\tTopics:\n');
    r = await f.findings(['--sendmail', cf]);
    assert.deepEqual(find(r.findings, 'help-discloses-version'), []);
  });
});
