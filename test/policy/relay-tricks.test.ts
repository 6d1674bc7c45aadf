// relay-and-access.md §3: every classic relay-abuse address form, tried from every kind of client that
// may not relay (no PTR, a forward-confirmed name, a forged name, a PTR lookup that fails temporarily).
// None of them opens a relay: each is refused with that client's reason; local forms reach local checks.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { reverseName, type Zone } from '../helpers/dns-server.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const CLIENTS = {
  'no PTR': { ip: '127.0.0.4', refusal: (a: string) => `550 5.7.1 ${a}... Relaying denied. IP name lookup failed [127.0.0.4]` },
  named: { ip: '127.0.0.5', refusal: (a: string) => `550 5.7.1 ${a}... Relaying denied` },
  forged: { ip: '127.0.0.6', refusal: (a: string) => `550 5.7.1 ${a}... Relaying denied. IP name possibly forged [127.0.0.6]` },
  'PTR temp failure': {
    ip: '127.0.0.7',
    refusal: (a: string) => `450 4.4.0 ${a}... Relaying temporarily denied. Cannot resolve PTR record for 127.0.0.7`,
  },
} as const;

const ZONE: Zone = {
  wildcardA: '192.0.2.1',
  PTR: { [reverseName('127.0.0.5')]: ['client.example.net'], [reverseName('127.0.0.6')]: ['forged.example.net'] },
  A: { 'client.example.net': ['127.0.0.5'], 'forged.example.net': ['192.0.2.66'] },
  special: { [reverseName('127.0.0.7')]: 'servfail' },
};

/** Forms that must be judged as mail to evil.example (example.com is local here). */
const REMOTE_FORMS = [
  '<user%evil.example@example.com>',
  '<"user@evil.example"@example.com>',
  '<"user@evil.example">',
  '<"user%evil.example">',
  '<user%evil.example>',
  '<user%evil.example%example.com@example.com>',
  '<user@evil.example%example.com>',
  '<evil.example!user@example.com>',
  '<@example.com:user@evil.example>',
  '<@mx.example.com,@evil.example:user@evil.example>',
  '<example.com!evil.example!user>',
  '<user@evil.example.>',
  '<user@EVIL.EXAMPLE>',
  '<user@[203.0.113.5]>',
];

let srv: TestServer;
before(async () => {
  srv = await startTestServer({ dns: ZONE, conf: ['Class w example.com'] });
});
after(async () => {
  await srv.close();
});

for (const [kind, client] of Object.entries(CLIENTS)) {
  test(`§3 relay tricks from a client with ${kind}: all refused, local forms checked as local`, async () => {
    const c = await srv.session({ localAddress: client.ip });
    try {
      await c.cmd('EHLO client.example');
      assert.equal(await c.cmd('MAIL FROM:<a@gmail.example>'), '250 2.1.0 <a@gmail.example>... Sender ok');
      for (const form of REMOTE_FORMS) assert.equal(await c.cmd(`RCPT TO:${form}`), client.refusal(form), form);
      // Two unquoted @ are a syntax error for everyone; an escaped @ stays a (non-existent) local user;
      // a source route through somewhere else to a local user is local.
      assert.equal(
        await c.cmd('RCPT TO:<user@evil.example@example.com>'),
        '553 5.1.3 <user@evil.example@example.com>... Invalid route address',
      );
      assert.equal(await c.cmd('RCPT TO:<user\\@evil.example@example.com>'), '550 5.1.1 <user\\@evil.example@example.com>... User unknown');
      assert.equal(await c.cmd('RCPT TO:<@evil.example:bob@example.com>'), '250 2.1.5 <@evil.example:bob@example.com>... Recipient ok');
    } finally {
      c.close();
    }
  });
}

test('§3 from the host itself every form is accepted and queued to its real destination', async () => {
  const c = await srv.session();
  await c.cmd('EHLO localhost');
  await c.cmd('MAIL FROM:<a@gmail.example>');
  // All three are user@evil.example: the later ones are answered with the first spelling (§1 rule 3).
  const first = '<user%evil.example@example.com>';
  for (const form of [first, '<evil.example!user@example.com>', '<@example.com:user@evil.example>']) {
    assert.equal(await c.cmd(`RCPT TO:${form}`), `250 2.1.5 ${first}... Recipient ok`);
  }
  assert.equal(await c.cmd('DATA'), '354 End data with <CR><LF>.<CR><LF>');
  c.send('Subject: tricks\r\n\r\nx\r\n.\r\n');
  assert.match(await c.text(), /^250 2\.0\.0 /);
  c.close();
  const [m] = (await srv.messages()).slice(-1);
  // The three spellings are one recipient: user@evil.example.
  assert.deepEqual(m!.envelope.recipients.map((r) => r.address), ['user@evil.example']);
});
