// The installed commands, run through their #! lines: `postern version` answers; newaliases compiles
// alias files; sendmail parses sendmail's flags (the rest of it: test/cli/sendmail/).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, run } from '../helpers/daemon.js';

const bin = (name: string): string => join(REPO_ROOT, 'bin', `${name}.js`);

test('bin/postern.js version prints the package version', async () => {
  const pkg = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  const r = await run(bin('postern'), ['version']);
  assert.deepEqual(r, { code: 0, stdout: `postern ${pkg.version}\n`, stderr: '' });
});

test('bin/newaliases.js compiles an alias file given by the configuration', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'postern-bins-'));
  try {
    await writeFile(join(dir, 'aliases'), 'postmaster: root\nteam: root, bob\n', { mode: 0o644 });
    // The test lives under /tmp, whose sticky bit newaliases trusts only when told to.
    await writeFile(join(dir, 'postern.conf'), `AliasFile = ${join(dir, 'aliases')}\nQueueDirectory = ${join(dir, 'spool')}\nDontBlameSendmail = TrustStickyBit\n`, { mode: 0o644 });
    const r = await run(bin('newaliases'), ['--config', join(dir, 'postern.conf')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^${join(dir, 'aliases').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: 2 aliases, longest \\d+ bytes, \\d+ bytes total\\n$`));
    assert.ok((await stat(join(dir, 'aliases.db'))).isFile());
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('bin/sendmail.js refuses an unknown flag the way sendmail does (exit 64)', async () => {
  const r = await run(bin('sendmail'), ['-x']);
  assert.deepEqual(r, { code: 64, stdout: '', stderr: 'sendmail: illegal option -- x\n' });
});

test('bin/postern.js sendmail is the same command', async () => {
  const r = await run(bin('postern'), ['sendmail', '-bz']);
  assert.deepEqual(r, { code: 64, stdout: '', stderr: 'sendmail: operation mode z not supported\n' });
});
