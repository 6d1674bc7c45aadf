// Mail through the real daemon to where it is going: mailboxes (mbox and Maildir), an alias list, a
// program through smrsh, a file under SafeFileEnvironment; failures come back to a local sender as a
// DSN in their mailbox; remote recipients wait in the queue with a clear status; every delivery is
// logged in sendmail's manner.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Site, withSubject } from './delivery-fixture.js';

test('mbox: a list, a program and a file are delivered; the queue is empty afterwards; one log line each', async (t) => {
  const site = await Site.create(t, { format: 'mbox' });
  const d = await site.start();
  const from = 'alice@client.example';
  const qid = await site.send(d, from, [site.address('team'), site.address('prog'), site.address('archive')], 'first');

  const bob = await site.waitForMail(site.bob, (m) => withSubject(m, 'first').length === 1);
  const carol = await site.waitForMail(site.carol, (m) => withSubject(m, 'first').length === 1);
  for (const m of [bob[0]!, carol[0]!]) {
    assert.match(m, /^From alice@client\.example \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\n/);
    assert.match(m, /\nReturn-Path: <alice@client\.example>\n/);
    assert.match(m, new RegExp(`\\nReceived: from client\\.example \\(localhost \\[127\\.0\\.0\\.1\\]\\)\\n\\tby mx\\.example\\.com \\(Postern\\) with ESMTP id ${qid}`));
    assert.match(m, /\n\nHello\.\n\n$/);
  }
  // The mailbox belongs to its user, mode 0600.
  const st = await stat(join(site.mail, site.bob.name));
  assert.deepEqual([st.uid, st.mode & 0o777], [site.bob.uid, 0o600]);

  // The program ran as DefaultUser with the message on stdin (From line first, LF line ends).
  const recorded = await site.waitForFile(join(site.out, 'record.txt'), (s) => s.includes('Subject: first'));
  assert.match(recorded, /^From alice@client\.example /);
  assert.ok(!recorded.includes('\r'));
  // The file was appended in mbox form, created with TempFileMode, owned by DefaultUser.
  const archive = await site.waitForFile(join(site.safe, 'archive'), (s) => s.includes('Subject: first'));
  assert.match(archive, /^From alice@client\.example [^\n]+\nReturn-Path: <alice@client\.example>\n/);
  const ast = await stat(join(site.safe, 'archive'));
  assert.deepEqual([ast.uid, ast.mode & 0o777], [site.dflt.uid, 0o600]);

  const lines = await d.waitUntil(() => {
    const l = d.logs.filter((x) => x.event === 'delivery' && x.qid === qid);
    return l.length === 4 ? l : undefined;
  }, 10_000, 'four delivery log lines');
  const byTo = new Map(lines.map((l) => [String(l.to), l]));
  assert.deepEqual([...byTo.keys()].sort(), [`<${site.bob.name}@mx.example.com>`, `<${site.carol.name}@mx.example.com>`, join(site.safe, 'archive'), '|record'].sort());
  for (const l of lines) {
    assert.equal(l.stat, 'Sent');
    assert.equal(l.dsn, '2.0.0');
    assert.match(String(l.delay), /^\d\d:\d\d:\d\d$/);
    assert.match(String(l.msg), new RegExp(`^${qid}: to=.*, delay=\\d\\d:\\d\\d:\\d\\d, xdelay=\\d\\d:\\d\\d:\\d\\d, mailer=(local|prog|\\*file\\*), pri=\\d+, dsn=2\\.0\\.0, stat=Sent$`));
  }
  assert.equal(byTo.get('|record')?.mailer, 'prog');
  assert.equal(byTo.get('|record')?.ctladdr, `<prog@mx.example.com>`);
  assert.deepEqual(await site.waitForQueue((q) => q.length === 0), []);
});

test('Maildir: each message once in new/, owned by the user; a failure comes back to the local sender as a DSN', async (t) => {
  const site = await Site.create(t, { format: 'maildir' });
  const d = await site.start();
  const from = site.address(site.bob);
  await site.send(d, from, [site.address(site.carol)], 'to-carol');
  const msgs = await site.waitForMail(site.carol, (m) => withSubject(m, 'to-carol').length === 1);
  assert.match(msgs[0]!, new RegExp(`^Return-Path: <${from}>\\n`));
  const newDir = join(site.carol.home, 'Maildir', 'new');
  const st = await stat(newDir);
  assert.deepEqual([st.uid, st.mode & 0o777], [site.carol.uid, 0o700]);

  // The program exits 67 (EX_NOUSER): a permanent failure, reported to bob.
  const qid = await site.send(d, from, [site.address('broken'), site.address(site.carol)], 'will-bounce');
  const bounce = await site.waitForMail(site.bob, (m) => m.some((x) => x.includes('Subject: Returned mail: see transcript for details')), 10_000, 'bounce');
  const dsn = bounce.find((x) => x.includes('Subject: Returned mail'))!;
  assert.match(dsn, /^Return-Path: <>\n/);
  assert.match(dsn, /\nFrom: Mail Delivery Subsystem <MAILER-DAEMON@mx\.example\.com>\n/);
  assert.match(dsn, /\nAuto-Submitted: auto-generated \(failure\)\n/);
  assert.match(dsn, /   ----- The following addresses had permanent fatal errors -----\n\|refuse\n    \(reason: refuse: no such mailbox here\)\n/);
  assert.match(dsn, /\nFinal-Recipient: X-Unix; \|refuse\nAction: failed\nStatus: 5\.1\.1\nDiagnostic-Code: X-Unix; refuse: no such mailbox here\n/);
  assert.match(dsn, /\nContent-Type: message\/rfc822\n\n[\s\S]*Subject: will-bounce\n/);
  // carol, the other recipient of the same message, got it; the message is finished.
  await site.waitForMail(site.carol, (m) => withSubject(m, 'will-bounce').length === 1);
  const line = await d.waitForLog((l) => l.event === 'delivery' && l.qid === qid && l.to === '|refuse');
  assert.equal(line.dsn, '5.1.1');
  assert.equal(line.stat, '550 5.1.1 User unknown');
  await d.waitForLog((l) => l.event === 'dsn' && l.qid === qid && l.kind === 'failure');
});

test('a remote recipient whose domain cannot be looked up stays queued with a clear status; a file outside SafeFileEnvironment bounces', async (t) => {
  const site = await Site.create(t, { format: 'mbox' });
  const d = await site.start();
  const qid = await site.send(d, site.address(site.bob), [site.address('faraway'), site.address('outside')], 'mixed');
  const dsn = await site.waitForMail(site.bob, (m) => m.some((x) => x.includes('Subject: Returned mail')), 10_000, 'bounce');
  assert.match(dsn.find((x) => x.includes('Subject: Returned mail'))!, /\nFinal-Recipient: X-Unix; \/etc\/postern-e2e-outside\nAction: failed\nStatus: 5\.3\.0\n/);
  const q = await site.waitForQueue((list) => list.some((x) => x.envelope.id === qid && x.state.attempts > 0));
  const m = q.find((x) => x.envelope.id === qid)!;
  assert.equal(m.state.status, 'Deferred: 451 4.4.3 Name server: remote.example: host name lookup failure');
  assert.deepEqual(
    m.state.recipients.map((r) => [r.address, r.status]),
    [
      ['faraway@mx.example.com', 'deferred'],
      ['outside@mx.example.com', 'failed'],
    ],
  );
  const line = await d.waitForLog((l) => l.event === 'delivery' && l.qid === qid && l.mailer === 'esmtp');
  assert.equal(line.stat, 'Deferred: 451 4.4.3 Name server: remote.example: host name lookup failure');
  assert.equal(line.to, '<someone@remote.example>');
});

test("root master and unprivileged worker: the worker's runner delivers through the master's agents", async (t) => {
  const site = await Site.create(t, { format: 'mbox', split: true });
  const d = await site.start();
  const qid = await site.send(d, 'alice@client.example', [site.address(site.bob), site.address('prog')], 'split');
  const msgs = await site.waitForMail(site.bob, (m) => withSubject(m, 'split').length === 1);
  assert.match(msgs[0]!, /\nReturn-Path: <alice@client\.example>\n/);
  const st = await stat(join(site.mail, site.bob.name));
  assert.equal(st.uid, site.bob.uid);
  await site.waitForFile(join(site.out, 'record.txt'), (s) => s.includes('Subject: split'));
  await site.waitForQueue((q) => q.length === 0);
  const lines = d.logs.filter((l) => l.event === 'delivery' && l.qid === qid);
  assert.deepEqual(lines.map((l) => l.stat), ['Sent', 'Sent']);
  // The deliveries were logged by the worker, a process other than the master.
  assert.ok(lines.every((l) => l.pid !== d.pid));
});
