// deliveryFor(): without a master (a single process) the runner's jobs go to agents spawned here.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deliveryFor } from '../../src/daemon/worker-link.js';

test('a single process runs read jobs in agents of its own', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'postern-wd-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await chmod(dir, 0o755);
  const file = join(dir, '.forward');
  await writeFile(file, 'bob@example.org\n', { mode: 0o644 });
  const service = deliveryFor(undefined);
  t.after(() => service.close());
  const me = process.getuid?.() ?? 0;
  // As root the agent must act as someone else: nobody can read a world-readable file.
  const as = me === 0 ? { name: 'nobody', uid: 65534, gid: 65534, home: '/nonexistent', shell: '/usr/sbin/nologin' } : { name: 'me', uid: me, gid: process.getgid?.() ?? 0, home: dir, shell: '/bin/sh' };
  const r = await service.run({ kind: 'read', path: file, as, timeoutMs: 5000 });
  assert.equal(r.status, 'read');
  assert.equal(r.status === 'read' && r.read.status === 'ok' && r.read.content, 'bob@example.org\n');
});
