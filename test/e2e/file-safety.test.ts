// op.me §4.9.2 / config-formats.md §1: the daemon refuses configuration and side files that others could
// have changed, naming the file; DontBlameSendmail relaxes exactly the case it names.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { removeDir, spawnDaemon, startDaemon, tempDaemonDir, writeDaemonConfig } from '../helpers/daemon.js';

test('a group- or world-writable postern.conf stops start-up with exit 78 naming it', async (t) => {
  const dir = await tempDaemonDir();
  t.after(() => removeDir(dir));
  const conf = await writeDaemonConfig(dir);
  for (const mode of [0o664, 0o646]) {
    await chmod(conf, mode);
    const d = spawnDaemon({ cwd: dir, config: conf });
    const exit = await d.waitExit();
    assert.equal(exit.code, 78);
    assert.match(d.stderr, new RegExp(`${conf.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: unsafe config file: mode 0${mode.toString(8)} is writable by`));
  }
});

test('a group-writable alias file is refused unless DontBlameSendmail=GroupWritableAliasFile', async (t) => {
  const dir = await tempDaemonDir();
  t.after(() => removeDir(dir));
  const conf = await writeDaemonConfig(dir);
  const aliases = join(dir, 'aliases');
  await chmod(aliases, 0o664);
  const refused = spawnDaemon({ cwd: dir, config: conf });
  assert.equal((await refused.waitExit()).code, 78);
  assert.match(refused.stderr, /aliases: unsafe alias file: mode 0664 is writable by its group/);

  const relaxed = await writeDaemonConfig(dir, ['DontBlameSendmail = GroupWritableAliasFile']);
  const d = await startDaemon({ cwd: dir, config: relaxed });
  t.after(() => d.stop());
  assert.ok(d.port > 0);
});
