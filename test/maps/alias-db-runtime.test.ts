// The daemon's runtime reads the compiled alias database (aliases-forward.md §3): the SMTP session's
// directory answers from it, with the out-of-date warning at start-up; without a database it falls
// back to the text file.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { buildRuntime } from '../../src/daemon/runtime.js';
import { writeAliasDb } from '../../src/maps/alias-db-write.js';
import { formatDiagnostic } from '../../src/util/diagnostics.js';

async function runtimeFor(dir: string): Promise<Awaited<ReturnType<typeof buildRuntime>>> {
  const conf = join(dir, 'postern.conf');
  await writeFile(
    conf,
    [`AliasFile = ${join(dir, 'aliases')}`, `QueueDirectory = ${join(dir, 'spool')}`, 'Macro j mx.example.com', 'DontProbeInterfaces = True', 'DnsServers = 127.0.0.1:1', ''].join('\n'),
  );
  const loaded = await loadConfig({ path: conf });
  assert.ok(loaded.config, loaded.diagnostics.map(formatDiagnostic).join('\n'));
  return buildRuntime(loaded.config, 'test', { passwdFile: join(dir, 'passwd') });
}

test('the runtime answers from the database, warns when the text is newer, and falls back to the text', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'postern-aliasrt-'));
  try {
    await chmod(dir, 0o755);
    const aliases = join(dir, 'aliases');
    await writeFile(join(dir, 'passwd'), 'root:x:0:0::/root:/bin/sh\nbob:x:41001:41001::/home/bob:/bin/sh\n');
    await writeFile(aliases, 'textonly: bob\n');
    let rt = await runtimeFor(dir);
    assert.ok(rt.runtime);
    assert.ok(rt.diagnostics.some((d) => d.message === `alias database ${aliases}.db does not exist; using the text of ${aliases} (run newaliases)`));
    assert.deepEqual(rt.runtime.directory.lookup('textonly'), { kind: 'alias', name: 'textonly' });

    await writeAliasDb(`${aliases}.db`, aliases, [{ name: 'fromdb', value: 'bob', line: 1 }], {});
    const old = new Date(Date.now() - 60_000);
    await utimes(`${aliases}.db`, old, old);
    rt = await runtimeFor(dir);
    assert.ok(rt.runtime);
    assert.ok(rt.diagnostics.some((d) => d.severity === 'warning' && d.message === `Warning: alias database ${aliases}.db out of date`));
    assert.deepEqual(rt.runtime.directory.lookup('fromdb'), { kind: 'alias', name: 'fromdb' });
    assert.deepEqual(rt.runtime.directory.lookup('textonly'), { kind: 'unknown' });
    assert.deepEqual(rt.runtime.directory.expand('fromdb'), [{ address: 'bob', local: true }]);
    assert.equal(rt.runtime.aliases.lookup('fromdb')?.value, 'bob');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
