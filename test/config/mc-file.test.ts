import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/load.js';
import { lines, messages, withTempDir } from './helpers.js';

import { HARDENED_MC } from '../helpers/spec-examples.js';

function withoutSideFiles(ms: string[]): string[] {
  return ms.filter((m) => !/ not found$/.test(m));
}

test('the hardened .mc of §3.3 loads cleanly', async () => {
  await withTempDir(async (t) => {
    const mc = await t.write('sendmail.mc', HARDENED_MC);
    const r = await loadConfig({ path: mc });
    assert.deepEqual(withoutSideFiles(messages(r.diagnostics)), [
      `${mc}: notice: FEATURE(nocanonify) not given: Postern does not canonify host names through DNS in any case`,
    ]);
    const c = r.config!;
    assert.deepEqual(c.options.PrivacyOptions.words, ['goaway', 'restrictmailq', 'restrictqrun']);
    assert.equal(c.options.SmtpGreetingMessage, '$j Sendmail; $b');
    assert.equal(c.options.SafeFileEnvironment, '/var/mail-files');
    assert.equal(c.options.TempFileMode, 0o600);
    assert.equal(c.options.QueueFileMode, 0o600);
    assert.deepEqual(c.options.PostmasterCopy, ['postmaster', 'securitymaster']);
    assert.equal(c.options.TrustedUser, 'mailadm');
    assert.deepEqual(c.options.ProgMailer, { kind: 'smrsh' });
    assert.deepEqual(c.options.ForwardPath, ['$z/.forward.$w+$h', '$z/.forward+$h', '$z/.forward.$w', '$z/.forward']);
    assert.equal(c.options.MaxHeadersLength, 32768);
    assert.deepEqual(c.sources.ForwardPath, { kind: 'file', file: mc, line: 5, layer: 'imported' });
    assert.deepEqual(c.sources.SmtpGreetingMessage, { kind: 'file', file: mc, line: 7, layer: 'imported' });
    assert.deepEqual(
      c.featureList.map((f) => [f.name, f.args, f.line]),
      [
        ['redirect', [], 5],
        ['smrsh', [], 13],
        ['use_cw_file', [], 14],
        ['access_db', [], 15],
        ['blocklist_recipients', [], 16],
        ['relay_hosts_only', [], 17],
        ['dnsbl', ['bl.example.org'], 18],
      ],
    );
    assert.equal(c.progMailer?.path, '/usr/sbin/smrsh', 'ostype linux puts smrsh in /usr/sbin');
    assert.equal(c.localMailer?.path, '/usr/bin/procmail', 'ostype linux selects procmail (recorded)');
    assert.deepEqual(c.accessMap, { path: '/etc/mail/access', optional: false, flags: [], at: { file: mc, line: 15 } });
    assert.deepEqual(
      { v: c.imported?.versionId?.value, os: c.imported?.osType?.value, d: c.imported?.domain?.value },
      { v: 'example hardened mta', os: 'linux', d: 'generic' },
    );
    assert.deepEqual(c.floorChanges, []);
  });
});

test('mc: the macros and features tables, errors and warnings with file:line', async () => {
  await withTempDir(async (t) => {
    const mc = await t.write(
      'bad.mc',
      lines(
        'divert(0)dnl',
        "MAILER(`uucp')dnl",
        "MASQUERADE_AS(`example.com')dnl",
        "INPUT_MAIL_FILTER(`f1', `S=local:/run/f1')dnl",
        "QUEUE_GROUP(`slow', `P=/var/spool/slow')dnl",
        "HACK(`cssubdomain')dnl",
        "MODIFY_MAILER_FLAGS(`LOCAL', `+w')dnl",
        "define(`confNO_SUCH_THING', `1')dnl",
        "FEATURE(`frobnicate')dnl",
        "FEATURE(`rbl')dnl",
        "FEATURE(`virtusertable')dnl",
        "FEATURE(`dnsbl')dnl",
        "DOMAIN(`example')dnl",
        'this is stray text',
        '# a comment line is fine',
        "syscmd(`rm -rf /')dnl",
        "FEATURE(`nopercenthack')dnl",
        "define(`confMAX_HOP', `many')dnl",
      ),
    );
    const r = await loadConfig({ path: mc });
    assert.equal(r.config, undefined);
    const ms = messages(r.diagnostics).filter((m) => !m.includes('nocanonify'));
    const expected = [
      `${mc}:2: MAILER(uucp) is not supported in Postern v1 (only local and smtp)`,
      `${mc}:3: MASQUERADE_AS is not supported in Postern v1`,
      `${mc}:4: mail filters (milters) are not supported: INPUT_MAIL_FILTER(f1)`,
      `${mc}:5: QUEUE_GROUP(slow): only the default queue group is supported in Postern v1`,
      `${mc}:6: HACK(cssubdomain) is not supported`,
      `${mc}:7: warning: MODIFY_MAILER_FLAGS(LOCAL) ignored: Postern's mailers have fixed flags`,
      `${mc}:13: warning: DOMAIN(example): only DOMAIN(generic) is built in; domain/example.m4 not read`,
      `${mc}:8: warning: unknown m4 option confNO_SUCH_THING; ignored`,
      `${mc}:18: MaxHopCount: invalid number "many"`,
      `${mc}:9: unknown FEATURE(frobnicate) (sendmail has no feature/frobnicate.m4)`,
      `${mc}:10: FEATURE(rbl) no longer exists (removed in sendmail 8.10); use FEATURE(dnsbl, <zone>)`,
      `${mc}:11: FEATURE(virtusertable) is not supported in Postern v1`,
      `${mc}:12: missing argument for FEATURE(dnsbl)`,
      `${mc}:17: missing argument for FEATURE(nopercenthack)`,
      `${mc}:14: warning: ignored text in .mc: "this is stray text"`,
    ];
    for (const e of expected) assert.ok(ms.includes(e), `missing: ${e}\nin:\n${ms.join('\n')}`);
    assert.ok(ms.some((m) => m.startsWith(`${mc}:16: `) && m.includes('syscmd')), ms.join('\n'));
    assert.ok(!ms.some((m) => m.includes('a comment line')), 'lines starting with # are cf comments');
  });
});

test('mc: DAEMON_OPTIONS changes the MTA listener, adds more, keeps the MSA unless no_default_msa', async () => {
  await withTempDir(async (t) => {
    const base = [
      'divert(0)dnl',
      "DAEMON_OPTIONS(`Family=inet, Name=MTA-v4, Port=smtp, Addr=127.0.0.1')dnl",
      "DAEMON_OPTIONS(`Family=inet6, Name=MTA-v6, Port=2526, Addr=::1')dnl",
    ];
    const r = await loadConfig({ path: await t.write('a.mc', lines(...base)) });
    assert.deepEqual(
      r.config!.listeners.map((l) => [l.name, l.addr, l.port]),
      [
        ['MTA-v4', '127.0.0.1', 25],
        ['MTA-v6', '::1', 2526],
        ['MSA', '0.0.0.0', 587],
      ],
    );
    const mc2 = await t.write('b.mc', lines(...base, "FEATURE(`no_default_msa')dnl"));
    const r2 = await loadConfig({ path: mc2 });
    assert.deepEqual(r2.config!.listeners.map((l) => l.name), ['MTA-v4', 'MTA-v6']);
    assert.deepEqual(r2.config!.listenersSource, { kind: 'file', file: mc2, line: 3, layer: 'imported' });
    const r3 = await loadConfig({ path: await t.write('c.mc', lines('divert(0)dnl', "FEATURE(`no_default_msa')dnl")) });
    assert.deepEqual(r3.config!.listeners.map((l) => [l.name, l.port]), [['MTA', 25]]);
    const r4 = await loadConfig({ path: await t.write('d.mc', lines('divert(0)dnl', "DAEMON_OPTIONS(`Port=bogus')dnl")) });
    assert.deepEqual(messages(r4.diagnostics, 'error'), [
      `${t.path('d.mc')}:2: DaemonPortOptions: unknown service "bogus" in Port= (use a number, smtp, submission or smtps)`,
    ]);
  });
});

test('mc: classes, macros, LOCAL_CONFIG as cf lines, rulesets ignored with a warning', async () => {
  await withTempDir(async (t) => {
    const mc = await t.write(
      'site.mc',
      lines(
        'divert(-1)',
        "define(`SITE', `example.com')",
        'divert(0)dnl',
        "define(`confDOMAIN_NAME', `mx.SITE')dnl",
        "define(`SMART_HOST', `relay.example.net')dnl",
        "define(`confCF_VERSION', `site-1')dnl",
        "define(`confMAILER_NAME', `Mailer-Daemon')dnl",
        "LOCAL_DOMAIN(`example.com example.org')dnl",
        "RELAY_DOMAIN(`10.1 partner.example')dnl",
        "RELAY_DOMAIN_FILE(`-o /etc/mail/partners')dnl",
        "TRUST_AUTH_MECH(`PLAIN LOGIN')dnl",
        "define(`confTRUSTED_USERS', `majordom')dnl",
        "define(`confRELAY_MSG', `\"550 No relaying here\"')dnl",
        'LOCAL_CONFIG',
        'Cwextra.example.com',
        'O MaxHopCount=17',
        '# a comment',
        'LOCAL_RULESETS',
        'SLocal_check_mail',
        'R$*\t$#error $: 550 no',
        'LOCAL_CONFIG',
        'Kfoo hash /etc/mail/foo',
        "define(`SITE', `example.net')dnl",
      ),
    );
    const r = await loadConfig({ path: mc });
    // No FEATURE(smrsh): the floor's prog mailer notices are tested elsewhere; look at warnings here.
    const ms = messages(r.diagnostics, 'warning');
    assert.deepEqual(ms, [
      `${mc}:18: warning: rulesets are not supported: the text after LOCAL_RULESETS is ignored`,
      `${mc}:22: warning: map foo is not used by Postern; ignored`,
    ]);
    const c = r.config!;
    assert.deepEqual(c.macros['j'], { value: 'mx.example.net', at: { file: mc, line: 4 } }, 'final m4 state');
    assert.equal(c.macros['S']?.value, 'relay.example.net');
    assert.equal(c.macros['n']?.value, 'Mailer-Daemon');
    assert.equal(c.imported?.cfVersion?.value, 'site-1');
    assert.deepEqual(c.classes['w']!.map((e) => e.word), ['example.com', 'example.org', 'extra.example.com']);
    assert.deepEqual(c.classes['w']![2]!.at, { file: mc, line: 15 });
    assert.deepEqual(c.classes['R']!.map((e) => e.word), ['10.1', 'partner.example']);
    assert.deepEqual(c.classes['TrustAuthMech']!.map((e) => e.word), ['PLAIN', 'LOGIN']);
    assert.deepEqual(c.classes['t']!.map((e) => e.word), ['root', 'daemon', 'uucp', 'majordom']);
    assert.ok(c.classFiles.some((f) => f.cls === 'R' && f.path === '/etc/mail/partners' && f.optional));
    assert.equal(c.options.MaxHopCount, 17);
    assert.deepEqual(c.sources.MaxHopCount, { kind: 'file', file: mc, line: 16, layer: 'imported' });
    assert.equal(c.texts.relayMsg, '550 No relaying here');
  });
});

test('mc: -D defines, undefine back to the default, include relative to the .mc, missing include warns', async () => {
  await withTempDir(async (t) => {
    await t.write('inc/site.m4', lines("define(`confMAX_HOP', `33')dnl"));
    const mc = await t.write(
      'x.mc',
      lines(
        'divert(0)dnl',
        "include(`inc/site.m4')dnl",
        "include(`/nonexistent/dialup.m4')dnl",
        "ifdef(`BIG', `define(`confMAX_MESSAGE_SIZE', `50000000')')dnl",
        "define(`confMAX_RCPTS_PER_MESSAGE', `5')dnl",
        "undefine(`confMAX_RCPTS_PER_MESSAGE')dnl",
      ),
    );
    const r = await loadConfig({ path: mc, defines: { BIG: '1' } });
    const ms = messages(r.diagnostics).filter((m) => !m.includes('notice'));
    assert.equal(ms.length, 1, ms.join('\n'));
    assert.ok(ms[0]!.startsWith(`${mc}:3: warning: `) && ms[0]!.includes('/nonexistent/dialup.m4'), ms[0]);
    const c = r.config!;
    assert.equal(c.options.MaxHopCount, 33);
    assert.deepEqual(c.sources.MaxHopCount, { kind: 'file', file: t.path('inc/site.m4'), line: 1, layer: 'imported' });
    assert.equal(c.options.MaxMessageSize, 50_000_000);
    assert.equal(c.options.MaxRecipientsPerMessage, 1000);
    assert.deepEqual(c.sources.MaxRecipientsPerMessage, { kind: 'default' });
    assert.deepEqual(c.files, [mc, t.path('inc/site.m4')]);
    const without = await loadConfig({ path: mc });
    assert.equal(without.config!.options.MaxMessageSize, 26214400);
  });
});

test('mc: a Debian-style sendmail.mc', async () => {
  await withTempDir(async (t) => {
    const mc = await t.write(
      'sendmail.mc',
      lines(
        'divert(-1)dnl',
        '#-----------------------------------------------------------------------------',
        '# $Sendmail: debproto.mc,v 8.15.2 2020-03-08 00:39:49 cowboy Exp $',
        '#',
        '# Copyright (c) 1998-2010 Richard Nelson.  All Rights Reserved.',
        '#',
        '# This file is used to configure Sendmail for use with Debian systems.',
        '#-----------------------------------------------------------------------------',
        'divert(0)dnl',
        "include(`/usr/share/sendmail/cf/m4/cf.m4')dnl",
        "VERSIONID(`$Id: sendmail.mc, v 8.15.2-18 2020-03-08 00:39:49 cowboy Exp $')",
        "OSTYPE(`debian')dnl",
        "DOMAIN(`debian-mta')dnl",
        "undefine(`confHOST_STATUS_DIRECTORY')dnl        #DAEMON_HOSTSTATS=",
        "FEATURE(`no_default_msa')dnl",
        "DAEMON_OPTIONS(`Family=inet,  Name=MTA-v4, Port=smtp, Addr=127.0.0.1')dnl",
        "DAEMON_OPTIONS(`Family=inet,  Name=MSP-v4, Port=submission, M=Ea, Addr=127.0.0.1')dnl",
        "define(`confPRIVACY_FLAGS',dnl",
        "`needmailhelo,needexpnhelo,needvrfyhelo,restrictqrun,restrictexpand,nobodyreturn,authwarnings')dnl",
        "define(`confCONNECTION_RATE_THROTTLE', `15')dnl",
        "define(`confCONNECTION_RATE_WINDOW_SIZE',`10m')dnl",
        "FEATURE(`conncontrol', `nodelay', `terminate')dnl",
        "FEATURE(`ratecontrol', `nodelay', `terminate')dnl",
        "include(`/etc/mail/m4/dialup.m4')dnl",
        "include(`/etc/mail/m4/provider.m4')dnl",
        'FEATURE(`access_db\', , `skip\')dnl'.replace(/\\'/g, "'"),
        "FEATURE(`greet_pause', `1000')dnl",
        "FEATURE(`delay_checks', `friend', `n')dnl",
        'MAILER_DEFINITIONS',
        "MAILER(`local')dnl",
        "MAILER(`smtp')dnl",
      ),
    );
    const r = await loadConfig({ path: mc });
    const c = r.config!;
    assert.ok(c, messages(r.diagnostics).join('\n'));
    const warnings = messages(r.diagnostics, 'warning').filter((w) => !w.includes('access map'));
    assert.deepEqual(
      warnings.map((w) => w.replace(/^[^:]*:(\d+): .*$/, '$1')),
      ['13', '24', '25'],
      warnings.join('\n'),
    );
    assert.deepEqual(c.listeners.map((l) => [l.name, l.port, l.modifierLetters]), [
      ['MTA-v4', 25, ''],
      ['MSP-v4', 587, 'Ea'],
    ]);
    assert.equal(c.options.ConnectionRateThrottle, 15);
    assert.equal(c.options.ConnectionRateWindowSize, 600_000);
    assert.deepEqual(c.features['conncontrol']![0]!.args, ['nodelay', 'terminate']);
    assert.deepEqual(c.features['access_db']![0]!.args, ['', 'skip']);
    assert.deepEqual(c.accessMap?.flags, ['skip']);
    // The floor adds Postern's three flags to Debian's; the prog mailer shell becomes smrsh.
    assert.deepEqual([...c.options.PrivacyOptions.words], [
      'needmailhelo',
      'needexpnhelo',
      'needvrfyhelo',
      'restrictqrun',
      'restrictexpand',
      'nobodyreturn',
      'authwarnings',
      'goaway',
      'restrictmailq',
    ]);
    assert.deepEqual(
      c.floorChanges.map((f) => [f.option, f.line]),
      [
        ['PrivacyOptions', 18],
        ['ProgMailer', 30],
      ],
    );
    assert.equal(c.imported?.osType?.value, 'debian');
    assert.ok(
      r.diagnostics.some((d) => d.severity === 'notice' && d.line === 10 && /cf\.m4/.test(d.message)),
      'the include of cf.m4 is skipped with a notice',
    );
  });
});

test('mc: a section ends when the diversion changes, as with m4', async () => {
  await withTempDir(async (t) => {
    const mc = await t.write(
      'c.mc',
      lines(
        'divert(-1)',
        '# The section below adds names to class w.',
        'divert(0)dnl',
        "FEATURE(`nocanonify')dnl",
        "FEATURE(`smrsh')dnl",
        'stray words',
        'LOCAL_CONFIG',
        'Cwbelow.example',
        'divert(0)',
        'more stray words',
      ),
    );
    const r = await loadConfig({ path: mc });
    assert.deepEqual(messages(r.diagnostics), [
      `${mc}:6: warning: ignored text in .mc: "stray words"`,
      `${mc}:10: warning: ignored text in .mc: "more stray words"`,
    ]);
    assert.deepEqual(r.config!.classes['w']!.map((e) => e.word), ['below.example']);
    // cf/README's trap: a section macro named in a comment starts the section there.
    const trap = await t.write('trap.mc', lines('divert(-1)', '# LOCAL_CONFIG is used below', 'divert(0)dnl'));
    const r2 = await loadConfig({ path: trap });
    assert.deepEqual(messages(r2.diagnostics, 'error'), [
      `${trap}:2: continuation line with no line to continue: "is used below"`,
    ]);
  });
});
