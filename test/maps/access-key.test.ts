import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressCandidates, domainCandidates, fullCandidates, userCandidates } from '../../src/maps/access-candidates.js';
import { foldKey, normaliseIPv6Body, normaliseIPv6In, splitTag, tagOfWord } from '../../src/maps/access-key.js';

test('keys fold A-Z only; octets above 0x7F are left alone', () => {
  assert.equal(foldKey('Connect:MX.Example.COM'), 'connect:mx.example.com');
  assert.equal(foldKey('From:J\u00c3\u00a9r\u00c3\u00b4me@Example.com'), 'from:j\u00c3\u00a9r\u00c3\u00b4me@example.com');
});

test('tags: the seven Postern tags, sendmail tags it ignores, unknown words, IPv6 is no tag', () => {
  assert.deepEqual(tagOfWord('connect'), { kind: 'tag', tag: 'Connect' });
  assert.deepEqual(tagOfWord('greetpause'), { kind: 'tag', tag: 'GreetPause' });
  assert.deepEqual(tagOfWord('clientrate'), { kind: 'tag', tag: 'ClientRate' });
  assert.deepEqual(tagOfWord('clientconn'), { kind: 'tag', tag: 'ClientConn' });
  for (const t of ['TLS_Clt', 'TLS_Srv', 'TLS_Rcpt', 'Try_TLS', 'Srv_Features', 'Clt_Features', 'QGRP', 'Compat', 'AuthInfo']) {
    assert.deepEqual(tagOfWord(t.toLowerCase()), { kind: 'ignored', tag: t });
  }
  assert.deepEqual(tagOfWord('conect'), { kind: 'unknown' });
  assert.deepEqual(tagOfWord('ipv6'), { kind: 'address' });
  assert.deepEqual(tagOfWord('[ipv6'), { kind: 'address' });
  assert.deepEqual(splitTag('to:example.com'), { tag: 'To', rest: 'example.com' });
  assert.deepEqual(splitTag('ipv6:2001:db8:0:0:0:0:0:1'), { tag: undefined, rest: 'ipv6:2001:db8:0:0:0:0:0:1' });
  assert.deepEqual(splitTag('clientrate:'), { tag: 'ClientRate', rest: '' });
});

test('§1 IPv6 normalisation: 8 groups, lower case, no leading zeros; :: expanded; prefixes compared by group', () => {
  assert.equal(normaliseIPv6Body('2001:db8::1'), '2001:db8:0:0:0:0:0:1');
  assert.equal(normaliseIPv6Body('2001:0DB8:0000:0000:0000:0000:0000:0001'.toLowerCase()), '2001:db8:0:0:0:0:0:1');
  assert.equal(normaliseIPv6Body('::1'), '0:0:0:0:0:0:0:1');
  assert.equal(normaliseIPv6Body('::'), '0:0:0:0:0:0:0:0');
  assert.equal(normaliseIPv6Body('fe80::'), 'fe80:0:0:0:0:0:0:0');
  assert.equal(normaliseIPv6Body('::ffff:192.0.2.1'), '0:0:0:0:0:ffff:c000:201');
  assert.equal(normaliseIPv6Body('2001:0db8:00ab'), '2001:db8:ab');
  for (const bad of ['', ':1', '1:', '1:::2', '1::2::3', '12345::1', 'g::1', '1:2:3:4:5:6:7:8:9', '1:2:3:4::5:6:7:8', '::1.2.3.256']) {
    assert.equal(normaliseIPv6Body(bad), null, bad);
  }
  assert.equal(normaliseIPv6In('ipv6:2001:db8::1'), 'ipv6:2001:db8:0:0:0:0:0:1');
  assert.equal(normaliseIPv6In('[ipv6:2001:db8::1]'), '[ipv6:2001:db8:0:0:0:0:0:1]');
  assert.equal(normaliseIPv6In('user@[ipv6:2001:db8::1]'), 'user@[ipv6:2001:db8:0:0:0:0:0:1]');
  assert.equal(normaliseIPv6In('example.com'), 'example.com');
  assert.equal(normaliseIPv6In('ipv6:nothing'), null);
});

test('§2.3 domain lookup: a.b.c → a.b.c, b.c, c', () => {
  assert.deepEqual(domainCandidates('a.b.c'), ['a.b.c', 'b.c', 'c']);
  assert.deepEqual(domainCandidates('Host.Example.COM.'), ['host.example.com', 'example.com', 'com']);
  assert.deepEqual(domainCandidates(''), []);
});

test('§2.3 domain lookup with lookupdotdomain: the parent with a leading dot after each name', () => {
  assert.deepEqual(domainCandidates('a.b.c', { dotDomain: true }), ['a.b.c', '.b.c', 'b.c', '.c', 'c']);
  // `.example.com` matches strict subdomains only: example.com itself never produces it.
  assert.ok(!domainCandidates('example.com', { dotDomain: true }).includes('.example.com'));
  assert.ok(domainCandidates('a.example.com', { dotDomain: true }).includes('.example.com'));
});

test('§2.3 bracketed literals drop octets from the right, brackets kept; IPv6 literals drop groups', () => {
  assert.deepEqual(domainCandidates('[192.0.2.7]'), ['[192.0.2.7]', '[192.0.2]', '[192.0]', '[192]']);
  assert.deepEqual(domainCandidates('[192.0.2.7]', { dotDomain: true }), ['[192.0.2.7]', '[192.0.2]', '[192.0]', '[192]']);
  assert.deepEqual(domainCandidates('[IPv6:2001:db8::1]').slice(0, 2), ['[ipv6:2001:db8:0:0:0:0:0:1]', '[ipv6:2001:db8:0:0:0:0:0]']);
  assert.equal(domainCandidates('[IPv6:2001:db8::1]').at(-1), '[ipv6:2001]');
});

test('§2.3 relay_hosts_only: the name itself only', () => {
  assert.deepEqual(domainCandidates('a.b.c', { exact: true, dotDomain: true }), ['a.b.c']);
  assert.deepEqual(domainCandidates('[192.0.2.7]', { exact: true }), ['[192.0.2.7]']);
});

test('§2.3 address lookup: IPv4 by octets; IPv6 by groups down to one, any spelling of the input', () => {
  assert.deepEqual(addressCandidates('192.0.2.7'), ['192.0.2.7', '192.0.2', '192.0', '192']);
  const v6 = [
    'ipv6:2001:db8:0:0:0:0:0:1',
    'ipv6:2001:db8:0:0:0:0:0',
    'ipv6:2001:db8:0:0:0:0',
    'ipv6:2001:db8:0:0:0',
    'ipv6:2001:db8:0:0',
    'ipv6:2001:db8:0',
    'ipv6:2001:db8',
    'ipv6:2001',
  ];
  assert.deepEqual(addressCandidates('IPv6:2001:db8::1'), v6);
  assert.deepEqual(addressCandidates('IPv6:2001:0DB8:0:0:0:0:0:0001'), v6);
  assert.deepEqual(addressCandidates('2001:db8::1'), v6);
  assert.deepEqual(addressCandidates(''), []);
});

test('§2.3 full lookup: user@domain; user+detail@domain → itself, user+*@domain, user@domain', () => {
  assert.deepEqual(fullCandidates('Spammer@Bad.Example'), ['spammer@bad.example']);
  assert.deepEqual(fullCandidates('user+detail@domain.example'), ['user+detail@domain.example', 'user+*@domain.example', 'user@domain.example']);
  assert.deepEqual(fullCandidates('user+@d.example'), ['user+@d.example', 'user+*@d.example', 'user@d.example']);
  assert.deepEqual(fullCandidates('+x@d.example'), ['+x@d.example']);
  assert.deepEqual(fullCandidates('user@d.example.'), ['user@d.example']);
  assert.deepEqual(fullCandidates('user'), []);
  assert.deepEqual(fullCandidates('user@'), []);
});

test('§2.3 user lookup: user@; user+detail → user+detail@, user+*@, user@', () => {
  assert.deepEqual(userCandidates('Bob'), ['bob@']);
  assert.deepEqual(userCandidates('bob@'), ['bob@']);
  assert.deepEqual(userCandidates('bob+lists'), ['bob+lists@', 'bob+*@', 'bob@']);
  assert.deepEqual(userCandidates(''), []);
});
