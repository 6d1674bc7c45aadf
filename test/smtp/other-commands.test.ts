// smtp-session.md §13 (RSET, NOOP, QUIT, VRFY, EXPN, VERB, ETRN, HELP), §10 (STARTTLS and AUTH when
// they are not configured) and the address-prefix rule of §1 rule 3.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { RawClient } from '../helpers/raw-client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { HELP_TOPICS } from '../../src/smtp/help-text.js';
import { envelope, expectClose, greeted, queuedWith, r, talk } from './conformance.js';

let srv: TestServer;
let pub: TestServer;
before(async () => {
  [srv, pub] = await Promise.all([startTestServer(), startTestServer({ conf: ['PrivacyOptions = public'] })]);
});
after(async () => {
  await Promise.all([srv.close(), pub.close()]);
});

test('§13 RSET clears the transaction and keeps the HELO state; arguments are ignored', async () => {
  const c = await greeted(srv);
  await talk(c, [
    ['MAIL FROM:<a@example.org>', r('senderOk', undefined, '<a@example.org>')],
    ['RSET', r('resetState')],
    ['RCPT TO:<bob@mx.example.com>', r('needMail')],
    ['MAIL FROM:<a@example.org>', r('senderOk', undefined, '<a@example.org>')],
    ['RSET now please', r('resetState')],
    ['DATA', r('needMailCommand')],
  ]);
  assert.equal(r('resetState'), '250 2.0.0 Reset state');
  c.close();
});

test('§13 NOOP', async () => {
  const c = await srv.session();
  await talk(c, [
    ['NOOP', '250 2.0.0 OK'],
    ['NOOP with words', r('ok')],
  ]);
  c.close();
});

test('§13 QUIT: 221, close; pipelined commands behind it get no reply; an open transaction is discarded', async () => {
  const c = await greeted(srv);
  await envelope(c, '<a@example.org>', ['<bob@mx.example.com>']);
  c.send('QUIT\r\nNOOP\r\nRSET\r\n');
  await expectClose(c, r('closing'));
  assert.equal(r('closing'), '221 2.0.0 mx.example.com closing connection');
  const args = await srv.session();
  args.send('QUIT right now\r\n');
  await expectClose(args, r('closing'));
  // A message cut off by QUIT inside its text is never queued either (the QUIT is message text).
  const mid = await greeted(srv);
  await envelope(mid, '<a@example.org>', ['<bob@mx.example.com>']);
  assert.equal(await mid.cmd('DATA'), r('startData'));
  mid.send('Subject: quit-mid\r\n\r\nQUIT\r\n');
  mid.close();
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(await queuedWith(srv, 'quit-mid'), []);
});

test('§13 VRFY allowed (public): users with full name, aliases unexpanded, remote, unknown, no argument', async () => {
  const c = await greeted(pub);
  await talk(c, [
    ['VRFY root', '250 2.1.5 Charlie Root <root@mx.example.com>'],
    ['VRFY ann', '250 2.1.5 <ann@mx.example.com>'],
    ['VRFY <ann@mx.example.com>', '250 2.1.5 <ann@mx.example.com>'],
    ['VRFY <user@remote.example>', '252 2.1.5 <user@remote.example>'],
    ['VRFY nobody-here', '550 5.1.1 nobody-here... User unknown'],
    ['VRFY', r('argumentRequired')],
  ]);
  assert.equal(r('argumentRequired'), '501 5.5.2 Argument required');
  c.close();
});

test('§13 VRFY allowed, needvrfyhelo, no HELO: 503', async () => {
  const s = await startTestServer({ conf: ['PrivacyOptions = needvrfyhelo'] });
  try {
    const c = await s.session();
    assert.equal(await c.cmd('VRFY root'), r('introduceYourself'));
    c.close();
  } finally {
    await s.close();
  }
});

test('§13 EXPN allowed (public): the team alias expanded, duplicates removed; unknown; no argument', async () => {
  const c = await greeted(pub);
  await talk(c, [
    ['EXPN team', '250-2.1.5 Charlie Root <root@mx.example.com>\n250 2.1.5 <cy@remote.example>'],
    ['EXPN root', '250 2.1.5 Charlie Root <root@mx.example.com>'],
    ['EXPN nobody-here', '550 5.1.1 nobody-here... User unknown'],
    ['EXPN', r('argumentRequired')],
  ]);
  c.close();
});

test('§13 VERB allowed (public): 250 Verbose mode, arguments ignored', async () => {
  const c = await greeted(pub);
  await talk(c, [
    ['VERB', '250 2.0.0 Verbose mode'],
    ['VERB on', r('verboseMode')],
    ['NOOP', r('ok')],
  ]);
  c.close();
});

test('§13 ETRN: no argument, node as given, @domain, queue groups; no HELO needed', async () => {
  const c = await srv.session();
  await talk(c, [
    ['ETRN', r('etrnNeedsParameter')],
    ['ETRN example.com', r('etrnStarted', { node: 'example.com' })],
    ['ETRN @example.com', '250 2.0.0 Queuing for node @example.com started'],
    ['ETRN #mqueue', r('etrnGroupStarted', { group: 'mqueue' })],
    ['ETRN #nosuch', r('etrnGroupUnknown', { group: 'nosuch' })],
    // The argument is echoed under §1 rule 4: sanitised, and cut to 97 characters + `...`.
    ['ETRN a\x01\xffb', r('etrnStarted', { node: 'a??b' })],
    [`ETRN ${'n'.repeat(150)}`, r('etrnStarted', { node: `${'n'.repeat(97)}...` })],
    ['ETRN #\x01', r('etrnGroupUnknown', { group: '?' })],
  ]);
  assert.equal(r('etrnNeedsParameter'), '500 5.5.2 Parameter required');
  assert.equal(r('etrnGroupStarted', { group: 'mqueue' }), '250 2.0.0 Queuing for queue group mqueue started');
  assert.equal(r('etrnGroupUnknown', { group: 'nosuch' }), '459 4.5.4 Queue nosuch unknown');
  c.close();
});

test('§13 HELP: overview without version; every topic case-insensitive; unknown topic cut to 10 characters', async () => {
  const h = await srv.session();
  const all = await h.cmd('HELP');
  const lines = all.split('\n');
  assert.ok(lines.length > 2);
  for (const l of lines.slice(0, -1)) assert.match(l, /^214-2\.0\.0 /);
  assert.equal(lines.at(-1), '214 2.0.0 End of HELP info');
  assert.doesNotMatch(all, /0\.0\.0-test|version/i, 'no version shown');
  const expected = ['HELO', 'EHLO', 'MAIL', 'RCPT', 'DATA', 'RSET', 'NOOP', 'QUIT', 'HELP', 'VRFY', 'EXPN', 'VERB', 'ETRN', 'DSN', 'AUTH', 'STARTTLS'];
  assert.deepEqual([...HELP_TOPICS].sort(), [...expected].sort());
  for (const topic of expected) {
    const reply = await h.cmd(`HELP ${topic.toLowerCase()}`);
    const tl = reply.split('\n');
    assert.ok(tl.length >= 2, topic);
    assert.match(tl[0]!, /^214-2\.0\.0 \S/, topic);
    assert.equal(tl.at(-1), '214 2.0.0 End of HELP info', topic);
  }
  assert.match(await h.cmd('HELP MAIL'), /^214-2\.0\.0 MAIL From:<sender> \[ <parameters> \]\n/);
  // Disabled commands still have their help.
  assert.match(await h.cmd('HELP EXPN'), /^214-2\.0\.0 EXPN /);
  assert.equal(await h.cmd('HELP UNKNOWNTOPIC'), '504 5.3.0 HELP topic "unknowntop" unknown');
  assert.equal(await h.cmd('HELP x\x01y'), r('helpUnknown', { topic: 'x?y' }));
  h.close();
});

test('§10.1 STARTTLS without TLS: argument check first, then 454; listener modifier S gives 503', async () => {
  const c = await greeted(srv);
  await talk(c, [
    ['STARTTLS now', r('tlsNoParams')],
    ['STARTTLS', r('tlsUnavailable')],
    ['MAIL FROM:<a@example.org>', r('senderOk', undefined, '<a@example.org>')],
    ['STARTTLS', r('tlsUnavailable')],
  ]);
  assert.equal(r('tlsNoParams'), '501 5.5.2 Syntax error (no parameters allowed)');
  assert.equal(r('tlsUnavailable'), '454 4.3.3 TLS not available after start');
  c.close();
  const before = await srv.session();
  assert.equal(await before.cmd('STARTTLS'), r('tlsUnavailable'), 'STARTTLS before HELO is allowed');
  before.close();
  const s = await startTestServer({ conf: ['DaemonPortOptions = Name=NOTLS, Addr=127.0.0.1, Port=0, M=S'] });
  try {
    const d = await RawClient.connect(s.server.addresses()[1]!.port);
    await d.reply();
    await talk(d, [
      ['STARTTLS x', r('tlsNoParams')],
      ['STARTTLS', '503 5.5.0 TLS not available'],
    ]);
    d.close();
  } finally {
    await s.close();
  }
});

test('§10.2 AUTH when not offered: no mechanism, an unknown one (name cut to 32), inside a transaction', async () => {
  // One AUTH per session: the auth counter's limit is the number of mechanisms + 1 (§3.4).
  const cases: Array<[string[], string, string]> = [
    [[], 'AUTH PLAIN', '504 5.3.3 AUTH mechanism PLAIN not available'],
    [[], 'AUTH', r('authNoMechanism')],
    [[], 'AUTH LOGIN dXNlcg==', r('authMechanismUnavailable', { name: 'LOGIN' })],
    [[], `AUTH ${'M'.repeat(40)}`, r('authMechanismUnavailable', { name: 'M'.repeat(32) })],
    [[], 'AUTH X\x01\xe9', r('authMechanismUnavailable', { name: 'X??' })],
    [['MAIL FROM:<a@example.org>'], 'AUTH PLAIN', r('authInTransaction')],
  ];
  await Promise.all(
    cases.map(async ([before, line, want]) => {
      const c = await greeted(srv);
      for (const b of before) assert.match(await c.cmd(b), /^250 /);
      assert.equal(await c.cmd(line), want, line);
      c.close();
    }),
  );
  assert.equal(r('authNoMechanism'), '501 5.5.2 AUTH mechanism must be specified');
  assert.equal(r('authInTransaction'), '503 5.5.0 AUTH not permitted during a mail transaction');
  // Without AUTH on the listener, the relay refusal does not ask for authentication (this client has
  // no PTR record, so the refusal says so: relay-and-access.md §7.3 step 6).
  const foreign = await greeted(srv, { localAddress: '127.0.0.2' });
  assert.equal(await foreign.cmd('MAIL FROM:<a@example.org>'), r('senderOk', undefined, '<a@example.org>'));
  assert.equal(await foreign.cmd('RCPT TO:<x@other.example>'), '550 5.7.1 <x@other.example>... Relaying denied. IP name lookup failed [127.0.0.2]');
  foreign.close();
});

test('§1 rule 3: the `<addr>... ` prefix only on 250, 252, 450, 550, 553 replies about one address', async () => {
  const c = await greeted(srv);
  await talk(c, [
    ['MAIL FROM:<a@example.org>', '250 2.1.0 <a@example.org>... Sender ok'],
    ['RCPT TO:<bob@mx.example.com>', '250 2.1.5 <bob@mx.example.com>... Recipient ok'],
    ['RCPT TO:<nobody-here@mx.example.com>', '550 5.1.1 <nobody-here@mx.example.com>... User unknown'],
    ['RCPT TO:<a@>', '553 5.1.3 <a@>... Hostname required'],
    ['RCPT TO:<b\x01@mx.example.com>', '501 5.1.3 8-bit character in mailbox address "<b?@mx.example.com>"'],
    ['RCPT TO:<bob@mx.example.com> FOO=1', '555 5.5.4 FOO parameter unrecognized'],
    ['VRFY root', '252 2.5.2 Cannot VRFY user; try RCPT to attempt delivery (or try finger)'],
  ]);
  c.close();
});
