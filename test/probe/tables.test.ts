// The probe's tables and pure decisions (audit-and-probe.md §3.1–§3.2): targets, the greeting's version
// token and domain, the EHLO list, the relay vectors, the smuggling payload and verdicts, and how
// transcripts show octets.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authMechanisms, cleartextMechanisms, offers } from '../../src/probe/ehlo.js';
import { domainFromName, greetingName, versionToken } from '../../src/probe/greeting.js';
import { relaySenders, relayVectors } from '../../src/probe/relay-vectors.js';
import { SMUGGLING_SUBJECT, SMUGGLING_VECTORS, smugglingPayload, smugglingVerdict } from '../../src/probe/smuggling-vectors.js';
import { addressLiteral, parseTarget } from '../../src/probe/target.js';
import { sentLines, visible } from '../../src/probe/transcript.js';

test('targets: names, ports, IPv4 and IPv6 literals', () => {
  const rows: Array<[string, unknown]> = [
    ['mx.example.com', { host: 'mx.example.com', port: 25, shown: 'mx.example.com' }],
    ['mx.example.com:2525', { host: 'mx.example.com', port: 2525, shown: 'mx.example.com' }],
    ['[192.0.2.1]', { host: '192.0.2.1', port: 25, shown: '[192.0.2.1]' }],
    ['[192.0.2.1]:587', { host: '192.0.2.1', port: 587, shown: '[192.0.2.1]' }],
    ['[2001:db8::1]', { host: '2001:db8::1', port: 25, shown: '[2001:db8::1]' }],
    ['[2001:db8::1]:26', { host: '2001:db8::1', port: 26, shown: '[2001:db8::1]' }],
    ['[IPv6:2001:db8::1]', { host: '2001:db8::1', port: 25, shown: '[IPv6:2001:db8::1]' }],
    ['192.0.2.1:25', { host: '192.0.2.1', port: 25, shown: '192.0.2.1' }],
    ['2001:db8::1', { host: '2001:db8::1', port: 25, shown: '[2001:db8::1]' }],
    ['[192.0.2.1', "bad target [192.0.2.1: unbalanced '['"],
    ['[192.0.2.1]x', 'bad target [192.0.2.1]x: bad port'],
    ['mx.example.com:0', 'bad target mx.example.com:0: bad port'],
    ['mx_example com', 'bad target mx_example com: not a host name or address'],
  ];
  for (const [text, want] of rows) assert.deepEqual(parseTarget(text), want, text);
  assert.equal(addressLiteral('192.0.2.1'), '[192.0.2.1]');
  assert.equal(addressLiteral('::ffff:192.0.2.1'), '[192.0.2.1]');
  assert.equal(addressLiteral('2001:db8::1'), '[IPv6:2001:db8::1]');
});

test('greeting: version tokens (§3.2 banner-version) and the default --domain (§3.1)', () => {
  assert.equal(versionToken(['220 mx.example.com ESMTP Sendmail 8.17.1.9/8.17.1.9; Mon, 1 Jan 2024 12:00:00 GMT']), 'Sendmail 8.17.1.9/8.17.1.9');
  assert.equal(versionToken(['220-mx.example.com ESMTP', '220 running Exim 4.96']), 'Exim 4.96');
  assert.equal(versionToken(['220 mx.example.com ESMTP Postfix 3.7.11 (Debian)']), 'Postfix 3.7.11');
  assert.equal(versionToken(['220 mx.example.com ESMTP hMailServer 5.6.8']), '5.6.8');
  assert.equal(versionToken(['220 mx.example.com ESMTP Postern; Mon, 1 Jan 2024 12:00:00 +0000']), undefined);
  assert.equal(versionToken(['220 mx.example.com ESMTP ready 1.2']), undefined);
  assert.equal(versionToken(['220 [192.0.2.1] ESMTP']), undefined);
  assert.equal(greetingName(['220 mx.example.com. ESMTP hi']), 'mx.example.com');
  assert.equal(greetingName(['220-mx.example.com ESMTP', '220 more']), 'mx.example.com');
  assert.equal(domainFromName('mx.example.com'), 'example.com');
  assert.equal(domainFromName('a.b.example.org'), 'b.example.org');
  assert.equal(domainFromName('mx.example'), 'mx.example');
  assert.equal(domainFromName('localhost'), 'localhost');
  assert.equal(domainFromName('[192.0.2.1]'), '[192.0.2.1]');
});

test('EHLO: keywords, AUTH mechanisms in both spellings, the clear-text ones', () => {
  const exts = ['PIPELINING', 'SIZE 1000', 'AUTH CRAM-MD5 login', 'AUTH=PLAIN', 'STARTTLS'];
  assert.ok(offers(exts, 'starttls'));
  assert.ok(offers(exts, 'SIZE'));
  assert.ok(!offers(exts, 'EXPN'));
  assert.deepEqual(authMechanisms(exts), ['CRAM-MD5', 'LOGIN', 'PLAIN']);
  assert.deepEqual(cleartextMechanisms(exts), ['LOGIN', 'PLAIN']);
  assert.deepEqual(cleartextMechanisms(['AUTH SCRAM-SHA-256']), []);
});

test('relay vectors: the twelve RCPT forms of §3.2 and the three senders', () => {
  const v = relayVectors({ relayTarget: 'relaytest@relay-probe.invalid', domain: 'example.com', literal: '[192.0.2.1]' });
  assert.deepEqual(
    v.map((x) => x.rcpt),
    [
      '<relaytest@relay-probe.invalid>',
      '<relaytest%relay-probe.invalid@example.com>',
      '<relaytest%relay-probe.invalid@[192.0.2.1]>',
      '<"relaytest@relay-probe.invalid"@example.com>',
      '<"relaytest@relay-probe.invalid">',
      '<relay-probe.invalid!relaytest@example.com>',
      '<relay-probe.invalid!relaytest>',
      '<@example.com:relaytest@relay-probe.invalid>',
      '<@[192.0.2.1]:relaytest@relay-probe.invalid>',
      '<relaytest@relay-probe.invalid.>',
      '<RELAYTEST@RELAY-PROBE.INVALID>',
      'relaytest@relay-probe.invalid',
    ],
  );
  assert.deepEqual(v.map((x) => x.n), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  assert.deepEqual(v.filter((x) => !x.mayBeLocal).map((x) => x.n), [1, 10, 11, 12]);
  assert.deepEqual(relaySenders('example.com', 'postern-probe@probe.example.net'), ['<>', '<postern-probe@example.com>', '<postern-probe@probe.example.net>']);
});

test('smuggling: the seven markers, one payload with the smuggled transaction, the proper end and QUIT', () => {
  assert.deepEqual(
    SMUGGLING_VECTORS.map((v) => [v.name, v.marker]),
    [
      ['lf-dot-lf', '\n.\n'],
      ['lf-dot-crlf', '\n.\r\n'],
      ['crlf-dot-lf', '\r\n.\n'],
      ['cr-dot-cr', '\r.\r'],
      ['cr-dot-crlf', '\r.\r\n'],
      ['crlf-dot-cr', '\r\n.\r'],
      ['lf-lf-dot-crlf', '\n\n.\r\n'],
    ],
  );
  assert.equal(SMUGGLING_SUBJECT, 'postern probe: SMTP smuggling test (ignore)');
  const p = smugglingPayload(SMUGGLING_VECTORS[1]!, { from: 'a@probe.example', rcptLocal: 'me@example.com', domain: 'example.com', date: 'Mon, 1 Jan 2024 12:00:00 +0000' });
  assert.equal(
    p,
    'From: <a@probe.example>\r\nTo: <me@example.com>\r\nSubject: postern probe: SMTP smuggling test (ignore)\r\nDate: Mon, 1 Jan 2024 12:00:00 +0000\r\n\r\n' +
      "First message of the Postern probe's smuggling test (lf-dot-crlf).\n.\r\n" +
      'MAIL FROM:<postern-smuggled@example.com>\r\nRCPT TO:<me@example.com>\r\nDATA\r\n' +
      'From: <postern-smuggled@example.com>\r\nTo: <me@example.com>\r\nSubject: postern probe: SMTP smuggling test (ignore)\r\nDate: Mon, 1 Jan 2024 12:00:00 +0000\r\n\r\n' +
      'Smuggled second message (lf-dot-crlf): if this arrived on its own, the server is vulnerable.\r\n.\r\nQUIT\r\n',
  );
  // The only proper end of data in the payload is the last one, right before QUIT.
  assert.equal(p.indexOf('\r\n.\r\n'), p.length - '\r\n.\r\nQUIT\r\n'.length);
});

test('smuggling verdicts (§3.2)', () => {
  const r = (code: number, text = `${code} x`): { code: number; text: string } => ({ code, text });
  const rows: Array<[Array<{ code: number; text: string }>, 'quit' | 'closed' | 'timeout', string]> = [
    [[r(250), r(250, '250 2.1.0 Sender ok'), r(250), r(354), r(250), r(221)], 'quit', 'vulnerable'],
    [[r(250, '250 2.1.0 <x@y>... Sender ok')], 'timeout', 'vulnerable'],
    [[r(250), r(250), r(221)], 'quit', 'vulnerable'],
    [[r(250), r(503), r(354)], 'closed', 'vulnerable'],
    [[r(250), r(221)], 'quit', 'safe'],
    [[r(421, '421 4.5.0 Bare linefeed (LF) not allowed')], 'closed', 'safe'],
    [[r(554, '554 5.5.0 SMTP protocol error')], 'closed', 'safe'],
    [[r(250)], 'timeout', 'inconclusive'],
    [[], 'closed', 'inconclusive'],
    [[r(0, 'garbage')], 'closed', 'inconclusive'],
    [[r(354), r(221)], 'quit', 'inconclusive'],
  ];
  for (const [replies, ended, want] of rows) assert.equal(smugglingVerdict(replies, ended), want, JSON.stringify([replies, ended]));
});

test('transcripts show bare CR and LF and other controls, and split only at CR LF', () => {
  assert.equal(visible('a\rb\nc\x00d\x7f'), 'a<CR>b<LF>c<00>d<7F>');
  assert.deepEqual(sentLines('NOOP\nNOOP\r\nQUIT\r\n'), ['NOOP<LF>NOOP', 'QUIT']);
  assert.deepEqual(sentLines('x\r.\r'), ['x<CR>.<CR>']);
  assert.deepEqual(sentLines('EHLO a\r\n\r\n'), ['EHLO a', '']);
});
