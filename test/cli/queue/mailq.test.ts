// mailq / sendmail -bp as processes: root and the queue owner read the spool themselves; restrictmailq
// keeps others out (cli.md §8), real users made with useradd (removed afterwards).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { MessageLocks } from '../../../src/queue/message-lock.js';
import { ctime16 } from '../../../src/cli/queue/mailq-format.js';
import { TestAccounts } from '../../deliver/helpers.js';
import { fill, giveSpool, queueCmd, queueSite } from './helpers.js';

test('root, empty queue: "<dir> is empty" and Total requests: 0, exit 0 (no spool made yet, and an empty one)', async (t) => {
  const site = await queueSite(t);
  for (let round = 0; round < 2; round++) {
    const r = await queueCmd('mailq', site.conf, []);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${site.spool} is empty\n\t\tTotal requests: 0\n`);
    assert.equal(r.stderr, '');
    if (round === 0) await mkdir(site.spool, { mode: 0o700 });
  }
});

test('root lists the queue in the spec layout, in priority order, with status lines and only pending recipients', async (t) => {
  const site = await queueSite(t);
  const created = Date.now() - 60_000;
  const [big, small, bulk] = await fill(site.spool, [
    { body: `Subject: big\r\n\r\n${'x'.repeat(5000)}\r\n`, created, recipients: ['bob@example.net', 'carol@example.net'] },
    { created, sender: '', deferred: { status: 'Deferred: Connection refused by mx.example.net.', recipients: [0] } },
    { created, precedence: 'bulk', recipients: ['dave@example.org'] },
  ]);
  const r = await queueCmd('mailq', site.conf, []);
  assert.equal(r.code, 0, r.stderr);
  const when = ctime16(created);
  const lines = r.stdout.split('\n');
  assert.equal(lines[0], `\t\t${site.spool} (3 requests)`);
  assert.equal(lines[1], '-----Q-ID----- --Size-- -----Q-Time----- ------------Sender/Recipient-----------');
  // Priority: size - class*1800 + rcpts*30000 + attempts*90000: 65018, 120040 (one attempt), 138040 (bulk, -60).
  const order = lines.filter((l) => /^[0-9A-Za-z]{14}/.test(l)).map((l) => l.slice(0, 14));
  assert.deepEqual(order, [big, small, bulk]);
  assert.ok(r.stdout.includes(`${small}-      ${String(Buffer.byteLength(`Subject: test ${small}\r\n\r\nHello.\r\n`)).padStart(2)} ${when} <>\n                 (Deferred: Connection refused by mx.example.net.)\n\t\t\t\t\t <bob@example.net>\n`), r.stdout);
  assert.ok(r.stdout.includes(`${big}     5018 ${when} <alice@example.com>\n\t\t\t\t\t <bob@example.net>\n\t\t\t\t\t <carol@example.net>\n`), r.stdout);
  assert.equal(lines.at(-2), '\t\tTotal requests: 3');
});

test('-qR/-qS/-qI/-q! filters, a locked message is marked *, -qQ and -qL, --json, MaxQueueRunSize', async (t) => {
  const site = await queueSite(t, ['MaxQueueRunSize = 2']);
  const [a, b, c, held] = await fill(site.spool, [
    { recipients: ['bob@seattle.example'] },
    { sender: 'spammer@bad.example', recipients: ['carol@boston.example'] },
    { recipients: ['Dave@Seattle.example'] },
    { quarantine: 'suspicious attachment', recipients: ['erin@example.org'] },
  ]);
  const ids = (out: string): string[] => out.split('\n').filter((l) => /^[0-9A-Za-z]{14}/.test(l)).map((l) => l.slice(0, 14)).sort();
  const seattle = await queueCmd('mailq', site.conf, ['-qRseattle']);
  assert.deepEqual(ids(seattle.stdout), [a, c].sort());
  assert.deepEqual(ids((await queueCmd('mailq', site.conf, ['-q!Rseattle'])).stdout), [b]);
  assert.deepEqual(ids((await queueCmd('mailq', site.conf, ['-qSBAD.example'])).stdout), [b]);
  assert.deepEqual(ids((await queueCmd('mailq', site.conf, ['-qRseattle', '-qSspammer'])).stdout), []);
  assert.deepEqual(ids((await queueCmd('mailq', site.conf, [`-qI${b}`, `-qI${c}`])).stdout), [b, c].sort());
  const all = await queueCmd('mailq', site.conf, []);
  assert.ok(all.stdout.startsWith(`\t\t${site.spool} (3 requests, only 2 printed)\n`), all.stdout);

  const lock = await new MessageLocks(site.spool).tryLock(a as string);
  assert.ok(lock !== null);
  // The lock is this test process's: the command (another process) sees a live holder.
  const locked = await queueCmd('mailq', site.conf, [`-qI${a}`]);
  assert.ok(locked.stdout.includes(`${a}*`), locked.stdout);
  await lock.release();

  const q = await queueCmd('mailq', site.conf, ['-qQ']);
  assert.deepEqual(ids(q.stdout), [held]);
  assert.ok(q.stdout.includes(`\n     QUARANTINE: suspicious attachment\n`), q.stdout);
  assert.deepEqual(ids((await queueCmd('mailq', site.conf, ['-qQattach'])).stdout), [held]);
  assert.deepEqual(ids((await queueCmd('mailq', site.conf, ['-qQnothing'])).stdout), []);

  const lost = await queueCmd('mailq', site.conf, ['-qL']);
  assert.equal(lost.stdout, `${site.spool} has no lost items\n\t\tTotal lost items: 0\n`);

  const json = JSON.parse((await queueCmd('mailq', site.conf, ['--json', '-qRboston'])).stdout) as { total: number; messages: Array<{ id: string; sender: string; recipients: unknown[] }> };
  assert.equal(json.total, 1);
  assert.equal(json.messages[0]?.id, b);
  assert.equal(json.messages[0]?.sender, 'spammer@bad.example');
  assert.deepEqual(json.messages[0]?.recipients, [{ address: 'carol@boston.example', status: 'pending' }]);

  const bad = await queueCmd('mailq', site.conf, ['-qZ']);
  assert.equal(bad.code, 64);
  assert.equal(bad.stderr, 'Invalid -q value\n');
});

test('restrictmailq: a user outside the queue group is refused with exit 77 and nothing printed; the queue owner and root list it', async (t) => {
  const accounts = new TestAccounts();
  t.after(() => accounts.cleanup());
  const site = await queueSite(t);
  const owner = accounts.user(join(site.dir, 'owner'));
  const alice = accounts.user(join(site.dir, 'alice'));
  await fill(site.spool, [{}]);
  await giveSpool(site.spool, owner.uid, owner.gid);
  const refused = await queueCmd('mailq', site.conf, [], { as: alice });
  assert.equal(refused.code, 77);
  assert.equal(refused.stdout, '');
  assert.equal(refused.stderr, 'You are not permitted to see the queue\n');
  const verbose = await queueCmd('mailq', site.conf, ['-v', '-qRbob'], { as: alice });
  assert.equal(verbose.code, 77);
  for (const as of [owner, undefined]) {
    const ok = await queueCmd('mailq', site.conf, [], as !== undefined ? { as } : {});
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /\(1 request\)/);
  }
});

test('without restrictmailq anyone may list; a caller who cannot read the spool and finds no daemon gets 71', async (t) => {
  const accounts = new TestAccounts();
  t.after(() => accounts.cleanup());
  const site = await queueSite(t, ['HardeningFloor = False', 'PrivacyOptions = public']);
  const alice = accounts.user(join(site.dir, 'alice'));
  await fill(site.spool, [{}]);
  await chmod(site.spool, 0o700);
  const r = await queueCmd('mailq', site.conf, [], { as: alice });
  assert.equal(r.code, 71, r.stderr);
  assert.match(r.stderr, /does not answer/);
  assert.equal(r.stdout, '');
});
