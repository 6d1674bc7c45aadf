import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/load.js';
import { formatSource } from '../../src/config/show.js';
import { lines, messages, withTempDir } from './helpers.js';

const MARK = '#####  $Id: proto.m4,v 8.762 2013-11-22 20:51:13 ca Exp $  #####';

test('no configuration file: embedded defaults, typed values', async () => {
  const r = await loadConfig({});
  assert.deepEqual(r.diagnostics, []);
  const c = r.config!;
  assert.equal(c.embedded, true);
  assert.deepEqual(c.listeners.map((l) => [l.name, l.addr, l.port]), [['MTA', '127.0.0.1', 2525]]);
  // The values are typed: numbers in ms / bytes / mode bits, strings, sets.
  const size: number = c.options.MaxMessageSize;
  const cmd: number = c.options['Timeout.command'];
  const mode: number = c.options.QueueFileMode;
  const sfe: string | undefined = c.options.SafeFileEnvironment;
  const queue: string = c.options.QueueDirectory;
  assert.deepEqual([size, cmd, mode, sfe, queue], [26214400, 300_000, 0o600, '/', './spool']);
  assert.equal(c.options['Timeout.queuereturn'], 5 * 86_400_000);
  assert.equal(c.options.SmtpGreetingMessage, '$j Postern; $b');
  assert.deepEqual(c.options.PrivacyOptions.words, ['goaway', 'restrictmailq', 'restrictqrun']);
  assert.equal(c.options.DefaultUser, 'nobody');
  assert.equal(c.options.MaxDaemonChildren, 100);
  assert.equal(c.options.RejectNUL, true);
  assert.deepEqual(c.options.AuthMechanisms, ['PLAIN', 'LOGIN']);
  assert.equal(c.options.DnsServers, undefined);
  assert.deepEqual(c.featureList.map((f) => [f.name, f.layer]), [
    ['use_cw_file', 'default'],
    ['access_db', 'default'],
  ]);
  assert.deepEqual(c.accessMap, { path: '/etc/mail/access', optional: true, flags: [] });
  assert.deepEqual(c.classes['t']!.map((e) => e.word), ['root', 'daemon', 'uucp']);
  assert.deepEqual(c.precedence, { 'first-class': 0, 'special-delivery': 100, list: -30, bulk: -60, junk: -100 });
  assert.equal(c.texts.relayMsg, '550 Relaying denied');
});

test('layering: defaults < imported file < postern.conf < -O', async () => {
  await withTempDir(async (t) => {
    await t.write('sendmail.cf', lines(MARK, 'O MaxHopCount=20', 'O MaxMessageSize=100', 'O LogLevel=12', 'O DaemonPortOptions=Name=MTA, Port=25', 'O DaemonPortOptions=Name=MSA, Port=587, M=E'));
    const conf = await t.write('postern.conf', lines('Import sendmail.cf', 'MaxHopCount = 30', 'LogLevel = 13', 'DaemonPortOptions = Name=Local, Addr=127.0.0.1, Port=2525'));
    const r = await loadConfig({ path: conf, cliOptions: [{ name: 'MaxHopCount', value: '40' }, { name: 'L', value: '14' }] });
    assert.deepEqual(messages(r.diagnostics), []);
    const c = r.config!;
    assert.equal(c.options.MaxHopCount, 40);
    assert.equal(formatSource(c.sources.MaxHopCount), 'command line');
    assert.equal(c.options.LogLevel, 14, 'one-letter name on the command line');
    assert.equal(c.options.MaxMessageSize, 100);
    assert.equal(formatSource(c.sources.MaxMessageSize), `${t.path('sendmail.cf')}:3`);
    assert.deepEqual(c.listeners.map((l) => l.name), ['Local'], 'a layer that names listeners names all of them');
    assert.deepEqual(c.files, [t.path('sendmail.cf'), conf]);
    assert.equal(c.imported?.kind, 'cf');
  });
});

test('-O PrivacyOptions only adds flags; public has no effect', async () => {
  const r = await loadConfig({ cliOptions: [{ name: 'PrivacyOptions', value: 'public' }] });
  assert.deepEqual(r.config!.options.PrivacyOptions.words, ['goaway', 'restrictmailq', 'restrictqrun']);
  const r2 = await loadConfig({ cliOptions: [{ name: 'privacyoptions', value: 'noetrn,noreceipts' }] });
  const c = r2.config!;
  assert.ok(c.options.PrivacyOptions.flags.has('noetrn') && c.options.PrivacyOptions.flags.has('noreceipts'));
  assert.ok(c.options.PrivacyOptions.flags.has('noexpn'));
  assert.deepEqual(
    c.privacyWords.map((w) => [w.word, formatSource(w.source)]),
    [
      ['goaway', 'default'],
      ['restrictmailq', 'default'],
      ['restrictqrun', 'default'],
      ['noetrn', 'command line'],
      ['noreceipts', 'command line'],
    ],
  );
});

test('-O errors name the flag', async () => {
  const r = await loadConfig({ cliOptions: [{ name: 'Nope', value: '1' }, { name: 'MaxHopCount', value: 'x' }, { name: '@', value: '1' }] });
  assert.equal(r.config, undefined);
  assert.deepEqual(messages(r.diagnostics), [
    'command line -O Nope=1: unknown option Nope',
    'command line -O MaxHopCount=x: MaxHopCount: invalid number "x"',
    'command line -o@1: unknown option letter @',
  ]);
});

test('embedded may be requested with a file; a file without listeners otherwise gets sendmail defaults', async () => {
  await withTempDir(async (t) => {
    const conf = await t.write('postern.conf', lines('MaxHopCount = 30'));
    const a = await loadConfig({ path: conf });
    assert.deepEqual(a.config!.listeners.map((l) => [l.name, l.port]), [['MTA', 25], ['MSA', 587]]);
    assert.equal(a.config!.options.QueueDirectory, '/var/spool/postern');
    const b = await loadConfig({ path: conf, embedded: true });
    assert.deepEqual(b.config!.listeners.map((l) => [l.name, l.addr, l.port]), [['MTA', '127.0.0.1', 2525]]);
    assert.equal(b.config!.options.QueueDirectory, './spool');
  });
});

test('missing side files are warnings only', async () => {
  await withTempDir(async (t) => {
    await t.write('access.db', 'binary');
    await t.write('present', 'example.com\n');
    const conf = await t.write(
      'postern.conf',
      lines(
        `AliasFile = ${t.path('aliases')}, hash:${t.path('aliases2')}`,
        `HelpFile = ${t.path('helpfile')}`,
        `Feature access_db, hash -T<TMPF> ${t.path('access')}`,
        `ClassFile w ${t.path('local-host-names')}`,
        `ClassFile R -o ${t.path('relay-domains')}`,
        `ClassFile w ${t.path('present')}`,
      ),
    );
    const r = await loadConfig({ path: conf });
    assert.notEqual(r.config, undefined);
    assert.deepEqual(messages(r.diagnostics), [
      `${conf}:1: warning: alias file ${t.path('aliases')} not found`,
      `${conf}:1: warning: alias file ${t.path('aliases2')} not found`,
      `${conf}:2: warning: help file ${t.path('helpfile')} not found (the built-in text is used)`,
      `${conf}:3: warning: access database ${t.path('access')}.db: only the text source can be read; keep ${t.path('access')}`,
      `${conf}:4: warning: class w file ${t.path('local-host-names')} not found`,
    ]);
  });
});

test('refused values: DeliveryMode=deferred, nis: alias maps, QueueDirectory empty', async () => {
  await withTempDir(async (t) => {
    const conf = await t.write('postern.conf', lines('DeliveryMode = d', 'AliasFile = nis:mail.aliases', 'QueueDirectory ='));
    const r = await loadConfig({ path: conf });
    assert.deepEqual(messages(r.diagnostics), [
      `${conf}:1: DeliveryMode=deferred is refused: it would skip the DNS-based relay and sender checks`,
      `${conf}:2: AliasFile: nis: alias maps are not supported`,
      `${conf}:3: QueueDirectory: empty value`,
    ]);
  });
});

test('-D is only for .mc files', async () => {
  const r = await loadConfig({ defines: { X: '1' } });
  assert.deepEqual(messages(r.diagnostics), ['warning: -D defines are only used when a sendmail.mc is read; ignored']);
});

test('the sendmail profile: sendmail 8.17 defaults (m4 defaults for an .mc), no floor', async () => {
  await withTempDir(async (t) => {
    const mc = await t.write('s.mc', lines('divert(0)dnl', "MAILER(`local')dnl", "define(`confQUEUE_FILE_MODE', `0660')dnl"));
    const r = await loadConfig({ path: mc, profile: 'sendmail' });
    const c = r.config!;
    assert.ok(c, messages(r.diagnostics).join('\n'));
    assert.equal(c.options.SmtpGreetingMessage, '$j Sendmail $v/$Z; $b');
    assert.deepEqual(c.options.PrivacyOptions.words, ['authwarnings']);
    assert.equal(c.options.SafeFileEnvironment, undefined);
    assert.deepEqual(c.options.ProgMailer, { kind: 'shell' });
    assert.equal(c.options.QueueFileMode, 0o660);
    assert.equal(c.options.MaxMessageSize, 0);
    assert.equal(c.options.QueueDirectory, '/var/spool/mqueue');
    assert.deepEqual(c.floorChanges, []);
    assert.deepEqual(c.featureList, []);
    assert.equal(c.accessMap, undefined);
    const plain = await loadConfig({ profile: 'sendmail', embedded: false });
    assert.equal(plain.config!.options.SmtpGreetingMessage, '$j Sendmail $v ready at $b');
    assert.equal(plain.config!.options.PrivacyOptions.flags.size, 0);
  });
});

test('macros from the configuration: $j, $n, $Z, smart host', async () => {
  const { configuredHostName, configVersion, mailerName, smartHost } = await import('../../src/config/macros.js');
  const plain = (await loadConfig({})).config!;
  assert.equal(configuredHostName(plain), undefined);
  assert.equal(mailerName(plain), 'MAILER-DAEMON');
  assert.equal(configVersion(plain, '0.1.0'), '0.1.0');
  assert.equal(smartHost(plain), undefined);
  await withTempDir(async (t) => {
    const mc = await t.write(
      's.mc',
      lines('divert(0)dnl', "define(`confDOMAIN_NAME', `mx.example.com')dnl", "define(`confCF_VERSION', `site-2')dnl", "define(`SMART_HOST', `[10.0.0.1]')dnl"),
    );
    const c = (await loadConfig({ path: mc })).config!;
    assert.equal(configuredHostName(c), 'mx.example.com');
    assert.equal(configVersion(c, '0.1.0'), '0.1.0/site-2');
    assert.equal(smartHost(c), '[10.0.0.1]');
    const cf = await t.write('s.cf', lines(MARK, 'DZ8.17.1.9', 'Dnpostmaster-daemon', 'Djmx.example.org'));
    const d = (await loadConfig({ path: cf })).config!;
    assert.equal(configVersion(d, '0.1.0'), '8.17.1.9');
    assert.equal(mailerName(d), 'postmaster-daemon');
    assert.equal(configuredHostName(d), 'mx.example.org');
  });
});

test('queue return now, -odd on the command line, safe options', async () => {
  const { isSafeOption } = await import('../../src/config/options.js');
  const r = await loadConfig({ cliOptions: [{ name: 'Timeout.queuereturn', value: 'now' }, { name: 'd', value: 'd' }] });
  assert.deepEqual(messages(r.diagnostics), []);
  assert.equal(r.config!.options['Timeout.queuereturn'], 0);
  assert.equal(r.config!.options['Timeout.queuereturn.urgent'], 0);
  assert.equal(r.config!.options.DeliveryMode, 'queue');
  assert.equal(isSafeOption('PrivacyOptions'), true);
  assert.equal(isSafeOption('AllowBogusHELO'), true);
  assert.equal(isSafeOption('QueueDirectory'), false);
  assert.equal(isSafeOption('SafeFileEnvironment'), false);
});

test('QueueDirectory with * must match exactly one directory', async () => {
  await withTempDir(async (t) => {
    await t.write('q/qd1/.keep', '');
    const conf = await t.write('postern.conf', lines(`QueueDirectory = ${t.path('q/qd*')}`));
    const one = await loadConfig({ path: conf });
    assert.equal(one.config!.options.QueueDirectory, t.path('q/qd1'));
    await t.write('q/qd2/.keep', '');
    const two = await loadConfig({ path: conf });
    assert.deepEqual(messages(two.diagnostics), [
      `${conf}:1: QueueDirectory ${t.path('q/qd*')} names 2 queue directories; Postern v1 supports one queue`,
    ]);
  });
});
