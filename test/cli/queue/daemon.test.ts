// The queue commands against a running daemon in the privilege split (root master, RunAsUser worker
// owning the 0700 queue): what a caller cannot do alone goes over the control socket, the daemon judges
// the caller by the kernel's credentials, its runner delivers with the master's agents, and every
// administrative action is safe against the daemon's own runner (per-message lock) and logged.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chown, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { callControl } from '../../../src/control/client.js';
import { MessageLocks } from '../../../src/queue/message-lock.js';
import { SpoolReader } from '../../../src/queue/reader.js';
import { Site } from '../../e2e/delivery-fixture.js';
import { messages, queueCmd } from './helpers.js';

const HELD = ['DeliveryMode = queue', 'QueueInterval = 0'];

function groupName(gid: number): string {
  return execFileSync('getent', ['group', String(gid)], { encoding: 'utf8' }).split(':')[0] as string;
}

class Sink {
  text = '';
  write(t: string): void {
    this.text += t;
  }
}

test('split daemon: a queue-group member lists through the daemon, others get 77 (also when they ask the daemon directly); root runs the queue through it', async (t) => {
  const site = await Site.create(t, { format: 'mbox', split: true, conf: HELD });
  const d = await site.start();
  const spool = join(site.dir, 'spool');
  const qst = await stat(spool);
  assert.equal(qst.mode & 0o777, 0o700);
  const member = site.accounts.user(join(site.dir, 'home'), { groups: [groupName(qst.gid)] });
  const alice = site.accounts.user(join(site.dir, 'home'));
  const qid = await site.send(d, 'someone@client.example', [site.address(site.bob)], 'through the daemon');

  const listed = await queueCmd('mailq', site.conf, [], { as: member });
  assert.equal(listed.code, 0, listed.stderr);
  assert.ok(listed.stdout.startsWith(`\t\t${spool} (1 request)\n`), listed.stdout);
  assert.match(listed.stdout, new RegExp(`^${qid} `, 'm'));
  assert.match(listed.stdout, new RegExp(`<${site.address(site.bob)}>`));

  const refused = await queueCmd('mailq', site.conf, [], { as: alice });
  assert.equal(refused.code, 77);
  assert.equal(refused.stderr, 'You are not permitted to see the queue\n');
  // The daemon does not rely on the command's own check: asked directly, it refuses too.
  const sockPath = join(site.dir, 'run', 'control.sock');
  const script = `import { callControl } from ${JSON.stringify(new URL('../../../src/control/client.js', import.meta.url).pathname)};
const out = { write: (t) => process.stdout.write(t) };
const done = await callControl(${JSON.stringify(sockPath)}, { kind: 'mailq', args: [] }, undefined, { stdout: out, stderr: out });
process.stdout.write('exit=' + done.exit);`;
  const direct = execFileSync('setpriv', [`--reuid=${alice.uid}`, `--regid=${alice.gid}`, '--init-groups', process.execPath, '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(direct, 'You are not permitted to see the queue\nexit=77');
  const qrunDirect = new Sink();
  const done = await callControl(sockPath, { kind: 'qrun', args: ['-q'], expireNow: 'yes' }, undefined, { stdout: qrunDirect, stderr: qrunDirect });
  assert.equal(done.exit, 0, 'root may run; a non-boolean expireNow is not taken for true');

  const noRun = await queueCmd('qrun', site.conf, ['-q'], { as: alice });
  assert.equal(noRun.code, 77);
  assert.equal(noRun.stderr, 'You do not have permission to process the queue\n');

  await site.waitForMail(site.bob, (m) => m.some((x) => x.includes('Subject: through the daemon')));
  const ran = await queueCmd('qrun', site.conf, ['-q', '-v']);
  assert.equal(ran.code, 0, ran.stderr);
  assert.match(ran.stdout, /^Running queue /);
  await site.waitForQueue((q) => q.length === 0);
  // The delivery was made by the daemon's worker, through the master's agent as bob.
  assert.ok(d.logs.some((l) => l['event'] === 'delivery' && l['qid'] === qid && l['stat'] === 'Sent'));
});

test('postern queue against a running daemon: hold, release, requeue, delete, bounce, show; permissions; the lock; each action logged by the daemon', async (t) => {
  const site = await Site.create(t, { format: 'mbox', split: true, conf: HELD });
  const d = await site.start();
  const spool = join(site.dir, 'spool');
  const alice = site.accounts.user(join(site.dir, 'home'));
  const toBob = await site.send(d, 'x@client.example', [site.address(site.bob)], 'for bob');
  const toCarol = await site.send(d, 'x@client.example', [site.address(site.carol)], 'for carol');
  const faraway = await site.send(d, site.address(site.carol), [site.address('faraway')], 'far away');

  const hold = await queueCmd('admin', site.conf, ['hold', '-r', 'checking', toBob]);
  assert.equal(hold.code, 0, hold.stderr);
  assert.equal(hold.stdout, `${toBob}: quarantined (checking)\n`);
  const held = await d.waitForLog((l) => l['event'] === 'queue-admin' && l['qid'] === toBob);
  assert.equal(held['action'], 'hold');
  assert.equal(held['by'], 'root');
  assert.match(String(held['msg']), /quarantined \(checking\) by root/);
  const mq = await queueCmd('mailq', site.conf, ['-qQ']);
  assert.match(mq.stdout, /QUARANTINE: checking/);

  const requeueHeld = await queueCmd('admin', site.conf, ['requeue', toBob]);
  assert.equal(requeueHeld.code, 64);
  assert.equal(messages(requeueHeld.stderr), `${toBob}: quarantined (release it first)\n`);

  const rel = await queueCmd('admin', site.conf, ['release', toBob]);
  assert.equal(rel.code, 0, rel.stderr);
  assert.equal(rel.stdout, `${toBob}: released\n`);

  const requeue = await queueCmd('admin', site.conf, ['requeue', toBob]);
  assert.equal(requeue.code, 0, requeue.stderr);
  assert.equal(requeue.stdout, `${toBob}: finished, no recipient pending\n`);
  await site.waitForMail(site.bob, (m) => m.some((x) => x.includes('Subject: for bob')));

  const show = await queueCmd('admin', site.conf, ['show', faraway]);
  assert.equal(show.code, 0, show.stderr);
  assert.match(show.stdout, new RegExp(`^Queue ID:     ${faraway}\n`));
  assert.ok(show.stdout.includes(`\n  <${site.address('faraway')}> pending\n`), show.stdout);
  const showMsg = await queueCmd('admin', site.conf, ['show', '--message', faraway]);
  assert.match(showMsg.stdout, /\nSubject: far away\r?\n/);

  // Other users: show is a listing (restrictmailq), delete and bounce are for root and the queue owner.
  for (const argv of [['show', faraway], ['delete', toCarol], ['bounce', faraway], ['hold', toCarol]]) {
    const r = await queueCmd('admin', site.conf, argv, { as: alice });
    assert.equal(r.code, 77, argv.join(' '));
    assert.match(r.stderr, /^You (are not permitted to see the queue|do not have permission to process the queue)\n$/);
  }

  // A message another runner holds is not touched.
  const lock = await new MessageLocks(spool).tryLock(toCarol);
  assert.ok(lock !== null);
  // As if the queue owner's process held it (the daemon's worker cannot read a lock file of root's).
  const owner = await stat(spool);
  await chown(join(spool, 'locks', toCarol), owner.uid, owner.gid);
  const busy = await queueCmd('admin', site.conf, ['delete', toCarol]);
  await lock.release();
  assert.equal(busy.code, 75);
  assert.equal(busy.stderr, `${toCarol}: being processed, try again later\n`);

  const del = await queueCmd('admin', site.conf, ['delete', toCarol]);
  assert.equal(del.code, 0, del.stderr);
  assert.equal(del.stdout, `${toCarol}: deleted\n`);
  assert.equal((await new SpoolReader(spool).get(toCarol))?.state.done, true);

  const bounce = await queueCmd('admin', site.conf, ['bounce', faraway]);
  assert.equal(bounce.code, 0, bounce.stderr);
  assert.equal(bounce.stdout, `${faraway}: returned to the sender\n`);
  // The failure report goes to carol (the sender) through the daemon's runner (with DeliveryMode=queue,
  // at the next queue run): the only mail she gets.
  assert.equal((await queueCmd('qrun', site.conf, ['-q'])).code, 0);
  const carolMail = await site.waitForMail(site.carol, (m) => m.length > 0);
  assert.equal(carolMail.length, 1);
  assert.match(carolMail[0] as string, /Subject: Returned mail: see transcript for details/);
  assert.ok(!carolMail.some((m) => m.includes('Subject: for carol')));

  const missing = await queueCmd('admin', site.conf, ['release', toCarol]);
  assert.equal(missing.code, 66);
  assert.equal(missing.stderr, `${toCarol}: not in the queue\n`);
  const usage = await queueCmd('admin', site.conf, ['explode', toCarol]);
  assert.equal(usage.code, 64);

  const actions = d.logs.filter((l) => l['event'] === 'queue-admin').map((l) => `${String(l['action'])} ${String(l['qid'])}`);
  assert.deepEqual(actions, [`hold ${toBob}`, `release ${toBob}`, `requeue ${toBob}`, `delete ${toCarol}`, `bounce ${faraway}`]);
});

test('without restrictqrun an ordinary user runs the queue through the daemon (quietly, or with -v its summary); Timeout.queuereturn=now stays refused', async (t) => {
  const site = await Site.create(t, { format: 'mbox', split: true, conf: [...HELD, 'HardeningFloor = False', 'PrivacyOptions = goaway,restrictmailq'] });
  const d = await site.start();
  const alice = site.accounts.user(join(site.dir, 'home'));
  await site.send(d, 'x@client.example', [site.address(site.bob)], 'run by alice');
  const r = await queueCmd('qrun', site.conf, ['-q'], { as: alice });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  await site.waitForMail(site.bob, (m) => m.some((x) => x.includes('Subject: run by alice')));
  const v = await queueCmd('qrun', site.conf, ['-q', '-v'], { as: alice });
  assert.equal(v.code, 0, v.stderr);
  assert.match(v.stdout, /^Running queue .*: 0 selected/);
  // The daemon refuses the unsafe option even from a caller that skipped the command's own checks.
  const sockPath = join(site.dir, 'run', 'control.sock');
  const script = `import { callControl } from ${JSON.stringify(new URL('../../../src/control/client.js', import.meta.url).pathname)};
const out = { write: (t) => process.stdout.write(t) };
const done = await callControl(${JSON.stringify(sockPath)}, { kind: 'qrun', args: ['-q'], expireNow: true }, undefined, { stdout: out, stderr: out });
process.stdout.write('exit=' + done.exit);`;
  const direct = execFileSync('setpriv', [`--reuid=${alice.uid}`, `--regid=${alice.gid}`, '--init-groups', process.execPath, '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(direct, 'Timeout.queuereturn: option is restricted to trusted users\nexit=77');
  // delete and bounce stay with root and the queue owner.
  const del = await queueCmd('admin', site.conf, ['delete', 'VbbAhFd087y000'], { as: alice });
  assert.equal(del.code, 77);
});
