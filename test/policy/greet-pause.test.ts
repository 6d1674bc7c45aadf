// FEATURE(greet_pause) (smtp-session.md §2.1 step 4): a client that talks before the greeting gets
// `554 <j> ESMTP not accepting messages` and a null session answering `550 5.0.0 Command rejected`;
// a patient one is greeted normally after the pause.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';

let srv: TestServer;
before(async () => {
  srv = await startTestServer({ conf: ['Feature greet_pause, 400'] });
});
after(async () => {
  await srv.close();
});

test('an early talker is refused for the whole session', async () => {
  const c = await srv.connect({ localAddress: '127.0.0.3' });
  c.send('EHLO eager.example\r\n');
  assert.equal(await c.text(), '554 mx.example.com ESMTP not accepting messages');
  assert.equal(await c.text(), '250-mx.example.com Hello [127.0.0.3], pleased to meet you\n250 ENHANCEDSTATUSCODES');
  assert.equal(await c.cmd('MAIL FROM:<a@b.example>'), '550 5.0.0 Command rejected');
  assert.equal(await c.cmd('NOOP'), '250 2.0.0 OK');
  c.close();
});

test('a client that waits is greeted after the pause', async () => {
  const start = Date.now();
  const c = await srv.connect({ localAddress: '127.0.0.3' });
  const g = await c.text();
  assert.match(g, /^220 mx\.example\.com ESMTP Postern; /);
  assert.ok(Date.now() - start >= 350, `greeted after ${Date.now() - start} ms`);
  assert.equal(await c.cmd('MAIL FROM:<a@b.example>'), '503 5.0.0 Polite people say HELO first');
  c.close();
});
