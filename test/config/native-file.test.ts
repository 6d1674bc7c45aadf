import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/load.js';
import { lines, messages, withTempDir } from './helpers.js';

test('postern.conf: the embedded example of config-formats.md §2', async () => {
  await withTempDir(async (t) => {
    await t.write('etc/aliases', 'postmaster: root\n');
    const conf = await t.write(
      'postern.conf',
      lines(
        '# postern.conf',
        'DaemonPortOptions = Name=MTA, Addr=127.0.0.1, Port=2525',
        'QueueDirectory = ./spool',
        `AliasFile = ${t.path('etc/aliases')}`,
        'SmrshDirectory = ./etc/smrsh',
        'SafeFileEnvironment = ./files',
        'SmtpPenaltyBase = 0',
      ),
    );
    const r = await loadConfig({ path: conf });
    assert.deepEqual(messages(r.diagnostics), []);
    const c = r.config!;
    assert.deepEqual(c.listeners.map((l) => [l.name, l.addr, l.port]), [['MTA', '127.0.0.1', 2525]]);
    assert.equal(c.options.QueueDirectory, './spool');
    assert.deepEqual(c.options.AliasFile, [t.path('etc/aliases')]);
    assert.equal(c.options.SmtpPenaltyBase, 0);
    assert.equal(c.options.SafeFileEnvironment, './files');
    assert.deepEqual(c.sources.QueueDirectory, { kind: 'file', file: conf, line: 3, layer: 'native' });
    assert.deepEqual(c.sources.MaxMessageSize, { kind: 'default' });
    assert.deepEqual(c.files, [conf]);
  });
});

test('postern.conf: comments, quoted values, case-insensitive names', async () => {
  await withTempDir(async (t) => {
    const conf = await t.write(
      'postern.conf',
      lines(
        'smtpgreetingmessage = "  $j #1 mail  "   # trailing comment',
        'MAXMESSAGESIZE=1000 # bytes',
        '   ',
        'PrivacyOptions = goaway, noreceipts,restrictmailq,restrictqrun',
        'HeloName = "say \\"hi\\""',
      ),
    );
    const r = await loadConfig({ path: conf });
    assert.deepEqual(messages(r.diagnostics), []);
    const o = r.config!.options;
    assert.equal(o.SmtpGreetingMessage, '  $j #1 mail  ');
    assert.equal(o.MaxMessageSize, 1000);
    assert.ok(o.PrivacyOptions.flags.has('noreceipts'));
    assert.equal(o.HeloName, 'say "hi"');
  });
});

test('postern.conf: Feature, Class, ClassFile', async () => {
  await withTempDir(async (t) => {
    const conf = await t.write(
      'postern.conf',
      lines(
        'Feature dnsbl, bl.example.org',
        'Feature dnsbl, bl2.example.org, , t',
        'Feature use_ct_file',
        'Class w example.com mx.example.com',
        'Class {TrustAuthMech} PLAIN',
        `ClassFile R -o ${t.path('relay-domains')}`,
      ),
    );
    const r = await loadConfig({ path: conf });
    // FEATURE(use_ct_file) names the (mandatory) trusted-users file; missing side files only warn.
    assert.deepEqual(messages(r.diagnostics), [`${conf}:3: warning: class t file /etc/mail/trusted-users not found`]);
    const c = r.config!;
    assert.deepEqual(
      c.features['dnsbl']!.map((f) => [f.args, f.line]),
      [
        [['bl.example.org'], 1],
        [['bl2.example.org', '', 't'], 2],
      ],
    );
    assert.deepEqual(c.classes['w']!.map((e) => e.word), ['example.com', 'mx.example.com']);
    assert.deepEqual(c.classes['TrustAuthMech']!.map((e) => e.word), ['PLAIN']);
    assert.deepEqual(
      c.classFiles.map((f) => [f.cls, f.path, f.optional]),
      [
        ['w', '/etc/mail/local-host-names', true],
        ['t', '/etc/mail/trusted-users', false],
        ['R', t.path('relay-domains'), true],
      ],
    );
  });
});

test('postern.conf: unknown option and statement are errors with file:line; repeated option warns and the later wins', async () => {
  await withTempDir(async (t) => {
    const conf = await t.write(
      'postern.conf',
      lines('MaxHopCount = 30', 'NoSuchOption = 1', 'MaxHopCount = 40', 'Frobnicate everything', 'MaxMessageSize = 25M'),
    );
    const r = await loadConfig({ path: conf });
    assert.equal(r.config, undefined);
    assert.deepEqual(messages(r.diagnostics), [
      `${conf}:2: unknown option NoSuchOption`,
      `${conf}:3: warning: option MaxHopCount set more than once (first set at ${conf}:1); the later value wins`,
      `${conf}:4: unknown statement "Frobnicate" (expected Name = value, Import, Feature, Class, ClassFile or Macro)`,
      `${conf}:5: MaxMessageSize: invalid size "25M" (a number of bytes)`,
    ]);
  });
  await withTempDir(async (t) => {
    const conf = await t.write('postern.conf', lines('MaxHopCount = 30', 'MaxHopCount = 40'));
    const r = await loadConfig({ path: conf });
    assert.equal(r.config!.options.MaxHopCount, 40);
    assert.deepEqual(r.config!.sources.MaxHopCount, { kind: 'file', file: conf, line: 2, layer: 'native' });
  });
});

test('postern.conf: Import must name a .mc or .cf, only once, and must exist', async () => {
  await withTempDir(async (t) => {
    const conf = await t.write('postern.conf', lines('Import sendmail.txt'));
    const r = await loadConfig({ path: conf });
    assert.deepEqual(messages(r.diagnostics), [
      `${conf}:1: Import ${t.path('sendmail.txt')}: the file name must end in .mc or .cf`,
    ]);
    await t.write('a.cf', lines('V10/Berkeley'));
    const conf2 = await t.write('p2.conf', lines('Import a.cf', 'Import b.mc'));
    const r2 = await loadConfig({ path: conf2 });
    assert.deepEqual(messages(r2.diagnostics, 'error'), [
      `${conf2}:2: only one sendmail configuration may be imported (already imported at ${conf2}:1)`,
    ]);
    const conf3 = await t.write('p3.conf', lines('', 'Import missing.cf'));
    const r3 = await loadConfig({ path: conf3 });
    assert.deepEqual(messages(r3.diagnostics), [
      `${conf3}:2: cannot read configuration file ${t.path('missing.cf')}: no such file`,
    ]);
  });
});

test('a configuration file that does not exist is an error naming it', async () => {
  await withTempDir(async (t) => {
    const r = await loadConfig({ path: t.path('nope.conf') });
    assert.equal(r.config, undefined);
    assert.deepEqual(messages(r.diagnostics), [`${t.path('nope.conf')}: cannot read configuration file ${t.path('nope.conf')}: no such file`]);
  });
});

test('postern.conf: each DaemonPortOptions line adds a listener', async () => {
  await withTempDir(async (t) => {
    const conf = await t.write(
      'postern.conf',
      lines('DaemonPortOptions = Name=MTA, Addr=127.0.0.1, Port=2525', 'DaemonPortOptions = Name=MSA, Addr=127.0.0.1, Port=2587, M=Ea'),
    );
    const r = await loadConfig({ path: conf });
    assert.deepEqual(messages(r.diagnostics), []);
    assert.deepEqual(
      r.config!.listeners.map((l) => [l.name, l.port, l.modifiers.requireAuth]),
      [
        ['MTA', 2525, false],
        ['MSA', 2587, true],
      ],
    );
    assert.deepEqual(r.config!.listenersSource, { kind: 'file', file: conf, line: 2, layer: 'native' });
  });
});

test('postern.conf: a stray carriage return never crashes the reader', async () => {
  await withTempDir(async (t) => {
    const conf = await t.write('postern.conf', 'MMprogx\t(@FH\'S\rdivert\nMaxHopCount = 3\r\n');
    const r = await loadConfig({ path: conf });
    assert.deepEqual(messages(r.diagnostics).map((m) => m.split(': ')[0]), [`${conf}:1`]);
  });
});

test('postern.conf: Macro sets a macro like a cf D line ($j), with errors at file:line', async () => {
  await withTempDir(async (t) => {
    const conf = await t.write('postern.conf', lines('Macro j mx.example.com', 'Macro {daemon_x} "two words"'));
    const r = await loadConfig({ path: conf });
    assert.equal(r.config!.macros.j?.value, 'mx.example.com');
    assert.deepEqual(r.config!.macros.j?.at, { file: conf, line: 1 });
    assert.equal(r.config!.macros.daemon_x?.value, 'two words');
  });
  await withTempDir(async (t) => {
    const conf = await t.write('postern.conf', lines('Macro'));
    const r = await loadConfig({ path: conf });
    assert.deepEqual(messages(r.diagnostics), [`${conf}:1: Macro: expected a macro name (one letter or {name}) and a value`]);
  });
});
