// The same settings written as postern.conf, as sendmail.mc and as sendmail.cf give the same
// effective options, each with its source at the right file:line.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/load.js';
import type { EffectiveConfig } from '../../src/config/effective.js';
import { lines, messages, withTempDir, type TempDir } from './helpers.js';

async function three(t: TempDir): Promise<{ conf: string; mc: string; cf: string }> {
  const aliases = await t.write('aliases', 'postmaster: root\n');
  const conf = await t.write(
    'postern.conf',
    lines(
      `AliasFile = ${aliases}`,
      'PrivacyOptions = goaway,noreceipts,restrictmailq,restrictqrun',
      'MaxMessageSize = 1000000',
      'Timeout.command = 10m',
      'SafeFileEnvironment = /srv/files',
      'SmtpGreetingMessage = $j ready',
      'QueueDirectory = /var/spool/q',
      'QueueFileMode = 0600',
      'MaxHopCount = 30',
      'AliasWait = 5',
      'EightBitMode = strict',
      'DaemonPortOptions = Name=MTA, Addr=127.0.0.1, Port=2526',
      'ProgMailer = smrsh',
      'Feature no_default_msa',
    ),
  );
  const mc = await t.write(
    'sendmail.mc',
    lines(
      'divert(0)dnl',
      `define(\`ALIAS_FILE', \`${aliases}')dnl`,
      "define(`confPRIVACY_FLAGS', ``goaway,noreceipts,restrictmailq,restrictqrun'')dnl",
      "define(`confMAX_MESSAGE_SIZE', `1000000')dnl",
      "define(`confTO_COMMAND', `10m')dnl",
      "define(`confSAFE_FILE_ENV', `/srv/files')dnl",
      "define(`confSMTP_LOGIN_MSG', `$j ready')dnl",
      "define(`QUEUE_DIR', `/var/spool/q')dnl",
      "define(`confQUEUE_FILE_MODE', `0600')dnl",
      "define(`confMAX_HOP', `30')dnl",
      "define(`confALIAS_WAIT', `5')dnl",
      "define(`confEIGHT_BIT_HANDLING', `strict')dnl",
      "DAEMON_OPTIONS(`Name=MTA, Addr=127.0.0.1, Port=2526')dnl",
      "FEATURE(`smrsh')dnl",
      "FEATURE(`no_default_msa')dnl",
      "FEATURE(`nocanonify')dnl",
      "MAILER(`local')dnl",
      "MAILER(`smtp')dnl",
    ),
  );
  const cf = await t.write(
    'sendmail.cf',
    lines(
      '#####  $Id: smrsh.m4,v 8.15 2013-11-22 20:51:11 ca Exp $  #####',
      '#####  $Id: no_default_msa.m4,v 8.3 2013-11-22 20:51:11 ca Exp $  #####',
      'V10/Berkeley',
      `O AliasFile=${aliases}`,
      'O PrivacyOptions=goaway,noreceipts,restrictmailq,restrictqrun',
      'O MaxMessageSize=1000000',
      'O Timeout.command=10m',
      'O SafeFileEnvironment=/srv/files',
      'O SmtpGreetingMessage=$j ready',
      'O QueueDirectory=/var/spool/q',
      'O QueueFileMode=0600',
      'O MaxHopCount=30',
      'O AliasWait=5',
      'O EightBitMode=strict',
      'O DaemonPortOptions=Name=MTA, Addr=127.0.0.1, Port=2526',
      'Mprog, P=/usr/libexec/smrsh, F=lsDFMoqeu9, S=EnvFromL/HdrFromL, R=EnvToL/HdrToL, D=$z:/, T=X-Unix/X-Unix/X-Unix, A=smrsh -c $u',
    ),
  );
  return { conf, mc, cf };
}

async function load(path: string): Promise<EffectiveConfig> {
  const r = await loadConfig({ path });
  assert.deepEqual(messages(r.diagnostics), [], path);
  return r.config!;
}

test('postern.conf, sendmail.mc and sendmail.cf with the same settings give the same options', async () => {
  await withTempDir(async (t) => {
    const { conf, mc, cf } = await three(t);
    const [a, b, c] = [await load(conf), await load(mc), await load(cf)];
    assert.deepEqual(b.options, a.options);
    assert.deepEqual(c.options, a.options);
    assert.equal(a.options.MaxMessageSize, 1_000_000);
    assert.equal(a.options['Timeout.command'], 600_000);
    assert.equal(a.options.AliasWait, 300_000);
    assert.deepEqual(a.listeners.map((l) => [l.name, l.addr, l.port]), [['MTA', '127.0.0.1', 2526]]);
  });
});

test('the sources point at the right file:line in each format', async () => {
  await withTempDir(async (t) => {
    const { conf, mc, cf } = await three(t);
    const [a, b, c] = [await load(conf), await load(mc), await load(cf)];
    const expect = (cfg: EffectiveConfig, file: string, layer: 'native' | 'imported', lineOf: Record<string, number>): void => {
      for (const [name, line] of Object.entries(lineOf)) {
        assert.deepEqual(cfg.sources[name as keyof typeof cfg.sources], { kind: 'file', file, line, layer }, `${file} ${name}`);
      }
    };
    expect(a, conf, 'native', { AliasFile: 1, PrivacyOptions: 2, MaxMessageSize: 3, 'Timeout.command': 4, EightBitMode: 11, DaemonPortOptions: 12, ProgMailer: 13 });
    expect(b, mc, 'imported', { AliasFile: 2, PrivacyOptions: 3, MaxMessageSize: 4, 'Timeout.command': 5, EightBitMode: 12, DaemonPortOptions: 13, ProgMailer: 14 });
    expect(c, cf, 'imported', { AliasFile: 4, PrivacyOptions: 5, MaxMessageSize: 6, 'Timeout.command': 7, EightBitMode: 14, DaemonPortOptions: 15, ProgMailer: 16 });
    assert.deepEqual(a.sources.MaxRecipientsPerMessage, { kind: 'default' });
    assert.deepEqual(c.sources.MaxRecipientsPerMessage, { kind: 'default' });
  });
});
