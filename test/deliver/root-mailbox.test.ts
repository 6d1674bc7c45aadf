// Root's own mailbox (postmaster without an alias ends there, aliases-forward.md §8 rule 13) is written
// as root — it is root's file — while a program or a file is never run or written as root.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnAgentService } from '../../src/deliver/agent-service.js';
import { MESSAGE, meta, tempRoot } from './helpers.js';

const ROOT = { name: 'root', uid: 0, gid: 0, home: '/root', shell: '/bin/sh' };

test('a mailbox job for root appends to the spool as root; a program job for root is refused', async () => {
  const t = tempRoot();
  const service = spawnAgentService();
  try {
    const spool = join(t.dir, 'mail');
    mkdirSync(spool, { mode: 0o1777 });
    const r = await service.run({ kind: 'mailbox', user: ROOT, spoolDir: spool, format: 'mbox', maildir: '$z/Maildir', meta: meta() }, MESSAGE);
    assert.equal(r.status, 'delivered', JSON.stringify(r));
    const box = join(spool, 'root');
    const st = statSync(box);
    assert.equal(st.uid, 0);
    assert.equal(st.mode & 0o777, 0o600);
    assert.match(readFileSync(box, 'latin1'), /^From alice@example\.com .+\nReturn-Path: <alice@example\.com>\n/);
    const p = await service.run(
      { kind: 'program', command: 'vacation root', as: ROOT, smrshDirectory: t.dir, smrshPath: '/usr/bin:/bin', timeoutMs: 5000, dontBlame: [], meta: meta() },
      MESSAGE,
    );
    assert.equal(p.status, 'perm');
    assert.match(JSON.stringify(p), /refusing to deliver as root/);
  } finally {
    await service.close();
    t.cleanup();
  }
});
