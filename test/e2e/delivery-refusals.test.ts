// The four refusals issue 4 names, through the real daemon and back to the sender as a DSN with the
// spec's status: a program outside the smrsh directory (program-and-file-delivery.md §2.3 → EX_UNAVAILABLE,
// 5.0.0), a .forward program of a user whose shell is not in /etc/shells (aliases-forward.md §10: 5.7.1),
// a symbolic link in SafeFileEnvironment pointing out of it (program-and-file-delivery.md §4: 5.3.0), and a
// file outside SafeFileEnvironment (5.3.0, also in delivery.test.ts). Nothing is written where it must not be.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chown, mkdir, symlink, writeFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { E2E_HOST } from '../helpers/daemon.js';
import { Site } from './delivery-fixture.js';

/** The per-recipient block of a DSN for `final` (Final-Recipient line up to the next blank line). */
function block(dsn: string, final: string): string {
  const at = dsn.indexOf(`Final-Recipient: ${final}`);
  assert.ok(at >= 0, `no Final-Recipient ${final} in:\n${dsn}`);
  const end = dsn.indexOf('\n\n', at);
  return dsn.slice(at, end < 0 ? undefined : end);
}

test('refused with the spec DSN status: program outside smrsh, .forward program without a valid shell, symlink out of SafeFileEnvironment', async (t) => {
  const outsideTarget = join('/tmp', `postern-e2e-symlink-target-${process.pid}`);
  await writeFile(outsideTarget, 'untouched\n', { mode: 0o666 });
  t.after(async () => {
    const { rm } = await import('node:fs/promises');
    await rm(outsideTarget, { force: true });
  });
  // The site lives under /tmp (sticky, world-writable): dave's home is below it, and the .forward's
  // directory path counts as safe only with TrustStickyBit (aliases-forward.md §5.3).
  const site = await Site.create(t, { format: 'mbox', aliases: ['evil: "|/bin/cat"'], conf: ['DontBlameSendmail = TrustStickyBit'] });
  // dave's login shell is not in /etc/shells: his .forward may not run programs (aliases-forward.md §6).
  const daveHome = join(site.dir, 'home', 'dave');
  await mkdir(daveHome, { mode: 0o755 });
  const dave = site.accounts.user(daveHome, { shell: '/usr/sbin/nologin' });
  await chown(daveHome, dave.uid, dave.gid);
  const fwd = join(daveHome, '.forward');
  await writeFile(fwd, '"|record"\n', { mode: 0o644 });
  await chown(fwd, dave.uid, dave.gid);
  // A link inside the safe directory that points out of it.
  const link = join(site.safe, 'sneaky');
  await symlink(outsideTarget, link);
  const aliasLink = `sneaky: ${link}`;
  await writeFile(join(site.dir, 'aliases'), `${(await readFile(join(site.dir, 'aliases'), 'utf8')).trimEnd()}\n${aliasLink}\n`);

  const d = await site.start();
  await site.send(d, site.address(site.bob), [site.address('evil'), site.address(dave), site.address('sneaky')], 'refusals');
  const msgs = await site.waitForMail(
    site.bob,
    (m) => m.filter((x) => x.includes('Subject: Returned mail')).map((x) => x.match(/^Final-Recipient:/gm)?.length ?? 0).reduce((a, b) => a + b, 0) >= 3,
    20_000,
    'bounces',
  );
  const dsn = msgs.filter((x) => x.includes('Subject: Returned mail')).join('\n');

  const prog = block(dsn, 'X-Unix; |/bin/cat');
  assert.match(prog, /\nAction: failed\nStatus: 5\.0\.0\n/);
  assert.match(prog, /not available for sendmail programs/);

  // The program entry is reported by its own name (X-Unix), the reason names dave.
  const shell = block(dsn, 'X-Unix; |record');
  assert.match(shell, /\nAction: failed\nStatus: 5\.7\.1\n/);
  assert.match(shell, new RegExp(`User ${dave.name}@${E2E_HOST.replace(/\./g, '\\.')} doesn't have a valid shell for mailing to programs`));

  const sym = block(dsn, `X-Unix; ${link}`);
  assert.match(sym, /\nAction: failed\nStatus: 5\.3\.0\n/);
  assert.match(sym, /Symbolic links not allowed/);

  assert.equal(await readFile(outsideTarget, 'utf8'), 'untouched\n', 'nothing written through the link');
  assert.equal(await site.file(join(site.out, 'record.txt')), '', "dave's program did not run");
});
