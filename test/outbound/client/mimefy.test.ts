// EightBitMode=mimefy: 8-bit messages made 7-bit for peers without 8BITMIME — quoted-printable for text,
// base64 for the rest, multiparts and message/rfc822 walked into, non-MIME messages declared
// text/plain; charset=unknown-8bit — and, through a peer without 8BITMIME, nothing 8-bit on the wire.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deliver } from '../../../src/outbound/client/index.js';
import { mimefy, quotedPrintable } from '../../../src/outbound/client/mimefy.js';
import { hop, message, testOptions } from '../options.js';
import { startPeer } from '../peer.js';

const l1 = (s: string): Buffer => Buffer.from(s, 'latin1');
const text = (b: Buffer): string => b.toString('latin1');

/** Decoding, to check the round trip (RFC 2045 §6.7 rules 1–5). */
function decodeQp(s: string): string {
  return s.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

test('quoted-printable: 8-bit and "=" encoded, trailing blanks encoded, long lines soft-broken under 76', () => {
  assert.equal(quotedPrintable('caf\xe9 = ok\r\nend \r\n'), 'caf=E9 =3D ok\r\nend=20\r\n');
  const long = `${'\xe9'.repeat(40)}\r\n`;
  const enc = quotedPrintable(long);
  assert.ok(enc.split('\r\n').every((line) => line.length <= 76), enc);
  assert.equal(decodeQp(enc), long);
});

test('a non-MIME 8-bit message becomes MIME text/plain; charset=unknown-8bit, quoted-printable', () => {
  const out = text(mimefy(l1('From: a@b\r\nSubject: x\r\n\r\ncaf\xe9\r\n')));
  assert.equal(out, 'From: a@b\r\nSubject: x\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=unknown-8bit\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\ncaf=E9\r\n');
});

test('a message whose body is 7-bit is returned as it is (the same buffer), even with 8-bit headers', () => {
  const m = l1('Subject: caf\xe9\r\n\r\nplain\r\n');
  assert.equal(mimefy(m), m);
});

test('multipart: the 8-bit text part as quoted-printable, the 8-bit binary part as base64, the 7-bit part untouched', () => {
  const bin = '\x00\x01\xff\xfe';
  const msg = [
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b1"',
    'Content-Transfer-Encoding: 8bit',
    '',
    'preamble',
    '--b1',
    'Content-Type: text/plain; charset=iso-8859-1',
    'Content-Transfer-Encoding: 8bit',
    '',
    'caf\xe9',
    '--b1',
    'Content-Type: application/octet-stream',
    '',
    bin,
    '--b1',
    'Content-Type: text/plain',
    '',
    'seven bit',
    '--b1--',
    'epilogue',
    '',
  ].join('\r\n');
  const out = text(mimefy(l1(msg)));
  assert.ok(!/[\x80-\xff]/.test(out));
  const expected = [
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b1"',
    'Content-Transfer-Encoding: 7bit',
    '',
    'preamble',
    '--b1',
    'Content-Type: text/plain; charset=iso-8859-1',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    'caf=E9',
    '--b1',
    'Content-Type: application/octet-stream',
    'Content-Transfer-Encoding: base64',
    '',
    `${Buffer.from(bin, 'latin1').toString('base64')}`,
    '--b1',
    'Content-Type: text/plain',
    '',
    'seven bit',
    '--b1--',
    'epilogue',
    '',
  ].join('\r\n');
  assert.equal(out, expected);
});

test('message/rfc822 inside a multipart is walked into', () => {
  const msg = [
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary=outer',
    '',
    '--outer',
    'Content-Type: message/rfc822',
    '',
    'Subject: inner',
    '',
    'gr\xfc\xdfe',
    '--outer--',
    '',
  ].join('\r\n');
  const out = text(mimefy(l1(msg)));
  assert.ok(!/[\x80-\xff]/.test(out));
  assert.match(out, /--outer\r\nContent-Type: message\/rfc822\r\n\r\nSubject: inner\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\ngr=FC=DFe\r\n--outer--\r\n$/);
});

test('through a peer without 8BITMIME: mimefy sends a 7-bit message with BODY and SIZE of what is sent', async () => {
  const p = await startPeer({ extensions: ['PIPELINING', 'SIZE 1000000'] });
  try {
    const body = 'From: a@b\r\nSubject: x\r\n\r\ncaf\u00e9 cr\u00e8me\r\n';
    const r = await deliver([hop(p.port)], message(body, ['a@dest.test'], { bodyType: '8BITMIME' }), testOptions({ eightBitMode: 'mimefy' }));
    assert.equal(r.outcomes[0]!.status, 'sent');
    const sent = p.sessions[0]!.data[0]!.toString('latin1');
    assert.ok(!/[\x80-\xff]/.test(sent), sent);
    assert.match(sent, /Content-Transfer-Encoding: quoted-printable\r\n\r\ncaf=C3=A9 cr=C3=A8me\r\n\.\r\n$/);
    assert.equal(p.sessions[0]!.commands[1], `MAIL FROM:<ann@src.test> SIZE=${sent.length - 3}`);
  } finally {
    await p.close();
  }
});
