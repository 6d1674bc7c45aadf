// The installed commands, run through their #! lines: `postern version` answers; sendmail, mailq and newaliases are not there yet
// and say so plainly with EX_UNAVAILABLE (69) instead of pretending to work.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT, run } from '../helpers/daemon.js';

const bin = (name: string): string => join(REPO_ROOT, 'bin', `${name}.js`);

test('bin/postern.js version prints the package version', async () => {
  const pkg = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  const r = await run(bin('postern'), ['version']);
  assert.deepEqual(r, { code: 0, stdout: `postern ${pkg.version}\n`, stderr: '' });
});

for (const name of ['sendmail', 'mailq', 'newaliases']) {
  test(`bin/${name}.js says it is not yet available and exits 69`, async () => {
    const r = await run(bin(name), ['-bp']);
    assert.equal(r.code, 69);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, new RegExp(`^${name}: not yet available in Postern \\S+; use "postern serve" for the SMTP daemon\\n$`));
  });
}
