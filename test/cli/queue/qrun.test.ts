// Queue runs and quarantine from the command line, run in the command's own process (no daemon):
// restrictqrun (cli.md §8), filtered runs that ignore the retry schedule, Timeout.queuereturn=now,
// -Q quarantine / release, the per-message lock, and -q<time> as a runner loop.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { SpoolReader, type QueuedMessage } from '../../../src/queue/reader.js';
import { MessageLocks } from '../../../src/queue/message-lock.js';
import { TestAccounts } from '../../deliver/helpers.js';
import { DRIVER, fill, giveSpool, logLines, messages, queueCmd, queueSite } from './helpers.js';

async function state(spool: string, id: string): Promise<QueuedMessage | undefined> {
  return new SpoolReader(spool).get(id);
}

async function listed(spool: string): Promise<QueuedMessage[]> {
  const out: QueuedMessage[] = [];
  for await (const m of new SpoolReader(spool).list()) out.push(m);
  return out;
}

test('restrictqrun: every -q and -Q form by an ordinary user is refused with exit 77 and nothing done; the queue owner runs the queue', async (t) => {
  const accounts = new TestAccounts();
  t.after(() => accounts.cleanup());
  const site = await queueSite(t);
  const owner = accounts.user(join(site.dir, 'owner'));
  const alice = accounts.user(join(site.dir, 'alice'));
  const [id] = await fill(site.spool, [{ recipients: ['bob@remote.example'] }]);
  await giveSpool(site.spool, owner.uid, owner.gid);
  for (const args of [['-q'], ['-qRbob'], ['-q30m'], ['-qp'], ['-qf'], ['-qGmqueue'], [`-qI${id}`, '-Qwhy'], ['-qQ', '-Q', `-qI${id}`]]) {
    const r = await queueCmd('qrun', site.conf, args, { as: alice });
    assert.equal(r.code, 77, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr, 'You do not have permission to process the queue\n');
    assert.equal(r.stdout, '');
  }
  assert.equal((await state(site.spool, id as string))?.state.attempts, 0);
  const r = await queueCmd('qrun', site.conf, ['-q'], { as: owner });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  const after = await state(site.spool, id as string);
  assert.equal(after?.state.attempts, 1);
  assert.equal(after?.state.recipients[0]?.status, 'deferred');
  // What the owner's run wrote is in segments the readers trust (they belong to the queue owner).
  const mailq = await queueCmd('mailq', site.conf, []);
  assert.match(mailq.stdout, /\(1 request\)/);
});

test('a plain run respects MinQueueAge; a filtered run (-qI, -qR) attempts the matching messages now; -v reports', async (t) => {
  const site = await queueSite(t);
  const [tried, other] = await fill(site.spool, [
    { recipients: ['bob@remote.example'], deferred: { status: 'Deferred: earlier', recipients: [0] } },
    { recipients: ['carol@elsewhere.example'], deferred: { status: 'Deferred: earlier', recipients: [0] } },
  ]);
  const plain = await queueCmd('qrun', site.conf, ['-q']);
  assert.equal(plain.code, 0, plain.stderr);
  assert.equal((await state(site.spool, tried as string))?.state.attempts, 1, 'not due: MinQueueAge is 5m');
  const filtered = await queueCmd('qrun', site.conf, ['-qRREMOTE', '-v']);
  assert.equal(filtered.code, 0, filtered.stderr);
  assert.match(filtered.stdout, /to=<bob@remote\.example>/);
  assert.match(filtered.stdout, /1 selected, 1 attempted/);
  assert.equal((await state(site.spool, tried as string))?.state.attempts, 2);
  assert.equal((await state(site.spool, other as string))?.state.attempts, 1);
  const byId = await queueCmd('qrun', site.conf, [`-qI${other}`]);
  assert.equal(byId.code, 0);
  assert.equal((await state(site.spool, other as string))?.state.attempts, 2);
});

test('-OTimeout.queuereturn=now with a filter returns just the matching message: a failure report to its sender', async (t) => {
  const site = await queueSite(t);
  const [gone, kept] = await fill(site.spool, [{ sender: 'alice@example.com', recipients: ['bob@remote.example'] }, { recipients: ['carol@remote.example'] }]);
  const r = await queueCmd('qrun', site.conf, ['-O', 'Timeout.queuereturn=now', `-qI${gone}`]);
  assert.equal(r.code, 0, r.stderr);
  const q = await listed(site.spool);
  assert.ok(!q.some((m) => m.envelope.id === gone), 'the returned message is finished');
  assert.ok(q.some((m) => m.envelope.id === kept));
  const dsn = q.find((m) => m.envelope.sender === '');
  assert.ok(dsn !== undefined, JSON.stringify(q.map((m) => m.envelope)));
  assert.deepEqual(dsn.envelope.recipients.map((x) => x.address), ['alice@example.com']);
  const text = (await new SpoolReader(site.spool).readData(dsn.envelope.id)).toString('latin1');
  assert.match(text, /Subject: Returned mail: see transcript for details/);
  assert.match(text, /Status: 4\.4\.7/);
});

test('-Q<reason> quarantines matching messages, -qQ -Q<new> changes the reason, -qQ -Q releases; misuse is exit 64', async (t) => {
  const site = await queueSite(t);
  const [spam, ham] = await fill(site.spool, [{ sender: 'spammer@bad.example' }, { sender: 'friend@good.example' }]);
  const q = await queueCmd('qrun', site.conf, ['-Qlooks like spam', '-qSbad.example']);
  assert.equal(q.code, 0, q.stderr);
  assert.equal((await state(site.spool, spam as string))?.state.quarantine, 'looks like spam');
  assert.equal((await state(site.spool, ham as string))?.state.quarantine, undefined);
  const log = logLines(q.stderr);
  assert.equal(log.length, 1);
  assert.equal(log[0]?.['event'], 'queue-admin');
  assert.equal(log[0]?.['qid'], spam);
  assert.equal(log[0]?.['by'], 'root');

  // A normal run leaves a quarantined message alone.
  await queueCmd('qrun', site.conf, ['-qSbad']);
  assert.equal((await state(site.spool, spam as string))?.state.attempts, 0);

  const renamed = await queueCmd('qrun', site.conf, ['-qQ', '-Qconfirmed spam', `-qI${spam}`]);
  assert.equal(renamed.code, 0, renamed.stderr);
  assert.equal((await state(site.spool, spam as string))?.state.quarantine, 'confirmed spam');
  const listing = await queueCmd('mailq', site.conf, ['-qQ']);
  assert.match(listing.stdout, /QUARANTINE: confirmed spam/);

  const released = await queueCmd('qrun', site.conf, ['-qQ', '-Q', `-qI${spam}`, '-v']);
  assert.equal(released.code, 0, released.stderr);
  assert.equal(released.stdout, `${spam}: released\n`);
  assert.equal((await state(site.spool, spam as string))?.state.quarantine, undefined);

  const misuse = await queueCmd('qrun', site.conf, ['-q', '-Qreason']);
  assert.equal(misuse.code, 64);
  assert.equal(messages(misuse.stderr), 'Can not use -Q without -qI, -qR, -qS or -qQ<reason>\n');
  const group = await queueCmd('qrun', site.conf, ['-qGelsewhere']);
  assert.equal(group.code, 64);
  assert.equal(group.stderr, 'Queue group elsewhere unknown\n');
});

test('a message another runner holds is skipped by runs and not changed by -Q (exit 75)', async (t) => {
  const site = await queueSite(t);
  const [id] = await fill(site.spool, [{ recipients: ['bob@remote.example'] }]);
  const lock = await new MessageLocks(site.spool).tryLock(id as string);
  assert.ok(lock !== null);
  try {
    const run = await queueCmd('qrun', site.conf, [`-qI${id}`, '-v']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /1 selected, 0 attempted, 0 finished, 1 being processed elsewhere/);
    const q = await queueCmd('qrun', site.conf, ['-Qhold', `-qI${id}`]);
    assert.equal(q.code, 75);
    assert.equal(messages(q.stderr), `${id}: being processed, try again later\n`);
    assert.equal((await state(site.spool, id as string))?.state.attempts, 0);
    assert.equal((await state(site.spool, id as string))?.state.quarantine, undefined);
  } finally {
    await lock.release();
  }
});

test('-q<time> alone is a runner loop that runs every <time> until SIGTERM, then exits 0', async (t) => {
  const site = await queueSite(t, ['MinQueueAge = 0', 'MaxQueueAge = 0']);
  const [id] = await fill(site.spool, [{ recipients: ['bob@remote.example'] }]);
  const child = spawn(process.execPath, [DRIVER, 'qrun', site.conf, '-q1s'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  t.after(() => child.kill('SIGKILL'));
  const deadline = Date.now() + 15_000;
  for (;;) {
    const attempts = (await state(site.spool, id as string))?.state.attempts ?? 0;
    if (attempts >= 3) break;
    assert.ok(Date.now() < deadline, `only ${attempts} attempt(s); stderr: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGTERM');
  assert.equal(await exited, 0, stderr);
});

test("the privilege split's RunAsUser does not deliver by itself: with no daemon its -q is exit 71, while -Q still works", async (t) => {
  const accounts = new TestAccounts();
  t.after(() => accounts.cleanup());
  const dir = await queueSite(t);
  const worker = accounts.user(join(dir.dir, 'worker'));
  const site = await queueSite(t, [`RunAsUser = ${worker.name}`]);
  const [id] = await fill(site.spool, [{ recipients: ['bob@remote.example'] }]);
  await giveSpool(site.spool, worker.uid, worker.gid);
  const run = await queueCmd('qrun', site.conf, ['-q'], { as: worker });
  assert.equal(run.code, 71, run.stderr);
  assert.match(run.stderr, new RegExp(`${worker.name} delivers only through it`));
  assert.equal((await state(site.spool, id as string))?.state.attempts, 0);
  const q = await queueCmd('qrun', site.conf, ['-Qwait', `-qI${id}`], { as: worker });
  assert.equal(q.code, 0, q.stderr);
  assert.equal((await state(site.spool, id as string))?.state.quarantine, 'wait');
});
