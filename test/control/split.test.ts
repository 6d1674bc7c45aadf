// The control socket under the privilege split: the root master creates the socket's directory for the
// worker, the worker (RunAsUser) listens there, and a submission by an ordinary account is queued by the
// worker with that account as the caller.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { E2E_HOST, queued, startDaemon, writeDaemonConfig } from '../helpers/daemon.js';
import { accountsSite, installPrefix, runAs } from '../cli/sendmail/fixture.js';

test('split daemon: the worker owns the control socket; alice submits through it', async (t) => {
  const { dir, user } = await accountsSite(t);
  const worker = await user('worker');
  const alice = await user('alice');
  const conf = await writeDaemonConfig(dir, [`RunAsUser = ${worker.name}`]);
  const prefix = await installPrefix(dir, conf);
  const d = await startDaemon({ cwd: dir, config: conf });
  try {
    const sock = await stat(join(dir, 'run', 'control.sock'));
    assert.equal(sock.uid, worker.uid);
    assert.equal(sock.mode & 0o777, 0o666);
    assert.equal((await stat(join(dir, 'run'))).uid, worker.uid);
    const r = await runAs(alice, [join(prefix, 'sbin', 'sendmail'), 'bob'], { input: 'Subject: split\n\nx\n' });
    assert.deepEqual([r.code, r.stderr], [0, '']);
    const q = await queued(join(dir, 'spool'));
    assert.equal(q.length, 1);
    assert.equal(q[0]!.envelope.client, `${alice.name}@localhost`);
    assert.equal(q[0]!.envelope.sender, `${alice.name}@${E2E_HOST}`);
  } finally {
    await d.stop();
  }
});
