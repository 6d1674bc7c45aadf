// smtp-session.md §9 (address syntax of MAIL and RCPT, every row) and the address limits of §3.2.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RawClient } from '../helpers/raw-client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { greeted, r, talk } from './conformance.js';

let srv: TestServer;
before(async () => {
  srv = await startTestServer();
});
after(async () => {
  await srv.close();
});

/** Rows of `[path, reply]` given as MAIL (resetting after each accepted one). */
async function asSender(c: RawClient, rows: ReadonlyArray<readonly [string, string]>): Promise<void> {
  for (const [path, want] of rows) {
    assert.equal(await c.cmd(`MAIL FROM:${path}`), want, `MAIL FROM:${path}`);
    if (want.startsWith('250 ')) assert.equal(await c.cmd('RSET'), r('resetState'));
  }
}

/** Rows of `[path, reply]` given as RCPT inside one transaction. */
async function asRecipient(c: RawClient, rows: ReadonlyArray<readonly [string, string]>): Promise<void> {
  assert.equal(await c.cmd('MAIL FROM:<a@example.org>'), r('senderOk', undefined, '<a@example.org>'));
  for (const [path, want] of rows) assert.equal(await c.cmd(`RCPT TO:${path}`), want, `RCPT TO:${path}`);
}

/** The §9 rows common to MAIL and RCPT: [path, reply key, vars]. */
const ROWS: ReadonlyArray<readonly [string, Parameters<typeof r>[0], Record<string, string>?]> = [
  ['<<a@example.org>', 'unbalanced', { char: '<' }],
  ['a@example.org>', 'unbalanced', { char: '>' }],
  ['<a(b@example.org>', 'unbalanced', { char: '(' }],
  ['<a)b@example.org>', 'unbalanced', { char: ')' }],
  ['<"a@example.org>', 'unbalanced', { char: '"' }],
  ['<@example.com>', 'userAddressRequired9'],
  ['<user@>', 'hostnameRequired'],
  ['<user@@example.com>', 'invalidRoute'],
  ['<a@b@c>', 'invalidRoute'],
  ['<user@evil.example@mx.example.com>', 'invalidRoute'],
  ['<user@.example.com>', 'invalidHost'],
  ['<user@a..b>', 'invalidHost'],
  ['<a@[192.0.2.1]x>', 'invalidAddress'],
  ['<a@b:c>', 'colonInHost'],
];

test('§9 syntax errors in MAIL: the texts of sendmail, `<addr>... ` prefixed (553)', async () => {
  const c = await greeted(srv);
  await asSender(c, ROWS.map(([path, key, vars]) => [path, r(key, vars, path)] as const));
  assert.equal(r('unbalanced', { char: '<' }, '<<a@example.org>'), "553 5.0.0 <<a@example.org>... Unbalanced '<'");
  c.close();
});

test('§9 syntax errors in RCPT, and the group syntax refused for recipients', async () => {
  const c = await greeted(srv);
  await asRecipient(c, [
    ...ROWS.map(([path, key, vars]) => [path, r(key, vars, path)] as const),
    ['<list:;>', r('listSyntax', undefined, '<list:;>')],
    ['<friends: a@example.org, b@example.org;>', r('listSyntax', undefined, '<friends: a@example.org, b@example.org;>')],
  ]);
  assert.equal(r('listSyntax', undefined, '<list:;>'), '553 5.1.3 <list:;>... List:; syntax illegal for recipient addresses');
  c.close();
});

test('§9 accepted forms: doubled brackets, domain literals, quoted local parts, comments', async () => {
  const c = await greeted(srv);
  const ok = (p: string): readonly [string, string] => [p, r('senderOk', undefined, p)];
  await asSender(c, [
    ok('<<user@example.com>>'),
    ok('<a@[192.0.2.1]>'),
    ok('<a@[IPv6:2001:db8::1]>'),
    ok('<"john doe"@example.org>'),
    ok('<john.doe@example.org.>'),
    ok('<a(comment)@example.org>'),
  ]);
  c.close();
});

test('§9 control characters and 8-bit octets without SMTPUTF8: 501 with the address sanitised', async () => {
  const c = await greeted(srv);
  await asSender(c, [
    ['<a\x01b@example.org>', r('eightBitSender', { value: '<a?b@example.org>' })],
    ['<j\xf6ran@example.org>', r('eightBitSender', { value: '<j?ran@example.org>' })],
  ]);
  await asRecipient(c, [
    ['<a\x7fb@mx.example.com>', r('eightBitRecipient', { value: '<a?b@mx.example.com>' })],
    ['<b\xe9b@mx.example.com>', r('eightBitRecipient', { value: '<b?b@mx.example.com>' })],
  ]);
  assert.equal(r('eightBitSender', { value: 'x' }), '501 5.1.7 8-bit character in mailbox address "x"');
  assert.equal(r('eightBitRecipient', { value: 'x' }), '501 5.1.3 8-bit character in mailbox address "x"');
  c.close();
});

test('§9 SMTPUTF8 offered: a non-ASCII address needs the SMTPUTF8 parameter on MAIL', async () => {
  const s = await startTestServer({ conf: ['SMTPUTF8 = True'] });
  try {
    const c = await greeted(s);
    const sender = Buffer.from('<jöran@exämple.org>', 'utf8').toString('latin1');
    const rcpt = Buffer.from('<jöran@remote.example>', 'utf8').toString('latin1');
    await asSender(c, [[sender, r('needSmtputf8', undefined, sender)]]);
    await asRecipient(c, [[rcpt, r('needSmtputf8', undefined, rcpt)]]);
    assert.equal(await c.cmd('RSET'), r('resetState'));
    assert.equal(await c.cmd(`MAIL FROM:${sender} SMTPUTF8`), r('senderOk', undefined, sender));
    assert.equal(await c.cmd(`RCPT TO:${rcpt}`), r('recipientOk', undefined, rcpt));
    c.close();
  } finally {
    await s.close();
  }
});

test('§3.2 address limits: 256 octets as typed with brackets, local part 64 octets', async () => {
  const c = await greeted(srv);
  const domainFor = (n: number): string => {
    // labels of 60 characters joined by dots, `n` characters in all
    let d = '';
    while (d.length < n) d += d === '' ? 'a'.repeat(Math.min(60, n)) : `.${'b'.repeat(Math.min(60, n - d.length - 1))}`;
    return d;
  };
  const at256 = `<x@${domainFor(256 - 4)}>`;
  const at257 = `<x@${domainFor(257 - 4)}>`;
  assert.equal(at256.length, 256);
  assert.equal(at257.length, 257);
  const short = `${at257.slice(0, 100)}...`;
  const local64 = `<${'l'.repeat(64)}@example.org>`;
  const local65 = `<${'l'.repeat(65)}@example.org>`;
  await asSender(c, [
    [at256, r('senderOk', undefined, at256)],
    [at257, r('addressTooLong', { short }, short)],
    [local64, r('senderOk', undefined, local64)],
    [local65, r('localPartTooLong', undefined, local65)],
  ]);
  assert.equal(r('addressTooLong', { short: 'S' }, 'S'), '553 5.1.0 S... Address "S" too long (256 bytes max)');
  await asRecipient(c, [
    [at257, r('addressTooLong', { short }, short)],
    [`<${'l'.repeat(65)}@mx.example.com>`, r('localPartTooLong', undefined, `<${'l'.repeat(65)}@mx.example.com>`)],
  ]);
  c.close();
});

test('§9 VRFY and EXPN parse addresses the same way (PrivacyOptions = public)', async () => {
  const s = await startTestServer({ conf: ['PrivacyOptions = public'] });
  try {
    const c = await greeted(s);
    await talk(c, [
      ['VRFY <user@>', r('hostnameRequired', undefined, '<user@>')],
      ['EXPN <a@b@c>', r('invalidRoute', undefined, '<a@b@c>')],
    ]);
    c.close();
  } finally {
    await s.close();
  }
});
