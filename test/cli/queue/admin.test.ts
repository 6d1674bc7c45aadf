// `postern queue` done by the command itself (no daemon answers; root owns the queue): each action
// under the message lock, logged as a pino line on stderr; show's text and JSON; exit statuses.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod } from 'node:fs/promises';
import { SpoolReader } from '../../../src/queue/reader.js';
import { fill, logLines, messages, queueCmd, queueSite } from './helpers.js';

test('hold, show, release, delete, bounce in process; each logged; errors and their exit statuses', async (t) => {
  const site = await queueSite(t);
  const [a, b, c] = await fill(site.spool, [{ recipients: ['bob@remote.example'] }, { recipients: ['carol@remote.example'] }, { sender: 'alice@example.com', recipients: ['dave@remote.example'] }]);

  const hold = await queueCmd('admin', site.conf, ['hold', a as string, c as string]);
  assert.equal(hold.code, 0, hold.stderr);
  assert.equal(hold.stdout, `${a}: quarantined (held by root)\n${c}: quarantined (held by root)\n`);
  const log = logLines(hold.stderr);
  assert.deepEqual(
    log.map((l) => [l['event'], l['action'], l['qid'], l['by'], l['uid'], l['reason']]),
    [
      ['queue-admin', 'hold', a, 'root', 0, 'held by root'],
      ['queue-admin', 'hold', c, 'root', 0, 'held by root'],
    ],
  );

  const json = await queueCmd('admin', site.conf, ['show', '--json', a as string]);
  assert.equal(json.code, 0, json.stderr);
  const shown = JSON.parse(json.stdout) as Array<{ envelope: { id: string }; dataSize: number; state: { quarantine?: string; recipients: Array<{ address: string; status: string }> } }>;
  assert.equal(shown[0]?.envelope.id, a);
  assert.equal(shown[0]?.state.quarantine, 'held by root');
  assert.deepEqual(shown[0]?.state.recipients.map((r) => [r.address, r.status]), [['bob@remote.example', 'pending']]);
  const text = await queueCmd('admin', site.conf, ['show', a as string]);
  assert.match(text.stdout, /\nNext attempt: none \(quarantined\)\n/);
  assert.match(text.stdout, /\nQuarantine: {3}held by root\n/);

  const rel = await queueCmd('admin', site.conf, ['release', a as string]);
  assert.equal(rel.code, 0, rel.stderr);
  const again = await queueCmd('admin', site.conf, ['release', a as string]);
  assert.equal(again.code, 64);
  assert.equal(messages(again.stderr), `${a}: not quarantined\n`);

  const del = await queueCmd('admin', site.conf, ['delete', b as string]);
  assert.equal(del.code, 0, del.stderr);
  const gone = await new SpoolReader(site.spool).get(b as string);
  assert.equal(gone?.state.done, true);
  assert.deepEqual(gone?.state.recipients.map((r) => [r.status, r.text]), [['failed', 'Deleted by root']]);
  const list = await queueCmd('mailq', site.conf, []);
  assert.ok(!list.stdout.includes(b as string));

  // bounce of a held message: released, then returned to alice with a failure report.
  const bounce = await queueCmd('admin', site.conf, ['bounce', c as string]);
  assert.equal(bounce.code, 0, bounce.stderr);
  assert.equal(bounce.stdout, `${c}: returned to the sender\n`);
  assert.deepEqual(logLines(bounce.stderr).map((l) => l['action']), ['release', 'bounce']);
  const queued = [];
  for await (const m of new SpoolReader(site.spool).list()) queued.push(m);
  assert.ok(!queued.some((m) => m.envelope.id === c));
  const dsn = queued.find((m) => m.envelope.sender === '');
  assert.deepEqual(dsn?.envelope.recipients.map((r) => r.address), ['alice@example.com']);

  const missing = await queueCmd('admin', site.conf, ['show', b as string, a as string]);
  assert.equal(missing.code, 66);
  assert.equal(missing.stderr, `${b}: not in the queue\n`);
  assert.match(missing.stdout, new RegExp(`^Queue ID: {5}${a}\n`));

  const usage = await queueCmd('admin', site.conf, ['hold', 'not-a-queue-id']);
  assert.equal(usage.code, 64);
  assert.match(usage.stderr, /^postern queue: not-a-queue-id: not a queue id\n/);
  const none = await queueCmd('admin', site.conf, ['delete']);
  assert.equal(none.code, 64);
});

test('an unsafe queue directory stops a run done by the command with exit 78 and the reason', async (t) => {
  const site = await queueSite(t);
  await fill(site.spool, [{}]);
  await chmod(site.spool, 0o777);
  const r = await queueCmd('qrun', site.conf, ['-q']);
  assert.equal(r.code, 78, r.stderr);
  assert.match(r.stderr, /writable by group or others|group or other/i);
});
