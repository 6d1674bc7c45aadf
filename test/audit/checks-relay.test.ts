// Relaying and the access map: each check with a fixture that triggers it and one that does not.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { find, HARDENED_MC, posternDefaults, sendmailSystem, withFixture, type Fixture, type JsonFinding } from './fixture.js';

async function withMc(f: Fixture, extra: string, base = HARDENED_MC): Promise<JsonFinding[]> {
  await sendmailSystem(f);
  const mc = await f.write('/etc/mail/sendmail.mc', base.replace("MAILER(`local')", `${extra}MAILER(\`local')`));
  return (await f.findings(['--sendmail', mc])).findings;
}

function marker(feature: string): string {
  return `#####  $Id: ${feature}.m4,v 8.11 2013-11-22 20:51:11 ca Exp $  #####\n`;
}

test('relay FEATUREs: each is reported at its line with its severity; none for the hardened .mc', async () => {
  const cases: Array<[string, string, string]> = [
    ['promiscuous_relay', 'relay-promiscuous', 'critical'],
    ['relay_local_from', 'relay-local-from', 'high'],
    ['relay_mail_from', 'relay-mail-from', 'high'],
    ['loose_relay_check', 'relay-loose-check', 'high'],
    ['relay_based_on_MX', 'relay-based-on-mx', 'medium'],
    ['blacklist_recipients', 'feature-blacklist-name', 'info'],
    ['accept_unresolvable_domains', 'accept-unresolvable-domains', 'low'],
    ['accept_unqualified_senders', 'accept-unqualified-senders', 'low'],
  ];
  await withFixture(async (f) => {
    const clean = await withMc(f, '');
    for (const [, id] of cases) assert.deepEqual(find(clean, id), [], id);
    for (const [feature, id, severity] of cases) {
      const fs = await withMc(f, `FEATURE(\`${feature}')dnl\n`);
      assert.deepEqual(find(fs, id).map((x) => [x.severity, x.subject]), [[severity, '/etc/mail/sendmail.mc:19']], feature);
    }
  });
});

test('promiscuous_relay in Postern mode with the floor: reported, and the audit says Postern refuses it', async () => {
  await withFixture(async (f) => {
    const conf = await posternDefaults(f, 'Feature promiscuous_relay\n');
    const r = await f.findings(['--config', conf]);
    const hit = find(r.findings, 'relay-promiscuous');
    assert.equal(hit.length, 1);
    assert.match(hit[0]!.message, /Postern refuses to start with it while HardeningFloor is on/);
    assert.equal(r.code, 3);
  });
});

test('relay-entire-domain-tld: high when $m has one label, info otherwise', async () => {
  await withFixture(async (f) => {
    await sendmailSystem(f);
    let cf = await f.write('/etc/mail/sendmail.cf', `${marker('relay_entire_domain')}V10/Berkeley\nDjmx.com\n`);
    let r = await f.findings(['--sendmail', cf]);
    assert.deepEqual(find(r.findings, 'relay-entire-domain-tld').map((x) => [x.severity, x.subject]), [['high', '/etc/mail/sendmail.cf:1']]);
    assert.match(find(r.findings, 'relay-entire-domain-tld')[0]!.message, /\$m = "com"/);
    cf = await f.write('/etc/mail/sendmail.cf', `${marker('relay_entire_domain')}V10/Berkeley\nDjmx.example.com\n`);
    r = await f.findings(['--sendmail', cf]);
    assert.deepEqual(find(r.findings, 'relay-entire-domain-tld').map((x) => x.severity), ['info']);
    cf = await f.write('/etc/mail/sendmail.cf', `${marker('access_db')}V10/Berkeley\nDjmx.com\n`);
    r = await f.findings(['--sendmail', cf]);
    assert.deepEqual(find(r.findings, 'relay-entire-domain-tld'), []);
  });
});

test('relay-class-broad and relay-class-private-net for class R and access RELAY entries', async () => {
  await withFixture(async (f) => {
    const conf = await posternDefaults(f, 'Class R 192 10.1 example.org\n');
    await f.write('/etc/mail/relay-domains', 'com\nexample.net\n192.168.7\nIPv6:2001:db8\nIPv6:fd00:1:2\n172.20\n172.40\n');
    await f.write('/etc/mail/access', 'Connect:org RELAY\nConnect:203.0.113 RELAY\nTo:net RELAY\nFrom:com REJECT\nConnect:10 RELAY\n');
    const r = await f.findings(['--config', conf]);
    assert.deepEqual(
      find(r.findings, 'relay-class-broad').map((x) => x.subject),
      ['/etc/mail/access:1', '/etc/mail/access:3', '/etc/mail/relay-domains:1', '/etc/mail/relay-domains:4', '/etc/postern/postern.conf:1'],
    );
    assert.ok(find(r.findings, 'relay-class-broad').every((x) => x.severity === 'high'));
    assert.deepEqual(
      find(r.findings, 'relay-class-private-net').map((x) => x.subject),
      ['/etc/mail/access:5', '/etc/mail/relay-domains:3', '/etc/mail/relay-domains:5', '/etc/mail/relay-domains:6', '/etc/postern/postern.conf:1'],
    );
    assert.equal(find(r.findings, 'relay-class-private-net')[0]!.fix, '—');
  });
});

test('relay-hosts-only-missing: host names in class R without relay_hosts_only; not with it', async () => {
  await withFixture(async (f) => {
    const conf = await posternDefaults(f);
    await f.write('/etc/mail/relay-domains', 'example.net\n192.0.2\n');
    let r = await f.findings(['--config', conf]);
    assert.deepEqual(find(r.findings, 'relay-hosts-only-missing').map((x) => x.severity), ['low']);
    await f.write(conf, 'Feature relay_hosts_only\n');
    r = await f.findings(['--config', conf]);
    assert.deepEqual(find(r.findings, 'relay-hosts-only-missing'), []);
    await f.write(conf, '# only networks\n');
    await f.write('/etc/mail/relay-domains', '192.0.2\n');
    r = await f.findings(['--config', conf]);
    assert.deepEqual(find(r.findings, 'relay-hosts-only-missing'), []);
  });
});

test('access-untagged and access-numeric-rhs; tagged ERROR: entries pass', async () => {
  await withFixture(async (f) => {
    const conf = await posternDefaults(f);
    await f.write('/etc/mail/access', '# comment\nConnect:192.0.2.9 REJECT\nFrom:bad.example ERROR:5.7.1:550 go away\nIPv6:2001:db8::1 OK\nTo:x.example 451 later\n');
    const r = await f.findings(['--config', conf]);
    assert.deepEqual(find(r.findings, 'access-untagged').map((x) => [x.severity, x.subject]), [['medium', '/etc/mail/access:4']]);
    assert.deepEqual(find(r.findings, 'access-numeric-rhs').map((x) => [x.severity, x.subject]), [['low', '/etc/mail/access:5']]);
  });
});

test('access-db-stale (sendmail): the text newer than access.db, or no access.db', async () => {
  await withFixture(async (f) => {
    await sendmailSystem(f);
    const mc = await f.write('/etc/mail/sendmail.mc', HARDENED_MC);
    await f.write('/etc/mail/access', 'Connect:127.0.0.1 RELAY\n', { age: -60 });
    let r = await f.findings(['--sendmail', mc]);
    assert.match(find(r.findings, 'access-db-stale')[0]!.message, /access\.db does not exist/);
    await f.write('/etc/mail/access.db', 'compiled', { age: -3600 });
    r = await f.findings(['--sendmail', mc]);
    assert.deepEqual(find(r.findings, 'access-db-stale').map((x) => [x.severity, x.subject]), [['medium', '/etc/mail/access']]);
    await f.write('/etc/mail/access.db', 'compiled');
    r = await f.findings(['--sendmail', mc]);
    assert.deepEqual(find(r.findings, 'access-db-stale'), []);
  });
});

test('access-db-missing: no access_db in a sendmail configuration, or no access file; not when there is one', async () => {
  await withFixture(async (f) => {
    let fs = await withMc(f, '', HARDENED_MC.replace("FEATURE(`access_db')dnl\n", ''));
    assert.deepEqual(find(fs, 'access-db-missing').map((x) => [x.severity, x.subject]), [['info', 'FEATURE(access_db)']]);
    await f.write('/etc/mail/access', 'Connect:127.0.0.1 RELAY\n', { age: -60 });
    await f.write('/etc/mail/access.db', 'compiled');
    fs = await withMc(f, '');
    assert.deepEqual(find(fs, 'access-db-missing'), []);
  });
});

test('dnsbl-none: no dnsbl/enhdnsbl; not with one', async () => {
  await withFixture(async (f) => {
    let fs = await withMc(f, '', HARDENED_MC.replace("FEATURE(`dnsbl', `bl.example.org')dnl\n", ''));
    assert.deepEqual(find(fs, 'dnsbl-none').map((x) => x.severity), ['info']);
    fs = await withMc(f, '');
    assert.deepEqual(find(fs, 'dnsbl-none'), []);
  });
});

test('accept-unqualified-senders: listener modifier u on a public listener, not on loopback', async () => {
  await withFixture(async (f) => {
    const conf = await posternDefaults(f, 'DaemonPortOptions = Name=MTA, Addr=0.0.0.0, Port=25, M=u\n');
    let r = await f.findings(['--config', conf]);
    assert.deepEqual(find(r.findings, 'accept-unqualified-senders').map((x) => x.subject), ['DaemonPortOptions MTA']);
    await f.write(conf, 'DaemonPortOptions = Name=Local, Addr=127.0.0.1, Port=2525, M=u\n');
    r = await f.findings(['--config', conf]);
    assert.deepEqual(find(r.findings, 'accept-unqualified-senders'), []);
  });
});
