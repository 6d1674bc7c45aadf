// `sendmail -bD` by root: the daemon in the foreground, on the configuration the installed command finds,
// with -q<time> as its queue interval; a submission through its control socket; SIGTERM ends it with 0.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { Daemon, queued, removeDir, tempDaemonDir, writeDaemonConfig } from '../../helpers/daemon.js';
import { installPrefix, runAs } from './fixture.js';

test('root: sendmail -bD -q5m runs the daemon in the foreground; sendmail submits to it', async () => {
  const dir = await tempDaemonDir();
  try {
    await chmod(dir, 0o755);
    const prefix = await installPrefix(dir, await writeDaemonConfig(dir));
    const child = spawn(join(prefix, 'sbin', 'sendmail'), ['-bD', '-q5m'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const d = new Daemon(child, dir);
    try {
      await d.waitForLog((l) => l['event'] === 'ready', 10_000, 'ready line');
      const r = await runAs(undefined, [join(prefix, 'sbin', 'sendmail'), 'bob'], { input: 'Subject: bD\n\nx\n' });
      assert.deepEqual([r.code, r.stderr], [0, '']);
      assert.equal((await queued(join(dir, 'spool'))).length, 1);
    } finally {
      d.signal('SIGTERM');
      assert.deepEqual(await d.waitExit(15_000), { code: 0, signal: null });
    }
  } finally {
    await removeDir(dir);
  }
});
