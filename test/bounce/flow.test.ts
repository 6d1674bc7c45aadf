// A failure travels through a real spool: the report is queued, read back and parsed; when it fails in
// turn a double bounce is queued; when that fails too nothing more is sent and it is set aside as lost.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDsn } from '../../src/bounce/dsn.js';
import { dsnTargets, type DsnOutcome, type DsnPolicy } from '../../src/bounce/targets.js';
import type { DsnKind } from '../../src/bounce/types.js';
import type { Envelope } from '../../src/queue/envelope.js';
import { SpoolReader, type QueuedMessage } from '../../src/queue/reader.js';
import { classTimeouts, precedenceClass, type ScheduleOptions } from '../../src/queue/schedule.js';
import { Spool } from '../../src/queue/spool.js';
import { loadConfig } from '../../src/config/load.js';
import { ORIGINAL, field, pythonParse, sampleEnvelope } from './helpers.js';

async function listAll(dir: string): Promise<QueuedMessage[]> {
  const out: QueuedMessage[] = [];
  for await (const m of new SpoolReader(dir).list()) out.push(m);
  return out;
}

test('failure → report → double bounce → set aside, through Spool.commit and SpoolReader', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'postern-bounce-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const loaded = await loadConfig({ embedded: true, cliOptions: [{ name: 'PostmasterCopy', value: 'postmaster, securitymaster' }] });
  const cfg = loaded.config!;
  const opts: ScheduleOptions = { ...cfg.options, precedence: cfg.precedence };
  const spool = await Spool.open({ dir });
  t.after(() => spool.close());
  // What each queued message is, as the runner has to remember it (see docs/bounces.md).
  const origin = new Map<string, DsnKind>();

  const now = new Date(Date.UTC(2024, 0, 1, 12, 5, 0));
  const attempt = async (env: Envelope, data: Buffer, outcomes: DsnOutcome[]) => {
    const policy: DsnPolicy = {
      postmasterCopy: cfg.options.PostmasterCopy ?? [],
      doubleBounceAddress: cfg.options.DoubleBounceAddress,
      noreceipts: false,
      precedenceClass: precedenceClass(env, cfg.precedence),
      ...(origin.has(env.id) ? { origin: origin.get(env.id)! } : {}),
    };
    const plan = dsnTargets(env, outcomes, policy);
    const { warn, ret } = classTimeouts(env, opts);
    const ids: string[] = [];
    for (const r of plan.reports) {
      const dsn = buildDsn(r.kind, env, r.recipients, data, {
        qid: spool.newId(),
        j: 'mail.example.com',
        mailerName: 'MAILER-DAEMON',
        now,
        to: r.to,
        nobodyreturn: false,
        noactualrecipient: false,
        precedenceClass: policy.precedenceClass,
        queuewarn: warn,
        queuereturn: ret,
      });
      await spool.commit(dsn.envelope, dsn.data);
      origin.set(dsn.envelope.id, dsn.kind);
      ids.push(dsn.envelope.id);
    }
    return { plan, ids };
  };

  const original = sampleEnvelope({ id: spool.newId() });
  await spool.commit(original, ORIGINAL);

  // 1. bob is unknown: a failure report to alice and one postmaster copy.
  const first = await attempt(original, ORIGINAL, [
    { final: 'bob@example.com', action: 'failed', status: '5.1.1', diagnostic: '550 5.1.1 <bob@example.com>... User unknown' },
  ]);
  assert.deepEqual(first.plan.reports.map((r) => r.kind), ['failure', 'postmaster']);
  await spool.appendState({ version: 1, id: original.id, at: now.getTime(), attempts: 1, recipients: [{ index: 0, status: 'failed' }], done: true });

  const queued = await listAll(dir);
  assert.deepEqual(queued.map((m) => m.envelope.id).sort(), [...first.ids].sort());
  const reader = new SpoolReader(dir);
  const report = queued.find((m) => m.envelope.id === first.ids[0])!;
  assert.equal(report.envelope.sender, '');
  assert.deepEqual(report.envelope.recipients.map((r) => r.address), ['alice@example.com']);
  const copy = queued.find((m) => m.envelope.id === first.ids[1])!;
  assert.deepEqual(copy.envelope.recipients.map((r) => r.address), ['postmaster@mail.example.com', 'securitymaster@mail.example.com']);
  const reportData = await reader.readData(report.envelope.id);
  const parsed = pythonParse(reportData);
  assert.deepEqual(parsed.defects, []);
  assert.equal(field(parsed.headers, 'Subject'), 'Returned mail: see transcript for details');
  assert.equal(parsed.parts[2]!.inner_body, 'Shall we meet at noon?\r\n.\r\n-- \r\nAlice\r\n');

  // 2. The report cannot be delivered either (alice's server refuses it): a double bounce, to postmaster.
  const second = await attempt(report.envelope, reportData, [
    { final: 'alice@example.com', action: 'failed', status: '5.1.1', remoteMta: 'mx.example.com', diagnostic: '550 5.1.1 No such user' },
  ]);
  assert.deepEqual(second.plan.reports.map((r) => [r.kind, r.to]), [['double', ['postmaster']]]);
  const double = (await listAll(dir)).find((m) => m.envelope.id === second.ids[0])!;
  assert.equal(double.envelope.sender, '');
  assert.deepEqual(double.envelope.recipients.map((r) => r.address), ['postmaster@mail.example.com']);
  const doubleData = await reader.readData(double.envelope.id);
  const dp = pythonParse(doubleData);
  assert.equal(field(dp.headers, 'Subject'), 'Postmaster notify: see transcript for details');
  // The failed report comes back whole inside the double bounce.
  assert.equal(field(dp.parts[2]!.inner_headers!, 'Subject'), 'Returned mail: see transcript for details');

  // 3. The double bounce fails: no third report; it is set aside as lost.
  const third = await attempt(double.envelope, doubleData, [
    { final: 'postmaster@mail.example.com', action: 'failed', status: '5.0.0', diagnostic: '554 mailbox disabled' },
  ]);
  assert.deepEqual(third.plan, { reports: [], lastResort: { action: 'lost', reason: 'double bounce undeliverable' } });
  assert.deepEqual(third.ids, []);
  const last = third.plan.lastResort;
  assert.ok(last?.action === 'lost');
  await spool.appendState({ version: 1, id: double.envelope.id, at: now.getTime(), attempts: 1, lost: last.reason });
  const lost: string[] = [];
  for await (const l of reader.lost()) if (l.id !== undefined) lost.push(l.id);
  assert.deepEqual(lost, [double.envelope.id]);
});
