import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dsnTargets, type DsnOutcome, type DsnPolicy } from '../../src/bounce/targets.js';
import type { DsnAction, DsnKind } from '../../src/bounce/types.js';
import { sampleEnvelope } from './helpers.js';

const POLICY: DsnPolicy = { postmasterCopy: [], doubleBounceAddress: 'postmaster', noreceipts: false, precedenceClass: 0 };

function outcome(action: DsnAction, extra: Partial<DsnOutcome> = {}): DsnOutcome {
  const status = action === 'failed' ? '5.1.1' : action === 'delayed' ? '4.4.1' : '2.0.0';
  return { final: 'bob@example.com', action, status, ...extra };
}

function kinds(outcomes: DsnOutcome[], policy: Partial<DsnPolicy> = {}, sender = 'alice@example.com'): Array<[DsnKind, string[]]> {
  return dsnTargets(sampleEnvelope({ sender }), outcomes, { ...POLICY, ...policy }).reports.map((r) => [r.kind, r.to]);
}

// §6.1 and privacy-options.md: which report each NOTIFY value asks for, per outcome.
// F = failure report, D = delay report, S = success report; '' = none.
const NOTIFY_TABLE: Array<[string[] | undefined, string]> = [
  [undefined, 'FD'],
  [['NEVER'], ''],
  [['SUCCESS'], 'S'],
  [['FAILURE'], 'F'],
  [['DELAY'], 'D'],
  [['SUCCESS', 'FAILURE'], 'SF'],
  [['SUCCESS', 'DELAY'], 'SD'],
  [['FAILURE', 'DELAY'], 'FD'],
  [['SUCCESS', 'FAILURE', 'DELAY'], 'SFD'],
];
const EVENT: Record<DsnAction, { letter: string; kind: DsnKind }> = {
  failed: { letter: 'F', kind: 'failure' },
  delayed: { letter: 'D', kind: 'delay' },
  delivered: { letter: 'S', kind: 'success' },
  relayed: { letter: 'S', kind: 'success' },
  expanded: { letter: 'S', kind: 'success' },
};

test('NOTIFY × outcome × noreceipts: exactly the reports asked for (§6.1, noreceipts)', () => {
  for (const [notify, wanted] of NOTIFY_TABLE) {
    for (const action of Object.keys(EVENT) as DsnAction[]) {
      for (const noreceipts of [false, true]) {
        const o = outcome(action, notify === undefined ? {} : { notify });
        const got = kinds([o], { noreceipts });
        // noreceipts: NOTIFY is ignored, failures and delays are reported as if it were absent.
        const asked = noreceipts ? 'FD' : wanted;
        const expected: Array<[DsnKind, string[]]> = asked.includes(EVENT[action].letter) ? [[EVENT[action].kind, ['alice@example.com']]] : [];
        assert.deepEqual(got, expected, `NOTIFY=${notify?.join(',') ?? '-'} ${action} noreceipts=${noreceipts}`);
      }
    }
  }
});

test('one report per kind per return address: all failures of an attempt in one DSN', () => {
  const r = dsnTargets(
    sampleEnvelope(),
    [
      outcome('failed', { final: 'bob@example.com' }),
      outcome('failed', { final: 'carol@example.com' }),
      outcome('delivered', { final: 'dave@example.com', notify: ['SUCCESS'] }),
      outcome('relayed', { final: 'erin@example.net', notify: ['SUCCESS', 'FAILURE'] }),
    ],
    POLICY,
  );
  assert.deepEqual(
    r.reports.map((p) => [p.kind, p.to, p.recipients.map((x) => x.final)]),
    [
      ['failure', ['alice@example.com'], ['bob@example.com', 'carol@example.com']],
      ['success', ['alice@example.com'], ['dave@example.com', 'erin@example.net']],
    ],
  );
  // The planner's own fields stay out of what a report shows.
  assert.deepEqual(Object.keys(r.reports[1]!.recipients[0]!).sort(), ['action', 'final', 'status']);
});

test('owner- override: deliveries through a list report to the owner, the rest to the sender', () => {
  const r = dsnTargets(
    sampleEnvelope(),
    [
      outcome('failed', { final: 'carol@example.net', returnTo: 'list-request@mail.example.com', expandedFrom: 'list@example.com' }),
      outcome('failed', { final: 'zed@example.com' }),
      outcome('failed', { final: 'bob@example.net', returnTo: 'List-Request@mail.example.com' }),
    ],
    POLICY,
  );
  assert.deepEqual(
    r.reports.map((p) => [p.kind, p.to, p.recipients.map((x) => x.final)]),
    [
      ['failure', ['list-request@mail.example.com'], ['carol@example.net', 'bob@example.net']],
      ['failure', ['alice@example.com'], ['zed@example.com']],
    ],
  );
});

test('delay warnings: only for precedence ≥ 0 and senders that are not owner-* or *-request (§6.1)', () => {
  const delayed = [outcome('delayed')];
  const table: Array<[string, number, boolean]> = [
    ['alice@example.com', 0, true],
    ['alice@example.com', 100, true],
    ['alice@example.com', -1, false],
    ['alice@example.com', -30, false],
    ['owner-list@example.com', 0, false],
    ['OWNER-list@example.com', 0, false],
    ['list-request@example.com', 0, false],
    ['List-REQUEST@example.com', 0, false],
    ['list-request', 0, false],
    ['requests@example.com', 0, true],
    ['owner@example.com', 0, true],
    ['list-owner@example.com', 0, true],
  ];
  for (const [sender, cls, sent] of table) {
    assert.deepEqual(kinds(delayed, { precedenceClass: cls }, sender), sent ? [['delay', [sender]]] : [], `${sender} class ${cls}`);
  }
  // The owner- return address of a list delivery counts, not the original sender.
  assert.deepEqual(kinds([outcome('delayed', { returnTo: 'list-request@mail.example.com' })]), []);
  // Failures still go to such senders.
  assert.deepEqual(kinds([outcome('failed')], {}, 'owner-list@example.com'), [['failure', ['owner-list@example.com']]]);
});

test('PostmasterCopy: one header-only copy of every failure, even NOTIFY=NEVER, never for delays or receipts (§6.5)', () => {
  const copy = { postmasterCopy: ['postmaster', 'securitymaster'] };
  assert.deepEqual(kinds([outcome('failed')], copy), [
    ['failure', ['alice@example.com']],
    ['postmaster', ['postmaster', 'securitymaster']],
  ]);
  assert.deepEqual(kinds([outcome('failed', { notify: ['NEVER'] })], copy), [['postmaster', ['postmaster', 'securitymaster']]]);
  assert.deepEqual(kinds([outcome('failed', { notify: ['SUCCESS'] })], copy), [['postmaster', ['postmaster', 'securitymaster']]]);
  assert.deepEqual(kinds([outcome('delayed')], copy), [['delay', ['alice@example.com']]]);
  assert.deepEqual(kinds([outcome('delivered', { notify: ['SUCCESS'] })], copy), [['success', ['alice@example.com']]]);
  // Negative precedence: no copy (op.me), and the failure report itself is still sent.
  assert.deepEqual(kinds([outcome('failed')], { ...copy, precedenceClass: -60 }), [['failure', ['alice@example.com']]]);
  // Failures for two return addresses: still one copy, listing both.
  const r = dsnTargets(sampleEnvelope(), [outcome('failed'), outcome('failed', { final: 'x@example.net', returnTo: 'owner@example.com' })], { ...POLICY, ...copy });
  const copies = r.reports.filter((p) => p.kind === 'postmaster');
  assert.equal(copies.length, 1);
  assert.deepEqual(copies[0]!.recipients.map((x) => x.final), ['bob@example.com', 'x@example.net']);
  // Empty entries of the list are ignored; an empty list means no copies.
  assert.deepEqual(kinds([outcome('failed')], { postmasterCopy: [' ', ''] }), [['failure', ['alice@example.com']]]);
});

test('null sender: never a report to <>; failures become one double bounce to DoubleBounceAddress (§6.6)', () => {
  const all = [outcome('failed', { notify: ['NEVER'] }), outcome('failed', { final: 'c@example.com' }), outcome('delayed'), outcome('delivered', { notify: ['SUCCESS'] })];
  const r = dsnTargets(sampleEnvelope({ sender: '' }), all, { ...POLICY, postmasterCopy: ['securitymaster'] });
  assert.deepEqual(
    r.reports.map((p) => [p.kind, p.to, p.recipients.map((x) => x.final)]),
    [['double', ['postmaster'], ['bob@example.com', 'c@example.com']]],
  );
  assert.equal(r.dropped, undefined);
  assert.equal(r.lastResort, undefined);
  // Delays and successes of <> mail: nothing at all.
  assert.deepEqual(dsnTargets(sampleEnvelope({ sender: '' }), [outcome('delayed'), outcome('delivered', { notify: ['SUCCESS'] })], POLICY), { reports: [] });
  // Another DoubleBounceAddress, and owner- overrides do not turn <> mail into a report.
  assert.deepEqual(kinds([outcome('failed', { returnTo: 'list-request@example.com' })], { doubleBounceAddress: 'hostmaster@example.com' }, ''), [['double', ['hostmaster@example.com']]]);
});

test('DoubleBounceAddress empty: the double bounce is dropped and the reason given for the log', () => {
  const r = dsnTargets(sampleEnvelope({ sender: '' }), [outcome('failed')], { ...POLICY, doubleBounceAddress: '' });
  assert.deepEqual(r, { reports: [], dropped: 'double bounce dropped: DoubleBounceAddress is empty' });
});

test('a failed double bounce is never reported: DeadLetterDrop, else set aside as lost', () => {
  const env = sampleEnvelope({ sender: '' });
  assert.deepEqual(dsnTargets(env, [outcome('failed')], { ...POLICY, origin: 'double', deadLetterDrop: '/var/spool/postern-dead' }), {
    reports: [],
    lastResort: { action: 'dead-letter', path: '/var/spool/postern-dead' },
  });
  assert.deepEqual(dsnTargets(env, [outcome('failed')], { ...POLICY, origin: 'double' }), {
    reports: [],
    lastResort: { action: 'lost', reason: 'double bounce undeliverable' },
  });
  assert.deepEqual(dsnTargets(env, [outcome('failed')], { ...POLICY, origin: 'double', deadLetterDrop: '' }).lastResort, {
    action: 'lost',
    reason: 'double bounce undeliverable',
  });
  // A failed ordinary report or postmaster copy is a double bounce, not a last resort.
  for (const origin of ['failure', 'delay', 'success', 'postmaster'] as DsnKind[]) {
    assert.deepEqual(kinds([outcome('failed')], { origin }, ''), [['double', ['postmaster']]], origin);
  }
  // A double bounce that is only delayed waits like any other message.
  assert.deepEqual(dsnTargets(env, [outcome('delayed')], { ...POLICY, origin: 'double' }), { reports: [] });
});

test('nothing happened worth a report: no reports', () => {
  assert.deepEqual(dsnTargets(sampleEnvelope(), [], POLICY), { reports: [] });
  assert.deepEqual(dsnTargets(sampleEnvelope(), [outcome('delivered')], { ...POLICY, postmasterCopy: ['postmaster'] }), { reports: [] });
});
