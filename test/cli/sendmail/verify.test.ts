// sendmail -bv under restrictexpand (cli.md §5.3, privacy-options.md): an untrusted caller does not get
// a .forward opened that she could not read herself; root sees where it leads.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chown, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startDaemon, writeDaemonConfig } from '../../helpers/daemon.js';
import { accountsSite, installPrefix, runAs } from './fixture.js';

test('-bv with restrictexpand: alice sees bob as a local user; root sees his .forward', async (t) => {
  const { dir, user } = await accountsSite(t);
  const alice = await user('alice', true);
  const bob = await user('bob', true);
  const carol = await user('carol', true);
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
