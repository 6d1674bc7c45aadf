// sendmail -bv under restrictexpand (cli.md §5.3, privacy-options.md): an untrusted caller does not get
// a .forward opened that she could not read herself; root sees where it leads.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, chown, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TestAccounts } from '../../deliver/helpers.js';
import { removeDir, startDaemon, tempDaemonDir, writeDaemonConfig } from '../../helpers/daemon.js';
import { installPrefix, runAs } from './fixture.js';

test('-bv with restrictexpand: alice sees bob as a local user; root sees his .forward', async (t) => {
  const dir = await tempDaemonDir();
  await chmod(dir, 0o755);
  const accounts = new TestAccounts();
  t.after(async () => {
    try {
      await accounts.cleanup();
    } finally {
      await removeDir(dir);
    }
  });
  await mkdir(join(dir, 'home'), { mode: 0o755 });
  const home = async (n: string): Promise<string> => {
    const h = join(dir, 'home', n);
    await mkdir(h, { mode: 0o755 });
    return h;
  };
  const alice = accounts.user(await home('alice'));
  const bob = accounts.user(await home('bob'));
  const carol = accounts.user(await home('carol'));
  for (const u of [alice, bob, carol]) await chown(u.home, u.uid, u.gid);
  // The test lives under /tmp (sticky, world-writable): .forward files there are trusted only so.
  await writeFile(join(bob.home, '.forward'), `${carol.name}\n`, { mode: 0o600 });
  await chown(join(bob.home, '.forward'), bob.uid, bob.gid);
  const conf = await writeDaemonConfig(dir, ['PrivacyOptions = goaway,restrictmailq,restrictqrun,restrictexpand', `DefaultUser = ${carol.name}`, 'DontBlameSendmail = TrustStickyBit']);
  const prefix = await installPrefix(dir, conf);
  const d = await startDaemon({ cwd: dir, config: conf });
  try {
    const sendmail = join(prefix, 'sbin', 'sendmail');
    const a = await runAs(alice, [sendmail, '-bv', bob.name]);
    assert.deepEqual([a.code, a.stdout, a.stderr], [0, `${bob.name}... deliverable: mailer local, user ${bob.name}\n`, '']);
    const r = await runAs(undefined, [sendmail, '-bv', bob.name]);
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, `${bob.name}... deliverable: mailer local, user ${carol.name}\n`, '']);
    // What bob may read, bob is shown.
    const b = await runAs(bob, [sendmail, '-bv', bob.name]);
    assert.equal(b.stdout, `${bob.name}... deliverable: mailer local, user ${carol.name}\n`);
  } finally {
    await d.stop();
  }
});
