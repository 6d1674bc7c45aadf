// The rows of cli.md §8 about mailq and -q, through the real commands: Postern installed as sendmail in
// a temporary prefix (<prefix>/sbin/sendmail and mailq are symlinks to bin/, the configuration in
// <prefix>/etc/postern/postern.conf), run as root, as the queue owner and as an ordinary user.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SpoolReader } from '../../../src/queue/reader.js';
import { TestAccounts } from '../../deliver/helpers.js';
import { installPrefix, runAs } from '../sendmail/fixture.js';
import { fill, giveSpool, messages, queueSite } from './helpers.js';

test('cli.md §8: mailq and sendmail -q as alice, root and the queue owner', async (t) => {
  const accounts = new TestAccounts();
  t.after(() => accounts.cleanup());
  const site = await queueSite(t);
  const prefix = await installPrefix(site.dir, site.conf);
  const mailq = join(prefix, 'sbin', 'mailq');
  const sendmail = join(prefix, 'sbin', 'sendmail');
  const owner = accounts.user(join(site.dir, 'owner'));
  const alice = accounts.user(join(site.dir, 'alice'));

  const empty = await runAs(undefined, [mailq]);
  assert.equal(empty.code, 0, empty.stderr);
  assert.equal(empty.stdout, `${site.spool} is empty\n\t\tTotal requests: 0\n`);

  const [id] = await fill(site.spool, [{ recipients: ['bob@remote.example'] }]);
  await giveSpool(site.spool, owner.uid, owner.gid);

  for (const argv of [[mailq], [mailq, '-v'], [sendmail, '-bp']]) {
    const r = await runAs(alice, argv);
    assert.equal(r.code, 77, argv.join(' '));
    assert.equal(r.stderr, 'You are not permitted to see the queue\n');
    assert.equal(r.stdout, '');
  }
  for (const argv of [[sendmail, '-q'], [sendmail, '-qRbob'], [sendmail, `-qI${id}`, '-Qreason']]) {
    const r = await runAs(alice, argv);
    assert.equal(r.code, 77, argv.join(' '));
    assert.equal(r.stderr, 'You do not have permission to process the queue\n');
  }

  const listed = await runAs(undefined, [mailq, '-qRbob']);
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, new RegExp(`^${id} `, 'm'));
  const bp = await runAs(undefined, [sendmail, '-bp']);
  assert.equal(bp.stdout, listed.stdout);

  const run = await runAs(owner, [sendmail, '-q']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, '');
  assert.equal((await new SpoolReader(site.spool).get(id as string))?.state.attempts, 1);

  const held = await runAs(owner, [sendmail, `-qI${id}`, '-Qwaiting for review']);
  assert.equal(held.code, 0, held.stderr);
  const q = await runAs(owner, [mailq, '-qQ']);
  assert.match(q.stdout, /\n {5}QUARANTINE: waiting for review\n/);
  const released = await runAs(owner, [sendmail, '-qQ', '-Q', `-qI${id}`]);
  assert.equal(released.code, 0, released.stderr);

  const returned = await runAs(owner, [sendmail, '-OTimeout.queuereturn=now', `-qI${id}`]);
  assert.equal(returned.code, 0, messages(returned.stderr));
  assert.equal((await new SpoolReader(site.spool).get(id as string))?.state.done, true);
});
