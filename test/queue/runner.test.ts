// The queue runner in process, over a real spool, real agents and real accounts: each final delivery
// once per message, quarantine, a crash's unreported failure reported on the next attempt, reports
// (receipts, "expanded", double bounces, the last resort), Timeout.queuereturn=now, MaxQueueRunSize.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { buildRuntime, type Runtime } from '../../src/daemon/runtime.js';
import { VERSION } from '../../src/version.js';
import { collect } from './helpers.js';
import { RunnerWorld } from './runner-world.js';

const PROGRAMS = {
  refuse: 'cat > /dev/null\necho "refuse: nobody of that name"\nexit 67',
  tempfail: 'cat > /dev/null\nexit 75',
};

test('each final delivery once per message, however many paths lead to it', async (t) => {
  const w = await RunnerWorld.create(t, { aliases: ['team: $bob, $carol', 'twice: $bob, $bob, team'] });
  const id = await w.submit([w.address('team'), w.address(w.bob), w.address('twice')]);
  await w.settle();
  assert.equal((await w.mbox(w.bob)).length, 1);
  assert.equal((await w.mbox(w.carol)).length, 1);
  assert.deepEqual(w.deliveries(id).map((d) => d.stat), ['Sent', 'Sent']);
  const m = await w.message(id);
  assert.equal(m?.state.done, true);
  assert.deepEqual(m?.state.recipients.map((r) => r.status), ['delivered', 'delivered', 'delivered']);
  // A forced run later finds nothing left to do.
  assert.equal((await w.queue.runner.runQueue({ force: true })).selected, 0);
  assert.equal((await w.mbox(w.bob)).length, 1);
});

test('a quarantined message is never delivered; released, it is', async (t) => {
  const w = await RunnerWorld.create(t);
  const id = await w.submit([w.address(w.bob)], { quarantine: 'held by the access map' });
  await w.settle();
  assert.equal((await w.queue.runner.runQueue({ force: true })).selected, 0);
  assert.deepEqual(await w.mbox(w.bob), []);
  assert.equal((await w.message(id))?.state.quarantine, 'held by the access map');
  // `sendmail -qQ -Q -qI<id>` releases it (cli.md §4): a state record with quarantine null, then a run
  // filtered on the id (filtered runs ignore the schedule).
  await w.queue.spool.appendState({ version: 1, id, at: Date.now(), quarantine: null });
  assert.equal((await w.queue.runner.runQueue({ force: true })).attempted, 1);
  assert.equal((await w.mbox(w.bob)).length, 1);
});

test('after a crash between checkpoints and the report: delivered keys are not repeated, the failure is reported once', async (t) => {
  const w = await RunnerWorld.create(t, { conf: ['DeliveryMode = queue'] });
  const id = await w.submit([w.address(w.bob), w.address(w.carol)]);
  // What an attempt cut short by kill -9 leaves: both outcomes checkpointed, no report, no final record.
  await w.queue.spool.appendState({
    version: 1,
    id,
    at: Date.now(),
    deliveries: [
      { key: `mailbox:${w.bob.name}`, recipient: 0, status: 'delivered', code: 250, enh: '2.0.0', text: 'Delivered', final: w.address(w.bob), mailer: 'local' },
      { key: `mailbox:${w.carol.name}`, recipient: 1, status: 'failed', code: 552, enh: '5.2.2', text: 'Mailbox full', final: w.address(w.carol), mailer: 'local' },
    ],
  });
  await w.queue.runner.runQueue();
  assert.deepEqual(await w.mbox(w.bob), [], 'bob is not delivered again');
  assert.deepEqual(await w.mbox(w.carol), [], 'carol is not attempted again');
  const reports = w.reports(id);
  assert.deepEqual(reports.map((r) => r.kind), ['failure']);
  const dsn = (await w.queue.runner.reader.readData(reports[0]!.id)).toString();
  assert.match(dsn, new RegExp(`\\r\\nFinal-Recipient: RFC822; ${w.carol.name}@mx\\.example\\.com\\r\\nAction: failed\\r\\nStatus: 5\\.2\\.2\\r\\n`));
  assert.ok(!dsn.includes(`Final-Recipient: RFC822; ${w.bob.name}@`));
  assert.equal((await w.message(id))?.state.done, true);
  // The report itself is queued for the (remote) sender.
  const report = await w.message(reports[0]!.id);
  assert.deepEqual([report?.envelope.sender, report?.envelope.report, report?.envelope.recipients[0]?.address], ['', 'failure', 'alice@client.example']);
  await w.queue.runner.runQueue({ force: true });
  assert.equal(w.reports(id).length, 1, 'reported once');
});

test('receipts: NOTIFY=SUCCESS gets "delivered"; a list recipient gets "expanded"', async (t) => {
  const w = await RunnerWorld.create(t, { aliases: ['team: $bob, $carol'] });
  const id = await w.submit([
    { address: w.address(w.bob), notify: ['SUCCESS'], orcpt: `rfc822;${w.address(w.bob)}` },
    { address: w.address('team'), notify: ['SUCCESS', 'FAILURE'] },
  ]);
  await w.settle();
  const reports = w.reports(id);
  assert.deepEqual(reports.map((r) => r.kind), ['success']);
  const dsn = (await w.queue.runner.reader.readData(reports[0]!.id)).toString();
  assert.match(dsn, /\r\nSubject: Return receipt\r\n/);
  assert.match(dsn, new RegExp(`\\r\\nOriginal-Recipient: rfc822;${w.bob.name}@mx\\.example\\.com\\r\\nFinal-Recipient: RFC822; ${w.bob.name}@mx\\.example\\.com\\r\\nAction: delivered\\r\\nStatus: 2\\.0\\.0\\r\\n`));
  assert.match(dsn, /\r\nFinal-Recipient: RFC822; team@mx\.example\.com\r\nAction: expanded\r\nStatus: 2\.0\.0\r\n/);
  // The expanded members lost SUCCESS: no receipt names carol.
  assert.ok(!dsn.includes(`${w.carol.name}@mx.example.com\r\nAction`));
});

test('a failed null-sender message goes to DoubleBounceAddress; a failed double bounce is set aside as lost', async (t) => {
  const w = await RunnerWorld.create(t, { programs: PROGRAMS, aliases: ['broken: "|refuse"'], conf: ['DeliveryMode = queue'] });
  await w.queue.reload(await reloadWith(w, [`DoubleBounceAddress = ${w.bob.name}`]));
  const bounce = await w.submit([w.address('broken')], { sender: '' });
  await w.queue.runner.runQueue();
  assert.deepEqual(w.reports(bounce).map((r) => r.kind), ['double']);
  await w.queue.runner.runQueue();
  const mail = await w.mbox(w.bob);
  assert.equal(mail.length, 1);
  assert.match(mail[0]!, /\nSubject: Postmaster notify: see transcript for details\n/);
  assert.match(mail[0]!, /\nAuto-Submitted: auto-generated \(postmaster-notification\)\n/);

  const double = await w.submit([w.address('broken')], { sender: '', report: 'double' });
  await w.queue.runner.runQueue();
  assert.deepEqual(w.reports(double), []);
  const lost = await collect(w.queue.runner.reader.lost());
  assert.deepEqual(lost.map((l) => [l.id, l.reason]), [[double, 'double bounce undeliverable']]);
  assert.ok((await collect(w.queue.runner.reader.list())).every((m) => m.envelope.id !== double));
});

test('a failed double bounce is written to DeadLetterDrop, as DefaultUser', async (t) => {
  const w = await RunnerWorld.create(t, { programs: PROGRAMS, aliases: ['broken: "|refuse"'], conf: ['DeliveryMode = queue'] });
  await w.queue.reload(await reloadWith(w, [`DeadLetterDrop = ${join(w.dir, 'safe', 'dead.letter')}`]));
  const double = await w.submit([w.address('broken')], { sender: '', report: 'double', subject: 'lost-cause' });
  await w.queue.runner.runQueue();
  const text = await readFile(join(w.dir, 'safe', 'dead.letter'), 'utf8');
  assert.match(text, /^From MAILER-DAEMON [^\n]+\nReturn-Path: <>\n[\s\S]*\nSubject: lost-cause\n/);
  assert.equal((await w.message(double))?.state.done, true);
  assert.ok(w.logs.some((l) => l.fields.event === 'dead-letter' && l.fields.qid === double));
});

test('Timeout.queuereturn=now on a run returns every message it processes, with 4.4.7', async (t) => {
  const w = await RunnerWorld.create(t, { programs: PROGRAMS, aliases: ['stuck: "|tempfail"'] });
  const id = await w.submit([w.address('stuck')]);
  await w.settle();
  assert.equal((await w.message(id))?.state.recipients[0]?.status, 'deferred');
  await w.queue.runner.runQueue({ force: true, expireNow: true });
  const reports = w.reports(id);
  assert.deepEqual(reports.map((r) => r.kind), ['failure']);
  const dsn = (await w.queue.runner.reader.readData(reports[0]!.id)).toString();
  assert.match(dsn, /\r\nFinal-Recipient: X-Unix; \|tempfail\r\nAction: failed\r\nStatus: 4\.4\.7\r\n/);
  assert.equal((await w.message(id))?.state.done, true);
});

test('the retry schedule: not before MinQueueAge; queuewarn once; MaxQueueRunSize limits a run', async (t) => {
  const w = await RunnerWorld.create(t, { programs: PROGRAMS, aliases: ['stuck: "|tempfail"'], conf: ['MaxQueueRunSize = 1'] });
  const a = await w.submit([w.address('stuck')]);
  const b = await w.submit([w.address('stuck')]);
  await w.settle();
  assert.deepEqual([(await w.message(a))?.state.attempts, (await w.message(b))?.state.attempts], [1, 1]);
  // Not due before MinQueueAge (5m by default).
  assert.equal((await w.queue.runner.runQueue()).selected, 0);
  w.skew = 6 * 60_000;
  const run = await w.queue.runner.runQueue();
  assert.deepEqual([run.selected, run.attempted], [1, 1]);
  // Five hours on: past queuewarn (4h); the warning goes out once (to the remote sender: queued).
  w.skew = 5 * 3600_000;
  await w.queue.runner.runQueue();
  await w.queue.runner.runQueue();
  w.skew = 6 * 3600_000;
  await w.queue.runner.runQueue();
  await w.queue.runner.runQueue();
  assert.deepEqual(w.reports(a).map((r) => r.kind), ['delay']);
  assert.deepEqual(w.reports(b).map((r) => r.kind), ['delay']);
  assert.equal((await w.message(a))?.state.warningSent, true);
});

/** The world's configuration with `lines` added, as a fresh Runtime (SIGHUP). */
async function reloadWith(w: RunnerWorld, lines: string[]): Promise<Runtime> {
  const conf = join(w.dir, 'postern.conf');
  await appendFile(conf, `${lines.join('\n')}\n`);
  const rt = (await buildRuntime((await loadConfig({ path: conf })).config!, VERSION)).runtime!;
  rt.dns.cancel();
  return rt;
}
