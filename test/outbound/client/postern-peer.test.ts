// The client delivering to a Postern instance (test/helpers/server.ts) with STARTTLS: the message is
// queued there exactly as sent, with the envelope, DSN parameters and 8BITMIME carried across, over TLS.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deliver, outboundMessage } from '../../../src/outbound/client/index.js';
import { startTestServer, TEST_HOST, type TestServer } from '../../helpers/server.js';
import { makeCert } from '../certs.js';
import { hop, message, testOptions } from '../options.js';

let dir = '';
let srv: TestServer;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'postern-client-peer-'));
  const { cert, key } = makeCert(dir, TEST_HOST);
  srv = await startTestServer({ conf: [`ServerCertFile = ${cert}`, `ServerKeyFile = ${key}`] });
});

after(async () => {
  await srv.close();
  await rm(dir, { recursive: true, force: true });
});

test('a Postern peer: STARTTLS, one transaction for two local recipients, envelope and body as sent', async () => {
  const body = 'From: ann@src.test\r\nTo: root@mx.example.com\r\nSubject: across\r\n\r\n.dot line\r\ncaf\u00e9\r\n';
  const msg = message(
    body,
    [
      { address: `root@${TEST_HOST}`, notify: ['FAILURE'], orcpt: `rfc822;root@${TEST_HOST}` },
      { address: `bob@${TEST_HOST}`, notify: ['NEVER'] },
    ],
    { bodyType: '8BITMIME', envid: 'ENV-1', ret: 'HDRS', sender: 'ann@src.example' },
  );
  const r = await deliver([hop(srv.port, { host: TEST_HOST })], msg, testOptions());
  assert.deepEqual(
    r.outcomes.map((o) => [o.status, o.reply.code, o.relayed]),
    [
      ['sent', 250, undefined],
      ['sent', 250, undefined],
    ],
  );
  assert.equal(r.tls?.version, 'TLSv1.3');
  assert.equal(r.tls?.peerCN, TEST_HOST);
  const [m] = await srv.messages();
  assert.ok(m !== undefined);
  const env = m.envelope;
  assert.equal(env.sender, 'ann@src.example');
  assert.equal(env.bodyType, '8BITMIME');
  assert.equal(env.envid, 'ENV-1');
  assert.equal(env.ret, 'HDRS');
  assert.equal(env.protocol, 'ESMTPS');
  assert.deepEqual(
    env.recipients.map((x) => [x.address, x.notify, x.orcpt]),
    [
      [`root@${TEST_HOST}`, ['FAILURE'], `rfc822;root@${TEST_HOST}`],
      [`bob@${TEST_HOST}`, ['NEVER'], undefined],
    ],
  );
  const data = Buffer.from(await srv.data(env.id), 'latin1').toString('utf8');
  assert.ok(data.endsWith(body), data);
  assert.match(data, /^Received: from client\.postern\.test/);
});

test('a message queued by Postern, read back from its spool, relayed through the client to another Postern', async () => {
  const first = await startTestServer();
  try {
    const c = await first.session();
    for (const line of ['EHLO relay.test', 'MAIL FROM:<ann@src.example> BODY=8BITMIME RET=FULL ENVID=abc', `RCPT TO:<root@${TEST_HOST}> NOTIFY=SUCCESS`, 'DATA']) {
      await c.cmd(line);
    }
    c.send('Subject: hop\r\n\r\ncaf\u00e9\r\n.\r\n');
    assert.equal((await c.reply()).code, 250);
    await c.cmd('QUIT');
    const [queued] = await first.messages();
    const env = queued!.envelope;
    const body = Buffer.from(await first.data(env.id), 'latin1');
    const msg = outboundMessage(env, env.recipients.map((r) => ({ address: r.address, ...(r.notify !== undefined ? { notify: r.notify } : {}) })), body);
    assert.equal(msg.eightBit, true);
    const before = (await srv.messages()).length;
    const r = await deliver([hop(srv.port, { host: TEST_HOST })], msg, testOptions());
    assert.equal(r.outcomes[0]!.status, 'sent');
    const after = await srv.messages();
    assert.equal(after.length, before + 1);
    const got = after.find((m) => m.envelope.envid === 'abc')!;
    assert.equal(got.envelope.bodyType, '8BITMIME');
    assert.equal(got.envelope.ret, 'FULL');
    assert.deepEqual(got.envelope.recipients[0]!.notify, ['SUCCESS']);
    assert.ok((await srv.data(got.envelope.id)).endsWith(body.toString('latin1')));
  } finally {
    await first.close();
  }
});
