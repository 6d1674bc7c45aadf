// Reading under --root: absolute links stay inside the root, relative paths are the host's.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { relative } from 'node:path';
import { parentDirectories, RootFs } from '../../src/audit/root-fs.js';
import { withFixture } from './fixture.js';

test('absolute symbolic links are resolved inside the root, relative ones from their directory', async () => {
  await withFixture(async (f) => {
    await f.write('/usr/bin/python3.11', 'x');
    await f.link('python3.11', '/usr/bin/python3');
    await f.link('/usr/bin/python3', '/etc/mail/smrsh/helper');
    await f.link('../usr/bin', '/etc/bin');
    await f.link('/loop/b', '/loop/a');
    await f.link('/loop/a', '/loop/b');
    const fs = new RootFs(f.root);
    assert.deepEqual(await fs.canonical('/etc/mail/smrsh/helper'), { ok: true, path: '/usr/bin/python3.11' });
    assert.deepEqual(await fs.canonical('/etc/bin/python3'), { ok: true, path: '/usr/bin/python3.11' });
    assert.deepEqual(await fs.canonical('/etc/mail/../bin/./python3'), { ok: true, path: '/usr/bin/python3.11' });
    assert.deepEqual(await fs.canonical('/loop/a'), { ok: false, code: 'ELOOP', at: '/loop/a' });
    assert.deepEqual(await fs.canonical('/etc/none/x'), { ok: false, code: 'ENOENT', at: '/etc/none' });
    const st = await fs.statResolved('/etc/mail/smrsh/helper');
    assert.ok(st.ok && st.stats.isFile() && st.path === '/usr/bin/python3.11');
    assert.equal(fs.logical(f.real('/etc/mail/aliases')), '/etc/mail/aliases');
    assert.equal(fs.logical('/elsewhere/x'), '/elsewhere/x');
  });
});

test('a relative path is read from the host, not under the root', async () => {
  await withFixture(async (host) => {
    await host.write('/spool/file', 'x');
    await withFixture(async (image) => {
      const fs = new RootFs(image.root);
      const rel = relative(process.cwd(), host.real('/spool/file'));
      assert.deepEqual(await fs.canonical(rel), { ok: true, path: host.real('/spool/file') });
      assert.equal(await fs.readFile(rel), 'x');
      assert.equal(fs.locate(rel).fs.isHost, true);
      assert.equal(fs.locate('/etc/passwd').fs, fs);
    });
  });
});

test('parentDirectories lists the directories above a path', () => {
  assert.deepEqual(parentDirectories('/etc/mail/aliases'), ['/', '/etc', '/etc/mail']);
  assert.deepEqual(parentDirectories('/x'), ['/']);
});
