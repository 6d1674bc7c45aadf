// A failed write leaves the mailbox exactly as it was (program-and-file-delivery.md §4.4 step 6).
// A real child process runs appendLocked under a file size limit (prlimit --fsize, with SIGXFSZ
// ignored, so the write fails with EFBIG half way through the entry).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempRoot } from './helpers.js';

const appendModule = fileURLToPath(new URL('../../src/deliver/locked-append.js', import.meta.url));

test('a write that fails half way is cut back to the size before it, and reported', () => {
  const root = tempRoot();
  try {
    const mbox = join(root.dir, 'mbox');
    const before = 'From a Thu Jan  1 00:00:00 1970\nReturn-Path: <a>\n\nold\n\n';
    writeFileSync(mbox, before);
    const child = join(root.dir, 'child.mjs');
    writeFileSync(
      child,
      [
        `import { openSync, constants } from 'node:fs';`,
        `import { appendLocked } from ${JSON.stringify(appendModule)};`,
        `process.on('SIGXFSZ', () => {});`,
        `const fd = openSync(process.argv[2], constants.O_WRONLY | constants.O_APPEND);`,
        `const r = appendLocked(fd, Buffer.alloc(4000, 'x'), 1000, true);`,
        `process.stdout.write(JSON.stringify({ ok: r.ok, stage: r.stage, code: r.error?.code }));`,
      ].join('\n'),
    );
    const r = spawnSync('prlimit', ['--fsize=1024', '--', process.execPath, child, mbox], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { ok: false, stage: 'write', code: 'EFBIG' });
    assert.equal(readFileSync(mbox, 'utf8'), before, 'the partial entry was removed');
  } finally {
    root.cleanup();
  }
});
