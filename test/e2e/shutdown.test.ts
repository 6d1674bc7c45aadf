// SIGTERM: the daemon stops accepting, lets a message in flight finish (and acknowledges it), tells
// idle clients 421, and exits 0 once the last transaction is done.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { E2E_HOST, queued, queuedData, removeDir, startDaemon, tempDaemonDir, writeDaemonConfig } from '../helpers/daemon.js';
import { RawClient } from '../helpers/raw-client.js';
import { ACCEPTED, splitReceived } from './smtp.js';

const SHUTTING_DOWN = `421 4.3.2 ${E2E_HOST} Shutting down; try again later`;

test('SIGTERM: a message in DATA finishes with 250, an idle client gets 421, new connections are refused, exit 0', async (t) => {
  const dir = await tempDaemonDir();
  t.after(() => removeDir(dir));
  const d = await startDaemon({ cwd: dir, config: await writeDaemonConfig(dir), args: ['--grace', '20'] });
  t.after(() => d.stop());

  const busy = await d.session();
  await busy.cmd('EHLO busy.example');
  await busy.cmd('MAIL FROM:<alice@example.org>');
  await busy.cmd(`RCPT TO:<root@${E2E_HOST}>`);
  assert.equal(await busy.cmd('DATA'), '354 End data with <CR><LF>.<CR><LF>');
  const head = 'Subject: in flight\r\n\r\nfirst half\r\n';
  busy.send(head);

  const idle = await d.session();
  assert.match(await idle.cmd('EHLO idle.example'), /^250 HELP$/m);

  d.signal('SIGTERM');
  await d.waitForLog((l) => l.event === 'shutdown');
  assert.equal(await idle.text(), SHUTTING_DOWN);
  await idle.closed();
  await assert.rejects(RawClient.connect(d.port), /ECONNREFUSED/);

  // The daemon waits for the message in flight.
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(d.hasExited, false);
  const tail = 'second half\r\n';
  busy.send(`${tail}.\r\n`);
  const accepted = await busy.text();
  const m = ACCEPTED.exec(accepted);
  assert.ok(m, accepted);
  // Its transaction done, the client is told goodbye like the idle one.
  assert.equal(await busy.text(), SHUTTING_DOWN);
  await busy.closed();

  assert.deepEqual(await d.waitExit(), { code: 0, signal: null });
  assert.ok(d.events('stopped').length === 1);
  const spool = join(dir, 'spool');
  assert.deepEqual((await queued(spool)).map((q) => q.envelope.id), [m[1]]);
  assert.equal(splitReceived((await queuedData(spool, m[1]!)).toString('latin1')).rest, head + tail);
});

test('a SIGTERM sent the moment the ready line appears is handled: exit 0, not death by signal', async (t) => {
  const dir = await tempDaemonDir();
  t.after(() => removeDir(dir));
  const conf = await writeDaemonConfig(dir);
  for (let i = 0; i < 5; i++) {
    const d = await startDaemon({ cwd: dir, config: conf });
    d.signal('SIGTERM');
    assert.deepEqual(await d.waitExit(), { code: 0, signal: null }, `start ${i + 1}`);
  }
});

test('when the grace period runs out, a client still in a transaction is told 421 before the cut', async (t) => {
  const dir = await tempDaemonDir();
  t.after(() => removeDir(dir));
  const d = await startDaemon({ cwd: dir, config: await writeDaemonConfig(dir), args: ['--grace', '0.3'] });
  t.after(() => d.stop());
  const slow = await d.session();
  await slow.cmd('EHLO slow.example');
  await slow.cmd('MAIL FROM:<alice@example.org>');
  await slow.cmd(`RCPT TO:<root@${E2E_HOST}>`);
  assert.equal(await slow.cmd('DATA'), '354 End data with <CR><LF>.<CR><LF>');
  slow.send('Subject: never finished\r\n\r\n');
  d.signal('SIGTERM');
  assert.equal(await slow.text(), SHUTTING_DOWN);
  await slow.closed();
  assert.deepEqual(await d.waitExit(), { code: 0, signal: null });
  assert.deepEqual(await queued(join(dir, 'spool')), []);
});
