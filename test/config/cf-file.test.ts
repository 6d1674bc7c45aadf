import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/load.js';
import { lines, messages, withTempDir } from './helpers.js';

import { GENERATED_CF } from '../helpers/spec-examples.js';

/** Missing /etc/mail side files are expected on a test machine: they are warnings only. */
function withoutSideFiles(ms: string[]): string[] {
  return ms.filter((m) => !/ not found$/.test(m));
}

test('the generated cf lines of §4.2 load cleanly', async () => {
  await withTempDir(async (t) => {
    const cf = await t.write('sendmail.cf', GENERATED_CF);
    const r = await loadConfig({ path: cf });
    assert.deepEqual(withoutSideFiles(messages(r.diagnostics)), []);
    const c = r.config!;
    assert.equal(c.options.QueueDirectory, '/var/spool/mqueue');
    assert.equal(c.options.SafeFileEnvironment, '/var/mail-files');
    assert.equal(c.options.SmtpGreetingMessage, '$j Sendmail; $b');
    assert.deepEqual(c.options.PostmasterCopy, ['postmaster', 'securitymaster']);
    assert.equal(c.options.TrustedUser, 'mailadm');
    assert.deepEqual(c.options.ProgMailer, { kind: 'smrsh' });
    assert.deepEqual(c.progMailer, {
      path: '/usr/sbin/smrsh',
      argv: ['smrsh', '-c', '$u'],
      flags: 'lsDFMoqeu9',
      at: { file: cf, line: 22 },
    });
    assert.deepEqual(c.sources.SafeFileEnvironment, { kind: 'file', file: cf, line: 16, layer: 'imported' });
    assert.deepEqual(c.featureList.map((f) => f.name), ['use_cw_file', 'smrsh', 'access_db', 'relay_hosts_only']);
    assert.equal(c.featureList[0]!.layer, 'default');
    assert.deepEqual(c.macros['Z'], { value: '8.17.1.9', at: { file: cf, line: 9 } });
    assert.deepEqual(c.classes['w']!.map((e) => e.word), ['localhost']);
    assert.deepEqual(c.classes['t']!.map((e) => e.word), ['root', 'daemon', 'uucp']);
    assert.deepEqual(
      c.classFiles.map((f) => [f.cls, f.path, f.optional, f.at?.line]),
      [
        ['w', '/etc/mail/local-host-names', false, 6],
        ['R', '/etc/mail/relay-domains', true, 7],
      ],
    );
    assert.deepEqual(c.accessMap, { path: '/etc/mail/access', optional: false, flags: [], at: { file: cf, line: 8 } });
    assert.equal(c.imported?.kind, 'cf');
    assert.equal(c.imported?.cfLevel?.value, 10);
    assert.equal(c.imported?.vendor, 'Berkeley');
    assert.deepEqual(
      c.listeners.map((l) => [l.name, l.port]),
      [
        ['MTA', 25],
        ['MSA', 587],
      ],
      'a config file without DaemonPortOptions gets sendmail defaults',
    );
  });
});

test('cf: one-letter options, O Name without =, compound T and b, r timeouts', async () => {
  await withTempDir(async (t) => {
    const cf = await t.write(
      'sendmail.cf',
      lines(
        '#####  $Id: proto.m4,v 8.762 2013-11-22 20:51:13 ca Exp $  #####',
        'V10/Debian',
        'OQ/var/spool/q1',
        'Oh30',
        'Op goaway, noetrn, restrictmailq restrictqrun',
        'OT3d/2h',
        'Ob200/5000000',
        'Or20m',
        'O SevenBitInput',
        'O8strict',
        'Odq',
        'O Timeout.queuewarn.urgent=30m',
        'O AliasWait=5',
        'O ConnectionRateWindowSize=90',
      ),
    );
    const r = await loadConfig({ path: cf });
    assert.deepEqual(messages(r.diagnostics), []);
    const o = r.config!.options;
    assert.equal(o.QueueDirectory, '/var/spool/q1');
    assert.equal(o.MaxHopCount, 30);
    assert.ok(o.PrivacyOptions.flags.has('noetrn'));
    assert.equal(o['Timeout.queuereturn'], 3 * 86_400_000);
    assert.equal(o['Timeout.queuereturn.non-urgent'], 3 * 86_400_000);
    assert.equal(o['Timeout.queuewarn'], 2 * 3_600_000);
    assert.equal(o['Timeout.queuewarn.normal'], 2 * 3_600_000);
    assert.equal(o['Timeout.queuewarn.urgent'], 30 * 60_000, 'a qualified setting after the unqualified one wins');
    assert.equal(o.MinFreeBlocks, 200);
    assert.equal(o.MaxMessageSize, 5_000_000);
    assert.equal(o['Timeout.command'], 20 * 60_000);
    assert.equal(o['Timeout.datablock'], 20 * 60_000);
    assert.equal(o['Timeout.starttls'], 60_000, 'r does not touch the TLS timeout');
    assert.equal(o.SevenBitInput, true);
    assert.equal(o.EightBitMode, 'strict');
    assert.equal(o.DeliveryMode, 'queue');
    assert.equal(o.AliasWait, 5 * 60_000, 'bare number = minutes');
    assert.equal(o.ConnectionRateWindowSize, 90_000, 'bare number = seconds');
  });
});

test('cf: FEATURE recovery from markers and rules (dnsbl zones, access_db options, delay_checks)', async () => {
  await withTempDir(async (t) => {
    const cf = await t.write(
      'sendmail.cf',
      lines(
        '#####  $Id: cfhead.m4,v 8.122 2013-11-22 20:51:13 ca Exp $  #####',
        '#####  $Id: linux.m4,v 8.14 2013-11-22 20:51:15 ca Exp $  #####',
        '#####  $Id: access_db.m4,v 8.28 2013-11-22 20:51:11 ca Exp $  #####',
        '#####  $Id: dnsbl.m4,v 8.34 2013-11-22 20:51:11 ca Exp $  #####',
        '#####  $Id: delay_checks.m4,v 8.9 2013-11-22 20:51:11 ca Exp $  #####',
        '#####  $Id: local_procmail.m4,v 8.23 2013-11-22 20:51:11 ca Exp $  #####',
        'V10/Berkeley',
        'Kaccess hash -T<TMPF> -o /etc/mail/access.db',
        'Mlocal,\t\tP=/usr/bin/procmail, F=SPfhn9, S=EnvFromSMTP/HdrFromL, R=EnvToL/HdrToL,',
        '\t\tT=DNS/RFC822/X-Unix,',
        '\t\tA=procmail -Y -a $h -d $u',
        'SLocal_check_relay',
        'R$*\t\t\t$: $&{client_addr}',
        'R$-.$-.$-.$-\t\t$: <?> $(dnsbl $4.$3.$2.$1.bl.example.org. $: OK $)',
        'R<?>OK\t\t\t$: OKSOFAR',
        'R<?>$+<TMP>\t\t$: TMPOK',
        'R<?>$+\t\t\t$#error $@ 5.7.1 $: "550 Rejected: " $&{client_addr} " listed at bl.example.org"',
        'R$*\t\t\t$: $&{client_addr}',
        'R$-.$-.$-.$-\t\t$: <?> $(dnsbl $4.$3.$2.$1.bl2.example.net. $: OK $)',
        'R<?>OK\t\t\t$: OKSOFAR',
        'R<?>$+<TMP>\t\t$#error $@ 4.4.3 $: "451 Temporary lookup failure of " $&{client_addr} " at bl2.example.net"',
        'R<?>$+\t\t$#error $@ quarantine $: bl2.example.net',
        'R$*\t\t\t$: $&{client_addr}',
        'R$-.$-.$-.$-\t\t$: <?> $(dnsbl $4.$3.$2.$1.bl3.example.com. $: OK $)',
        'R<?>OK\t\t\t$: OKSOFAR',
        'R<?>$+\t\t\t$#error $@ 5.7.1 $: "550 Go away"',
        'R<?> <$+.$+> <$+> <+ $-> <$*>\t$: < $(access .$2 $: ? $) > <$1.$2> <$3> <+ $4> <$5>',
        'R<SKIP> <$+> <$+> <$- $-> <$*>\t$@ <$2> <$5>',
        'R<FRIEND> $+\t\t$@ $>"Delay_TLS_Clt2" SPAMFRIEND',
      ),
    );
    const r = await loadConfig({ path: cf });
    assert.deepEqual(messages(r.diagnostics), [
      `${cf}:24: warning: FEATURE(dnsbl, bl3.example.com): a custom reply text cannot be recovered from a cf; the default text is used`,
    ]);
    const c = r.config!;
    assert.deepEqual(
      c.features['dnsbl']!.map((f) => [f.args, f.line]),
      [
        [['bl.example.org'], 14],
        [['bl2.example.net', 'quarantine', 't'], 19],
        [['bl3.example.com'], 24],
      ],
    );
    assert.deepEqual(c.features['access_db']![0]!.args, ['', 'skip', 'lookupdotdomain']);
    assert.deepEqual(c.accessMap?.flags, ['skip', 'lookupdotdomain']);
    assert.equal(c.accessMap?.path, '/etc/mail/access', 'the text source: .db dropped');
    assert.equal(c.accessMap?.configuredPath, '/etc/mail/access.db');
    assert.deepEqual(c.features['delay_checks']![0]!.args, ['friend']);
    assert.equal(c.features['local_procmail'], undefined, 'local_procmail only records the local mailer');
    assert.deepEqual(c.localMailer, {
      path: '/usr/bin/procmail',
      argv: ['procmail', '-Y', '-a', '$h', '-d', '$u'],
      flags: 'SPfhn9',
      at: { file: cf, line: 9 },
    });
  });
});

test('cf without markers: the exact warning, otherwise accepted', async () => {
  await withTempDir(async (t) => {
    const cf = await t.write('hand.cf', lines('V10/Berkeley', 'O MaxHopCount=20', 'S0', 'R$* $#local $: $1'));
    const r = await loadConfig({ path: cf });
    assert.deepEqual(messages(r.diagnostics), [
      `${cf}: warning: rulesets ignored and no FEATURE markers found; relay policy uses classes w and R, the access map, and Postern defaults`,
    ]);
    assert.equal(r.config!.options.MaxHopCount, 20);
  });
});

test('cf: refused and warned constructs, each with file:line', async () => {
  await withTempDir(async (t) => {
    const cf = await t.write(
      'bad.cf',
      lines(
        '#####  $Id: proto.m4,v 8.762 2013-11-22 20:51:13 ca Exp $  #####',
        'V8/Berkeley',
        'Xmyfilter, S=local:/var/run/f.sock',
        'Muucp, P=/usr/bin/uux, A=uux - $h!rmail ($u)',
        'Fw|/usr/bin/hostnames',
        'FR@ldap',
        'Kvirtuser hash /etc/mail/virtusertable',
        'Qslow, P=/var/spool/slow',
        'O NoSuchThing=1',
        'O ForkEachJob=True',
        'ELOGNAME=root',
        'Z what is this',
        'O MaxHopCount=twenty',
        'O MaxHopCount=21',
        'O MaxHopCount=22',
      ),
    );
    const r = await loadConfig({ path: cf });
    assert.equal(r.config, undefined);
    assert.deepEqual(messages(r.diagnostics), [
      `${cf}:2: warning: configuration version level 8 is older than 10 (sendmail 8.10+)`,
      `${cf}:3: mail filters (milters) are not supported: Xmyfilter`,
      `${cf}:4: mailer uucp is not supported in Postern v1`,
      `${cf}:5: Fw: class files read from a program (F|program) are not supported`,
      `${cf}:6: FR: classes read from a map (F@map) are not supported`,
      `${cf}:7: warning: map virtuser is not used by Postern; ignored`,
      `${cf}:8: queue group slow: only the default queue group (mqueue) is supported in Postern v1`,
      `${cf}:9: unknown option NoSuchThing`,
      `${cf}:10: warning: option ForkEachJob is not implemented by Postern; ignored`,
      `${cf}:11: warning: environment line ELOGNAME ignored (Postern sets the delivery environment itself)`,
      `${cf}:12: unknown configuration line type "Z"`,
      `${cf}:13: MaxHopCount: invalid number "twenty"`,
      `${cf}:15: warning: option MaxHopCount set more than once (first set at ${cf}:14); the later value wins`,
    ]);
  });
});
