import { test } from 'node:test';
import assert from 'node:assert/strict';
import { directRecipientReply, parseAddress, type AddressOptions, type ParsedAddress } from '../../src/smtp/address.js';
import { REPLIES, render, type ReplyDef } from '../../src/smtp/replies.js';

const RCPT: AddressOptions = { role: 'RCPT' };
const MAIL: AddressOptions = { role: 'MAIL' };

function rejected(typed: string, opts: AddressOptions): string {
  const r = parseAddress(typed, opts);
  assert.equal(r.ok, false, `expected ${JSON.stringify(typed)} to be rejected`);
  if (r.ok) throw new Error('unreachable');
  assert.equal(r.reply.lines.length, 1);
  return r.reply.lines[0];
}

function accepted(typed: string, opts: AddressOptions = RCPT): ParsedAddress {
  const r = parseAddress(typed, opts);
  if (!r.ok) assert.fail(`expected ${JSON.stringify(typed)} to be accepted, got ${r.reply.lines[0]}`);
  return r;
}

test('§9 table: each syntax error with its reply, the address echoed as typed', () => {
  const rows: [string, ReplyDef, Record<string, string>?][] = [
    ['<user@example.com', REPLIES.unbalanced, { char: '<' }],
    ['<user@example.com>>', REPLIES.unbalanced, { char: '>' }],
    ['user@example.com>', REPLIES.unbalanced, { char: '>' }],
    ['<user(comment@example.com>', REPLIES.unbalanced, { char: '(' }],
    ['<user)@example.com>', REPLIES.unbalanced, { char: ')' }],
    ['<"user@example.com>', REPLIES.unbalanced, { char: '"' }],
    ['<@example.com>', REPLIES.userAddressRequired9],
    ['<user@>', REPLIES.hostnameRequired],
    ['<user@@example.com>', REPLIES.invalidRoute],
    ['<a@b@c>', REPLIES.invalidRoute],
    ['<user@evil.example@example.com>', REPLIES.invalidRoute],
    ['<user@.example.com>', REPLIES.invalidHost],
    ['<user@a..b>', REPLIES.invalidHost],
    ['<user@example.com..>', REPLIES.invalidHost],
    ['<a@[192.0.2.1]x>', REPLIES.invalidAddress],
    ['<a@[not.an.address]>', REPLIES.invalidAddress],
    ['<a@b:c>', REPLIES.colonInHost],
    ['<list:;>', REPLIES.listSyntax],
    ['<list: a@b.example, c@d.example;>', REPLIES.listSyntax],
    ['<a@b>x', REPLIES.invalidAddress],
    ['<a<b>@c>', REPLIES.invalidAddress],
    ['<a b@c>', REPLIES.invalidAddress],
    ['<a,b@c>', REPLIES.invalidAddress],
    ['<a:b@c>', REPLIES.invalidAddress],
    ['<a@b\\>', REPLIES.unbalanced, { char: '<' }],
    ['a@b\\', REPLIES.invalidAddress],
    ['<@a.example,@@b.example:user@c.example>', REPLIES.invalidRoute],
    ['<@a..example:user@c.example>', REPLIES.invalidRoute],
  ];
  for (const [typed, d, vars] of rows) {
    assert.equal(rejected(typed, RCPT), render(d, vars, typed), typed);
  }
  // Literal wire strings from the spec, so that a wrong table entry shows too.
  assert.equal(rejected('<user@>', RCPT), '553 5.1.3 <user@>... Hostname required');
  assert.equal(rejected('<a@b@c>', RCPT), '553 5.1.3 <a@b@c>... Invalid route address');
  assert.equal(rejected('<a@[192.0.2.1]x>', RCPT), '553 5.1.2 <a@[192.0.2.1]x>... Invalid address');
  assert.equal(rejected('<user@a..b>', RCPT), '553 5.1.2 <user@a..b>... Invalid host name');
  assert.equal(rejected('<a@b:c>', RCPT), '553 5.1.3 <a@b:c>... Colon illegal in host name part');
  assert.equal(rejected('<list:;>', RCPT), '553 5.1.3 <list:;>... List:; syntax illegal for recipient addresses');
  assert.equal(rejected('<user@example.com', RCPT), "553 5.0.0 <user@example.com... Unbalanced '<'");
  assert.equal(rejected('<@example.com>', RCPT), '553 5.1.3 <@example.com>... User address required');
  assert.equal(
    rejected('<user@evil.example@example.com>', MAIL),
    '553 5.1.3 <user@evil.example@example.com>... Invalid route address',
  );
});

test('group syntax is refused for MAIL and VRFY too, with the generic text', () => {
  assert.equal(rejected('<list:;>', MAIL), render(REPLIES.invalidAddress, undefined, '<list:;>'));
  assert.equal(rejected('list:;', { role: 'VRFY' }), render(REPLIES.invalidAddress, undefined, 'list:;'));
});

test('§7 step 4: RCPT TO:<> needs a user address; MAIL FROM:<> is the null sender', () => {
  assert.equal(rejected('<>', RCPT), render(REPLIES.userAddressRequired, undefined, '<>'));
  assert.equal(rejected('<>', RCPT), '553 5.0.0 <>... User address required');
  const n = accepted('<>', MAIL);
  assert.deepEqual(n, { ok: true, typed: '<>', address: '', localPart: '', domain: undefined, quotedLocal: false, kind: 'mailbox' });
  assert.equal(accepted('<<>>', MAIL).address, '');
});

test('accepted forms: brackets, doubled brackets, bare, routes, quotes, literals', () => {
  const rows: [string, string, string, string | undefined, boolean][] = [
    ['<alice@example.com>', 'alice@example.com', 'alice', 'example.com', false],
    ['alice@example.com', 'alice@example.com', 'alice', 'example.com', false],
    ['<<user@example.net>>', 'user@example.net', 'user', 'example.net', false],
    ['< user@example.net >', 'user@example.net', 'user', 'example.net', false],
    ['<@a.example,@b.example:user@host.example>', 'user@host.example', 'user', 'host.example', false],
    ['<@example.com:user@evil.example>', 'user@evil.example', 'user', 'evil.example', false],
    ['<"john doe"@example.com>', '"john doe"@example.com', '"john doe"', 'example.com', true],
    ['<"user@evil.example"@example.com>', '"user@evil.example"@example.com', '"user@evil.example"', 'example.com', true],
    ['<"user@evil.example">', '"user@evil.example"', '"user@evil.example"', undefined, true],
    ['<user\\@evil.example@example.com>', 'user\\@evil.example@example.com', 'user\\@evil.example', 'example.com', false],
    ['<user%evil.example@example.com>', 'user%evil.example@example.com', 'user%evil.example', 'example.com', false],
    ['<user@evil.example%example.com>', 'user@evil.example%example.com', 'user', 'evil.example%example.com', false],
    ['<evil.example!user@example.com>', 'evil.example!user@example.com', 'evil.example!user', 'example.com', false],
    ['<example.com!evil.example!user>', 'example.com!evil.example!user', 'example.com!evil.example!user', undefined, false],
    ['<user@[192.0.2.1]>', 'user@[192.0.2.1]', 'user', '[192.0.2.1]', false],
    ['<user@[IPv6:2001:db8::1]>', 'user@[IPv6:2001:db8::1]', 'user', '[IPv6:2001:db8::1]', false],
    ['<user@evil.example.>', 'user@evil.example.', 'user', 'evil.example.', false],
    ['<postmaster>', 'postmaster', 'postmaster', undefined, false],
    ['<a(comment)@example.com>', 'a@example.com', 'a', 'example.com', false],
    ['<first.last+tag@sub.example.co.uk>', 'first.last+tag@sub.example.co.uk', 'first.last+tag', 'sub.example.co.uk', false],
  ];
  for (const [typed, address, localPart, domain, quotedLocal] of rows) {
    const a = accepted(typed);
    assert.deepEqual(
      { typed: a.typed, address: a.address, localPart: a.localPart, domain: a.domain, quotedLocal: a.quotedLocal },
      { typed, address, localPart, domain, quotedLocal },
      typed,
    );
  }
  assert.equal(accepted('nobody-here', { role: 'VRFY' }).address, 'nobody-here');
});

test('§3.2 length limits: address 256 octets as typed, local part 64, domain 255', () => {
  const at256 = `<${'a'.repeat(60)}@${'b.'.repeat(93)}example>`;
  assert.equal(at256.length, 256);
  accepted(at256);
  const at257 = `<${'a'.repeat(61)}@${'b.'.repeat(93)}example>`;
  const short = `${at257.slice(0, 100)}...`;
  assert.equal(rejected(at257, RCPT), render(REPLIES.addressTooLong, { short }, short));
  assert.equal(rejected(at257, RCPT), `553 5.1.0 ${short}... Address "${short}" too long (256 bytes max)`);
  assert.equal(rejected(`<${'x'.repeat(1500)}@example.com>`, MAIL).startsWith('553 5.1.0 <xxxx'), true);

  accepted(`<${'l'.repeat(64)}@example.com>`);
  const l65 = `<${'l'.repeat(65)}@example.com>`;
  assert.equal(rejected(l65, RCPT), render(REPLIES.localPartTooLong, undefined, l65));
  assert.equal(rejected(l65, RCPT), `553 5.1.3 ${l65}... Local part too long`);
  assert.equal(rejected(l65, MAIL), `553 5.1.3 ${l65}... Local part too long`);
});

test('§9: control and 8-bit characters, SMTPUTF8', () => {
  const ctl = '<a\x01b@example.com>';
  assert.equal(rejected(ctl, MAIL), render(REPLIES.eightBitSender, { value: '<a?b@example.com>' }));
  assert.equal(rejected(ctl, MAIL), '501 5.1.7 8-bit character in mailbox address "<a?b@example.com>"');
  assert.equal(rejected(ctl, RCPT), '501 5.1.3 8-bit character in mailbox address "<a?b@example.com>"');
  assert.equal(rejected(ctl, { role: 'RCPT', smtputf8Offered: true, smtputf8Requested: true }), render(REPLIES.eightBitRecipient, { value: '<a?b@example.com>' }));

  const eight = '<j\xfcrgen@example.com>';
  assert.equal(rejected(eight, MAIL), '501 5.1.7 8-bit character in mailbox address "<j?rgen@example.com>"');
  assert.equal(rejected(eight, RCPT), '501 5.1.3 8-bit character in mailbox address "<j?rgen@example.com>"');
  const offered = { role: 'RCPT', smtputf8Offered: true } as const;
  assert.equal(rejected(eight, offered), render(REPLIES.needSmtputf8, undefined, eight));
  assert.equal(rejected(eight, offered), `553 5.6.7 ${eight}... Non-ASCII address requires SMTPUTF8`);
  const utf8 = accepted('<j\u00fcrgen@b\u00fccher.example>', { role: 'MAIL', smtputf8Offered: true, smtputf8Requested: true });
  assert.equal(utf8.domain, 'b\u00fccher.example');
});

test('§7 step 5: programs, files and :include: given directly are refused when delivered locally', () => {
  const local = (d: string): boolean => d === 'example.com' || d === 'mx.example.com';
  const rows: [string, ReplyDef | undefined][] = [
    ['<"|/bin/sh">', REPLIES.mailToProgram],
    ['<"|/bin/sh -c id"@example.com>', REPLIES.mailToProgram],
    ['<|/usr/bin/vacation>', REPLIES.mailToProgram],
    ['</etc/passwd>', REPLIES.mailToFile],
    ['<"/tmp/x"@EXAMPLE.COM.>', REPLIES.mailToFile],
    ['<:include:/etc/mail/list>', REPLIES.mailToInclude],
    ['<:INCLUDE:/etc/mail/list@example.com>', REPLIES.mailToInclude],
    ['<"|/bin/sh"@remote.example>', undefined],
    ['<bob@example.com>', undefined],
  ];
  for (const [typed, d] of rows) {
    const a = accepted(typed);
    const r = directRecipientReply(a, local);
    assert.deepEqual(r?.lines, d === undefined ? undefined : [render(d, undefined, typed)], typed);
  }
  const prog = accepted('<"|/bin/sh">');
  assert.deepEqual(directRecipientReply(prog, local)?.lines, ['550 5.7.1 <"|/bin/sh">... Cannot mail directly to programs']);
  assert.deepEqual(directRecipientReply(accepted('</etc/passwd>'), local)?.lines, [
    '550 5.7.1 </etc/passwd>... Cannot mail directly to files',
  ]);
  assert.deepEqual(directRecipientReply(accepted('<:include:/x>'), local)?.lines, [
    '550 5.7.1 <:include:/x>... Cannot mail directly to :include:s',
  ]);
});

test('hostile input is handled in linear time', () => {
  const many = `<${'"a"'.repeat(80)}>`;
  parseAddress(many, RCPT);
  const nest = `${'<'.repeat(120)}a@b${'>'.repeat(120)}`;
  assert.equal(accepted(nest).address, 'a@b');
  assert.equal(rejected('('.repeat(200), RCPT), render(REPLIES.unbalanced, { char: '(' }, '('.repeat(200)));
});
