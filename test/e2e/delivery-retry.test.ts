// The retry schedule through the real daemon: a program that exits 75 and then 0 is retried and
// delivered, without the other recipient getting a second copy; a message that never gets through
// brings its sender a delay warning after Timeout.queuewarn and a 4.4.7 failure after
// Timeout.queuereturn; ETRN starts a run when the daemon runs no queue by itself.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Site, withSubject } from './delivery-fixture.js';

test('EX_TEMPFAIL then success: retried after MinQueueAge and delivered; the mailbox recipient gets one copy', async (t) => {
  const site = await Site.create(t, { format: 'mbox' });
  const d = await site.start();
  const qid = await site.send(d, 'alice@client.example', [site.address('flaky'), site.address(site.bob)], 'retry-me');
  const first = await d.waitForLog((l) => l.event === 'delivery' && l.qid === qid && l.to === '|flaky');
  assert.equal(first.stat, 'Deferred: 450 4.0.0 Deferred');
  assert.equal(first.dsn, '4.0.0');
  // Meanwhile mailq shows why it waits, and only the recipient still pending.
  const q = await site.waitForQueue((list) => list.some((m) => m.envelope.id === qid && m.state.attempts === 1));
  const m = q.find((x) => x.envelope.id === qid)!;
  assert.equal(m.state.status, 'Deferred: 450 4.0.0 Deferred');
  assert.deepEqual(m.state.recipients.map((r) => r.status), ['deferred', 'delivered']);

  const text = await site.waitForFile(join(site.out, 'flaky.txt'), (s) => s.includes('Subject: retry-me'), 10_000);
  assert.match(text, /^From alice@client\.example /);
  await site.waitForQueue((list) => !list.some((x) => x.envelope.id === qid));
  const lines = d.logs.filter((l) => l.event === 'delivery' && l.qid === qid).map((l) => `${String(l.to)} ${String(l.stat)}`);
  assert.deepEqual([...lines].sort(), ['|flaky Deferred: 450 4.0.0 Deferred', '|flaky Sent', `<${site.bob.name}@mx.example.com> Sent`].sort());
  assert.ok(lines.indexOf('|flaky Sent') > lines.indexOf('|flaky Deferred: 450 4.0.0 Deferred'));
  assert.equal(withSubject(await site.mailbox(site.bob), 'retry-me').length, 1);
});

test('queuewarn then queuereturn: a delay warning, then a 4.4.7 failure report; the message leaves the queue', async (t) => {
  const site = await Site.create(t, { format: 'maildir', conf: ['Timeout.queuewarn = 1s', 'Timeout.queuereturn = 3s'] });
  const d = await site.start();
  const from = site.address(site.bob);
  const qid = await site.send(d, from, [site.address('stuck')], 'never-arrives');
  const warned = await site.waitForMail(site.bob, (m) => m.some((x) => x.includes('Subject: Warning: could not send message for past 1 second')), 10_000, 'delay warning');
  const warning = warned.find((x) => x.includes('Subject: Warning'))!;
  assert.match(warning, /\nAuto-Submitted: auto-generated \(warning-timeout\)\n/);
  assert.match(warning, /THIS IS A WARNING MESSAGE ONLY/);
  assert.match(warning, /\nFinal-Recipient: X-Unix; \|tempfail\nAction: delayed\nStatus: 4\.0\.0\n/);
  assert.match(warning, /\nWill-Retry-Until: /);

  const returned = await site.waitForMail(site.bob, (m) => m.some((x) => x.includes('Subject: Returned mail')), 10_000, 'failure report');
  const failure = returned.find((x) => x.includes('Subject: Returned mail'))!;
  assert.match(failure, /\nFinal-Recipient: X-Unix; \|tempfail\nAction: failed\nStatus: 4\.4\.7\n/);
  assert.match(failure, /Message could not be delivered for 3 seconds/);
  // One warning only, and the message is gone from the queue.
  assert.equal((await site.mailbox(site.bob)).filter((x) => x.includes('Subject: Warning')).length, 1);
  await site.waitForQueue((list) => !list.some((x) => x.envelope.id === qid));
  await d.waitForLog((l) => l.event === 'dsn' && l.qid === qid && l.kind === 'delay');
  await d.waitForLog((l) => l.event === 'dsn' && l.qid === qid && l.kind === 'failure');
});

test('ETRN starts a queue run when the daemon attempts nothing by itself', async (t) => {
  const site = await Site.create(t, { format: 'mbox', conf: ['DeliveryMode = queue', 'QueueInterval = 0', 'PrivacyOptions = authwarnings'] });
  const d = await site.start();
  const qid = await site.send(d, 'alice@client.example', [site.address(site.carol)], 'on-demand');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(withSubject(await site.mailbox(site.carol), 'on-demand').length, 0, 'nothing is attempted before ETRN');
  const c = await d.session();
  await c.cmd('EHLO client.example');
  assert.equal(await c.cmd('ETRN mx.example.com'), '250 2.0.0 Queuing for node mx.example.com started');
  c.close();
  await site.waitForMail(site.carol, (m) => withSubject(m, 'on-demand').length === 1);
  await d.waitForLog((l) => l.event === 'delivery' && l.qid === qid && l.stat === 'Sent');
});
