// aliases-forward.md §6: valid shells.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadShells, parseShells, shellIsValid } from '../../src/route/shells.js';

const trusted = new Set(['root', 'daemon', 'uucp']);

test('§6 a shell is valid when listed exactly, empty, for class t, or with /SENDMAIL/ANY/SHELL/', () => {
  const list = parseShells('# comment\n\n/bin/sh\n  /bin/bash   # the first word only\n/usr/bin/zsh extra words\n');
  const ok = (shell: string, name = 'bob'): boolean => shellIsValid({ name, shell }, list, trusted);
  assert.equal(ok('/bin/sh'), true);
  assert.equal(ok('/bin/bash'), true);
  assert.equal(ok('/usr/bin/zsh'), true);
  assert.equal(ok('/bin/sh '), false);
  assert.equal(ok('/usr/sbin/nologin'), false);
  assert.equal(ok('/bin/false'), false);
  assert.equal(ok(''), true);
  assert.equal(ok('/usr/sbin/nologin', 'daemon'), true);
  const any = parseShells('/bin/sh\n/SENDMAIL/ANY/SHELL/\n');
  assert.equal(shellIsValid({ name: 'dave', shell: '/usr/sbin/nologin' }, any, trusted), true);
  // Exactly that line: another case or without the trailing slash is just a (bad) shell path.
  for (const near of ['/sendmail/any/shell/', '/SENDMAIL/ANY/SHELL']) {
    assert.equal(shellIsValid({ name: 'dave', shell: '/usr/sbin/nologin' }, parseShells(`${near}\n`), trusted), false);
  }
});

test('§6 a missing /etc/shells means /bin/sh and /bin/csh', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'postern-shells-'));
  try {
    const none = await loadShells(join(dir, 'shells'));
    assert.deepEqual([...none.shells], ['/bin/sh', '/bin/csh']);
    await writeFile(join(dir, 'shells'), '/bin/dash\n');
    assert.deepEqual([...(await loadShells(join(dir, 'shells'))).shells], ['/bin/dash']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
