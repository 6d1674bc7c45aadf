// relay-and-access.md §8 and §11 through a real session: a client listed in a DNS blocklist gets the
// [Postern] 554 greeting and a null session whose rejection is the list's reply; quarantine and discard
// verdicts accept mail and hold or drop it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reverseName, type Zone } from '../helpers/dns-server.js';
import { startTestServer } from '../helpers/server.js';

const LISTED = '127.0.0.8';
const CLEAN = '127.0.0.9';

const listName = (ip: string): string => `${reverseName(ip).replace('.in-addr.arpa', '')}.bl.example.org`;

function zone(): Zone {
  return {
    wildcardA: '192.0.2.1',
    A: { [listName(LISTED)]: ['127.0.0.2'] },
    // Every other name exists in this zone; the list must not know the clean client.
    special: { [listName(CLEAN)]: 'nxdomain' },
  };
}

test('§11 a DNSBL-listed client: 554 greeting, EHLO with ENHANCEDSTATUSCODES only, MAIL and RCPT get the listing', async () => {
  const srv = await startTestServer({ dns: zone(), conf: ['Feature dnsbl, bl.example.org', 'Class w example.com'] });
  try {
    const c = await srv.connect({ localAddress: LISTED });
    assert.equal(await c.text(), '554 mx.example.com ESMTP not accepting messages');
    assert.equal(
      await c.cmd('EHLO bad.example.net'),
      `250-mx.example.com Hello [${LISTED}], pleased to meet you\n250 ENHANCEDSTATUSCODES`,
    );
    const listed = `550 5.7.1 Rejected: ${LISTED} listed at bl.example.org`;
    assert.equal(await c.cmd('MAIL FROM:<a@b.example>'), listed);
    assert.equal(await c.cmd('RCPT TO:<bob@example.com>'), listed);
    assert.equal(await c.cmd('NOOP'), '250 2.0.0 OK');
    assert.equal(await c.cmd('QUIT'), '221 2.0.0 mx.example.com closing connection');
    // A client the list does not know is served normally.
    const ok = await srv.session({ localAddress: CLEAN });
    await ok.cmd('EHLO good.example.net');
    assert.equal(await ok.cmd('MAIL FROM:<a@b.example>'), '250 2.1.0 <a@b.example>... Sender ok');
    assert.equal(await ok.cmd('RCPT TO:<bob@example.com>'), '250 2.1.5 <bob@example.com>... Recipient ok');
    ok.close();
  } finally {
    await srv.close();
  }
});

test('§8.1 a custom message with a macro, and delay_checks moving the listing to RCPT', async () => {
  const srv = await startTestServer({
    dns: zone(),
    conf: ['Feature dnsbl, bl.example.org, "550 Mail from " $&{client_addr} " refused"', 'Feature delay_checks', 'Class w example.com'],
  });
  try {
    const c = await srv.session({ localAddress: LISTED });
    await c.cmd('EHLO bad.example.net');
    assert.equal(await c.cmd('MAIL FROM:<a@b.example>'), '250 2.1.0 <a@b.example>... Sender ok');
    assert.equal(await c.cmd('RCPT TO:<bob@example.com>'), `550 5.7.1 <bob@example.com>... Mail from ${LISTED} refused`);
    c.close();
  } finally {
    await srv.close();
  }
});

test('§8.1 quarantine and discard: the message is accepted, then held or dropped', async () => {
  for (const action of ['quarantine', 'discard'] as const) {
    const srv = await startTestServer({ dns: zone(), conf: [`Feature dnsbl, bl.example.org, ${action}`, 'Class w example.com'] });
    try {
      const c = await srv.session({ localAddress: LISTED });
      await c.cmd('EHLO bad.example.net');
      assert.equal(await c.cmd('MAIL FROM:<a@b.example>'), '250 2.1.0 <a@b.example>... Sender ok');
      assert.equal(await c.cmd('RCPT TO:<bob@example.com>'), '250 2.1.5 <bob@example.com>... Recipient ok');
      await c.cmd('DATA');
      c.send('Subject: listed\r\n\r\nbody\r\n.\r\n');
      assert.match(await c.text(), /^250 2\.0\.0 \S{14} Message accepted for delivery$/);
      c.close();
      const queued = await srv.messages();
      if (action === 'quarantine') {
        assert.equal(queued.length, 1);
        assert.equal(queued[0]!.envelope.quarantine, 'bl.example.org');
        assert.equal(queued[0]!.state.quarantine, 'bl.example.org');
      } else {
        assert.equal(queued.length, 0);
        assert.ok(srv.logs.some((l) => l.stat === 'discarded'));
      }
    } finally {
      await srv.close();
    }
  }
});
