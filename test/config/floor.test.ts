// The hardening floor, config-formats.md §6: one test per row of the table.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configCommand } from '../../src/cli/config-cmd.js';
import { loadConfig } from '../../src/config/load.js';
import { formatSource } from '../../src/config/show.js';
import { lines, messages, withTempDir } from './helpers.js';

const MARK = '#####  $Id: proto.m4,v 8.762 2013-11-22 20:51:13 ca Exp $  #####';

test('floor: PrivacyOptions = imported ∪ {goaway, restrictmailq, restrictqrun}', async () => {
  await withTempDir(async (t) => {
    const mc = await t.write('s.mc', lines('divert(0)dnl', "FEATURE(`smrsh')dnl", "FEATURE(`nocanonify')dnl", "define(`confPRIVACY_FLAGS', `authwarnings')dnl"));
    const r = await loadConfig({ path: mc });
    assert.deepEqual(messages(r.diagnostics), [
      `${mc}:4: notice: hardening floor: PrivacyOptions authwarnings -> authwarnings,goaway,restrictmailq,restrictqrun`,
    ]);
    const c = r.config!;
    assert.deepEqual(c.options.PrivacyOptions.words, ['authwarnings', 'goaway', 'restrictmailq', 'restrictqrun']);
    assert.deepEqual(c.floorChanges, [
      {
        option: 'PrivacyOptions',
        imported: 'authwarnings',
        effective: 'authwarnings,goaway,restrictmailq,restrictqrun',
        file: mc,
        line: 4,
      },
    ]);
    assert.equal(formatSource(c.sources.PrivacyOptions), 'floor (imported value authwarnings ignored)');
    assert.deepEqual(
      c.privacyWords.map((w) => [w.word, formatSource(w.source)]),
      [
        ['authwarnings', `${mc}:4`],
        ['goaway', 'floor (imported value authwarnings ignored)'],
        ['restrictmailq', 'floor (imported value authwarnings ignored)'],
        ['restrictqrun', 'floor (imported value authwarnings ignored)'],
      ],
    );
  });
});

test('floor: QueueFileMode and TempFileMode lose group and other bits', async () => {
  await withTempDir(async (t) => {
    const cf = await t.write('s.cf', lines(MARK, 'O QueueFileMode=0660', 'OF0644'));
    const r = await loadConfig({ path: cf });
    assert.deepEqual(messages(r.diagnostics), [
      `${cf}:2: notice: hardening floor: QueueFileMode 0660 -> 0600`,
      `${cf}:3: notice: hardening floor: TempFileMode 0644 -> 0600`,
    ]);
    assert.equal(r.config!.options.QueueFileMode, 0o600);
    assert.equal(r.config!.options.TempFileMode, 0o600);
    assert.equal(formatSource(r.config!.sources.QueueFileMode), 'floor (imported value 0660 ignored)');
  });
});

test('floor: a shell as prog mailer is replaced by the built-in smrsh; other programs stay external', async () => {
  await withTempDir(async (t) => {
    const cf = await t.write('s.cf', lines(MARK, 'Mprog, P=/bin/sh, F=lsDFMoqeu9, S=EnvFromL/HdrFromL, R=EnvToL/HdrToL, D=$z:/,', '\tT=X-Unix/X-Unix/X-Unix, A=sh -c $u'));
    const r = await loadConfig({ path: cf });
    assert.deepEqual(messages(r.diagnostics), [
      `${cf}:2: notice: prog mailer P=/bin/sh replaced by smrsh (HardeningFloor)`,
      `${cf}:2: notice: hardening floor: ProgMailer shell -> smrsh`,
    ]);
    assert.deepEqual(r.config!.options.ProgMailer, { kind: 'smrsh' });
    assert.equal(r.config!.progMailer?.path, '/bin/sh', 'the imported definition stays visible for audit');
    for (const [p, kind] of [
      ['/usr/local/bin/bash', 'smrsh'],
      ['/usr/sbin/smrsh', 'smrsh'],
      ['/usr/bin/procmail', 'external'],
    ] as const) {
      const f = await t.write('p.cf', lines(MARK, `Mprog, P=${p}, A=x -c $u`));
      const r2 = await loadConfig({ path: f });
      assert.equal(r2.config!.options.ProgMailer.kind, kind, p);
    }
  });
});

test('floor: SafeFileEnvironment unset by an imported file becomes /', async () => {
  await withTempDir(async (t) => {
    const cf = await t.write('s.cf', lines(MARK, 'O SafeFileEnvironment='));
    const r = await loadConfig({ path: cf });
    assert.deepEqual(messages(r.diagnostics), [`${cf}:2: notice: hardening floor: SafeFileEnvironment (unset) -> /`]);
    assert.equal(r.config!.options.SafeFileEnvironment, '/');
  });
});

test('floor: FEATURE(promiscuous_relay) is refused with the exact message and exit 78', async () => {
  await withTempDir(async (t) => {
    const mc = await t.write('open.mc', lines('divert(0)dnl', "FEATURE(`promiscuous_relay')dnl"));
    const r = await loadConfig({ path: mc });
    assert.equal(r.config, undefined);
    assert.deepEqual(messages(r.diagnostics, 'error'), [`${mc}:2: promiscuous_relay requires HardeningFloor=False`]);
    const err: string[] = [];
    const code = await configCommand(['check', '--config', mc], { stdout: () => undefined, stderr: (s) => void err.push(s) });
    assert.equal(code, 78);
    assert.ok(err.join('').includes(`${mc}:2: promiscuous_relay requires HardeningFloor=False\n`));
  });
});

test('floor: DontBlameSendmail drops the dangerous flags from imported files and keeps the others', async () => {
  await withTempDir(async (t) => {
    const cf = await t.write('s.cf', lines(MARK, 'O DontBlameSendmail=GroupWritableAliasFile, WorldWritableAliasFile,filedeliverytosymlink'));
    const r = await loadConfig({ path: cf });
    assert.deepEqual(messages(r.diagnostics), [
      `${cf}:2: notice: hardening floor: DontBlameSendmail GroupWritableAliasFile,WorldWritableAliasFile,FileDeliveryToSymLink -> GroupWritableAliasFile`,
    ]);
    assert.deepEqual(r.config!.options.DontBlameSendmail.flags, ['GroupWritableAliasFile']);
  });
});

test('floor: MatchGECOS=True and SuperSafe=False are refused', async () => {
  await withTempDir(async (t) => {
    const cf = await t.write('s.cf', lines(MARK, 'O MatchGECOS=True', 'OsFalse'));
    const r = await loadConfig({ path: cf });
    assert.equal(r.config, undefined);
    assert.deepEqual(messages(r.diagnostics), [
      `${cf}:2: warning: option MatchGECOS is not implemented by Postern; ignored`,
      `${cf}:3: warning: option SuperSafe is not implemented by Postern; ignored`,
      `${cf}:2: MatchGECOS=True is refused while HardeningFloor is on`,
      `${cf}:3: SuperSafe=False is refused while HardeningFloor is on`,
    ]);
    const ok = await t.write('ok.cf', lines(MARK, 'O MatchGECOS=False', 'O SuperSafe=True'));
    assert.notEqual((await loadConfig({ path: ok })).config, undefined);
  });
});

test('floor: RejectNUL, StrictCRLF, StrictPipelining cannot be turned off by imported files, only by postern.conf', async () => {
  await withTempDir(async (t) => {
    const cf = await t.write('s.cf', lines(MARK, 'O RejectNUL=False', 'O StrictCRLF=False', 'O StrictPipelining=False'));
    const r = await loadConfig({ path: cf });
    assert.deepEqual(messages(r.diagnostics), [
      `${cf}:2: notice: hardening floor: RejectNUL False -> True`,
      `${cf}:3: notice: hardening floor: StrictCRLF False -> True`,
      `${cf}:4: notice: hardening floor: StrictPipelining False -> True`,
    ]);
    const o = r.config!.options;
    assert.deepEqual([o.RejectNUL, o.StrictCRLF, o.StrictPipelining], [true, true, true]);
    const conf = await t.write('postern.conf', lines('Import s.cf', 'StrictCRLF = False'));
    const r2 = await loadConfig({ path: conf });
    assert.equal(r2.config!.options.StrictCRLF, false);
    assert.equal(r2.config!.options.RejectNUL, true);
  });
});

test('floor: HardeningFloor=False in postern.conf disables it; an imported HardeningFloor is ignored', async () => {
  await withTempDir(async (t) => {
    await t.write(
      's.cf',
      lines(MARK, 'O HardeningFloor=False', 'O QueueFileMode=0660', 'O PrivacyOptions=authwarnings', 'Mprog, P=/bin/sh, A=sh -c $u'),
    );
    const withFloor = await loadConfig({ path: t.path('s.cf') });
    assert.ok(messages(withFloor.diagnostics).includes(`${t.path('s.cf')}:2: warning: HardeningFloor can only be set in postern.conf or on the command line; ignored`));
    assert.equal(withFloor.config!.options.QueueFileMode, 0o600);

    const conf = await t.write('postern.conf', lines('HardeningFloor = False', 'Import s.cf', 'Feature promiscuous_relay'));
    const r = await loadConfig({ path: conf });
    const c = r.config!;
    assert.ok(c, messages(r.diagnostics).join('\n'));
    assert.equal(c.options.HardeningFloor, false);
    assert.equal(c.options.QueueFileMode, 0o660);
    assert.deepEqual(c.options.PrivacyOptions.words, ['authwarnings']);
    assert.deepEqual(c.options.ProgMailer, { kind: 'shell' });
    assert.deepEqual(c.floorChanges, []);
    assert.ok(messages(r.diagnostics).includes(`${conf}:3: warning: FEATURE(promiscuous_relay) with HardeningFloor=False: this server is an open relay`));
    const cli = await loadConfig({ path: t.path('s.cf'), cliOptions: [{ name: 'HardeningFloor', value: 'False' }] });
    assert.equal(cli.config!.options.QueueFileMode, 0o660, '-O HardeningFloor=False also disables it');
  });
});

test('floor: postern.conf may set anything except ProgMailer=shell while the floor is on', async () => {
  await withTempDir(async (t) => {
    const conf = await t.write('postern.conf', lines('QueueFileMode = 0640', 'PrivacyOptions = public'));
    const r = await loadConfig({ path: conf });
    assert.equal(r.config!.options.QueueFileMode, 0o640);
    assert.equal(r.config!.options.PrivacyOptions.flags.size, 0);
    const conf2 = await t.write('p2.conf', lines('ProgMailer = shell'));
    const r2 = await loadConfig({ path: conf2 });
    assert.deepEqual(messages(r2.diagnostics), [`${conf2}:1: ProgMailer=shell requires HardeningFloor=False`]);
  });
});

test('floor: -O PrivacyOptions additions do not hide an imported value from the floor', async () => {
  await withTempDir(async (t) => {
    const cf = await t.write('s.cf', lines(MARK, 'O PrivacyOptions=public'));
    const r = await loadConfig({ path: cf, cliOptions: [{ name: 'PrivacyOptions', value: 'noetrn' }] });
    const c = r.config!;
    assert.deepEqual(c.options.PrivacyOptions.words, ['noetrn', 'goaway', 'restrictmailq', 'restrictqrun']);
    assert.deepEqual(messages(r.diagnostics), [
      `${cf}:2: notice: hardening floor: PrivacyOptions public -> noetrn,goaway,restrictmailq,restrictqrun`,
    ]);
  });
});
