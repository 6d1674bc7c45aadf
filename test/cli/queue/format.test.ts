// mailq's text layout (queue-and-bounces.md §3), the argument forms of -q/-Q (cli.md §4) and the
// filter rules (§4: same letter ORed, different letters ANDed, R and S case-insensitive).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ctime16, formatListing, formatLost } from '../../../src/cli/queue/mailq-format.js';
import type { ListedMessage } from '../../../src/cli/queue/listing.js';
import { parseQueueArgs, parseQueueInterval } from '../../../src/cli/queue/args.js';
import { emptyFilter, matchesFilter } from '../../../src/cli/queue/filter.js';
import { runArgsProblem } from '../../../src/cli/queue/run-cmd.js';

const JAN1 = new Date(2024, 0, 1, 12, 0).getTime(); // a Monday, local time like ctime(3)

function msg(extra: Partial<ListedMessage> = {}): ListedMessage {
  return {
    id: '5AbCdEfGh0001k',
    mark: ' ',
    size: 2166,
    priority: 32166,
    created: JAN1,
    sender: 'alice@example.com',
    warned: false,
    attempts: 1,
    recipients: [{ address: 'bob@example.net', status: 'deferred' }],
    ...extra,
  };
}

test('the spec example, byte for byte', () => {
  const text = formatListing(
    { directory: '/var/spool/postern', total: 1, messages: [msg({ status: 'Deferred: Connection refused by mx.example.net.' })] },
    { verbose: false, quarantine: false },
  );
  assert.equal(
    text,
    '\t\t/var/spool/postern (1 request)\n' +
      '-----Q-ID----- --Size-- -----Q-Time----- ------------Sender/Recipient-----------\n' +
      '5AbCdEfGh0001k     2166 Mon Jan  1 12:00 <alice@example.com>\n' +
      '                 (Deferred: Connection refused by mx.example.net.)\n' +
      '\t\t\t\t\t <bob@example.net>\n' +
      '\t\tTotal requests: 1\n',
  );
});

test('an empty queue', () => {
  assert.equal(formatListing({ directory: '/var/spool/postern', total: 0, messages: [] }, { verbose: false, quarantine: false }), '/var/spool/postern is empty\n\t\tTotal requests: 0\n');
});

test('plural, status marks, no status line without an attempt, null sender, MaxQueueRunSize cut', () => {
  const text = formatListing(
    { directory: '/q', total: 3, messages: [msg({ mark: '*', sender: '' }), msg({ id: '5AbCdEfGh0002k', mark: '-', size: 12345678 })] },
    { verbose: false, quarantine: false },
  );
  const lines = text.split('\n');
  assert.equal(lines[0], '\t\t/q (3 requests, only 2 printed)');
  assert.equal(lines[2], '5AbCdEfGh0001k*    2166 Mon Jan  1 12:00 <>');
  assert.equal(lines[4], '5AbCdEfGh0002k-12345678 Mon Jan  1 12:00 <alice@example.com>');
  assert.equal(lines.at(-2), '\t\tTotal requests: 3');
  assert.ok(!text.includes(`${' '.repeat(17)}(`), 'no status line without a recorded status');
});

test('cuts: sender at 45, status text at 100, recipient at 78 characters', () => {
  const long = `${'s'.repeat(60)}@example.com`;
  const rcpt = `${'r'.repeat(90)}@example.net`;
  const status = 'x'.repeat(150);
  const lines = formatListing({ directory: '/q', total: 1, messages: [msg({ sender: long, status, recipients: [{ address: rcpt, status: 'pending' }] })] }, { verbose: false, quarantine: false }).split('\n');
  assert.equal(lines[2], `5AbCdEfGh0001k     2166 Mon Jan  1 12:00 ${`<${long}>`.slice(0, 45)}`);
  assert.equal(lines[3], `${' '.repeat(17)}(${'x'.repeat(100)})`);
  assert.equal(lines[4], `\t\t\t\t\t ${`<${rcpt}>`.slice(0, 78)}`);
});

test('-v: priority, + for a warned message, 12-character date, per-recipient status', () => {
  const lines = formatListing(
    { directory: '/q', total: 1, messages: [msg({ warned: true, recipients: [{ address: 'bob@example.net', status: 'deferred', text: 'Deferred: 451 4.4.1 no' }] })] },
    { verbose: true, quarantine: false },
  ).split('\n');
  assert.equal(lines[1], '-----Q-ID----- --Size-- -Priority- ---Q-Time--- --------Sender/Recipient--------');
  assert.equal(lines[2], '5AbCdEfGh0001k     2166      32166+Jan  1 12:00 <alice@example.com>');
  assert.equal(lines[3], '\t\t\t\t\t <bob@example.net>');
  assert.equal(lines[4], '\t\t (Deferred: 451 4.4.1 no)');
});

test('-qQ: the QUARANTINE line follows the first line', () => {
  const lines = formatListing({ directory: '/q', total: 1, messages: [msg({ quarantine: 'spam', status: 'Deferred: x' })] }, { verbose: false, quarantine: true }).split('\n');
  assert.equal(lines[3], '     QUARANTINE: spam');
  assert.equal(lines[4], '                 (Deferred: x)');
});

test('-qL layout', () => {
  assert.equal(formatLost({ directory: '/q', lost: [] }), '/q has no lost items\n\t\tTotal lost items: 0\n');
  assert.equal(
    formatLost({ directory: '/q', lost: [{ file: 'w0.0000000001.seg.lost', reason: 'set aside by recovery' }, { file: 'runner.0000000002.seg', reason: 'double bounce', id: '5AbCdEfGh0001k' }] }),
    '\t\t/q (2 lost items)\n-------------- w0.0000000001.seg.lost: set aside by recovery\n5AbCdEfGh0001k runner.0000000002.seg: double bounce\n\t\tTotal lost items: 2\n',
  );
});

test('ctime16 pads the day of month with a space', () => {
  assert.equal(ctime16(new Date(2026, 10, 21, 9, 5).getTime()), 'Sat Nov 21 09:05');
  assert.equal(ctime16(new Date(2024, 1, 3, 23, 59).getTime()), 'Sat Feb  3 23:59');
});

test('queue intervals: -q<time> in minutes by default, -qp floored at 10 s, others none', () => {
  assert.equal(parseQueueInterval('-q30m'), 30 * 60_000);
  assert.equal(parseQueueInterval('-q1h30m'), 90 * 60_000);
  assert.equal(parseQueueInterval('-q15'), 15 * 60_000);
  assert.equal(parseQueueInterval('-qp'), 10_000);
  assert.equal(parseQueueInterval('-qp1s'), 10_000);
  assert.equal(parseQueueInterval('-qp5m'), 5 * 60_000);
  assert.equal(parseQueueInterval('-q'), undefined);
  assert.equal(parseQueueInterval('-qf'), undefined);
  assert.equal(parseQueueInterval('-qRbob'), undefined);
});

test('argument forms and their mistakes', () => {
  const ok = (argv: string[]) => {
    const r = parseQueueArgs(argv);
    assert.ok(r.ok, JSON.stringify(r));
    return r.args;
  };
  const a = ok(['-v', '-qRbob', '-qRcarol', '-q!Sspam', '-qIabc', '--json']);
  assert.deepEqual(a.filter.R, [
    { text: 'bob', negate: false },
    { text: 'carol', negate: false },
  ]);
  assert.deepEqual(a.filter.S, [{ text: 'spam', negate: true }]);
  assert.equal(a.verbose && a.json, true);
  assert.equal(ok(['-qQ']).quarantined, true);
  assert.deepEqual(ok(['-qQspam']).filter.Q, [{ text: 'spam', negate: false }]);
  assert.equal(ok(['-qL']).lost, true);
  assert.equal(ok(['-Q']).quarantine, '');
  assert.equal(ok(['-Qbad mail', '-qIx']).quarantine, 'bad mail');
  assert.equal(ok(['-Q', 'bad', '-qIx']).quarantine, 'bad');
  assert.equal(ok(['-qGmqueue']).group, 'mqueue');
  assert.deepEqual(parseQueueArgs(['-qX']), { ok: false, error: 'Invalid -q value' });
  assert.deepEqual(parseQueueArgs(['-q!Gx']), { ok: false, error: 'Can not use -q!G' });
  assert.deepEqual(parseQueueArgs(['-qGa', '-qGb']), { ok: false, error: 'Can not use multiple -qG options' });
  assert.equal(runArgsProblem(ok(['-qGother'])), 'Queue group other unknown');
  assert.equal(runArgsProblem(ok(['-q', '-Qwhy'])), 'Can not use -Q without -qI, -qR, -qS or -qQ<reason>');
  assert.equal(runArgsProblem(ok(['-q30m', '-Qwhy', '-qIx'])), 'Can not use -Q with -q<time>');
  assert.equal(runArgsProblem(ok(['-qIx', '-Qwhy'])), undefined);
});

test('filters: one letter ORed, letters ANDed, R and S ignore case, I and Q do not, ! negates', () => {
  const m = (id: string, sender: string, rcpts: string[], quarantine?: string) => ({
    envelope: { id, sender },
    state: { recipients: rcpts.map((address) => ({ address, status: 'pending' })), ...(quarantine !== undefined ? { quarantine } : {}) },
  });
  const f = emptyFilter();
  f.R.push({ text: 'BOB', negate: false }, { text: 'carol', negate: false });
  f.S.push({ text: 'Alice', negate: false });
  assert.equal(matchesFilter(f, m('A1', 'alice@x', ['bob@y'])), true);
  assert.equal(matchesFilter(f, m('A1', 'alice@x', ['Carol@y'])), true);
  assert.equal(matchesFilter(f, m('A1', 'alice@x', ['dave@y'])), false);
  assert.equal(matchesFilter(f, m('A1', 'eve@x', ['bob@y'])), false);
  const i = emptyFilter();
  i.I.push({ text: 'abc', negate: false });
  assert.equal(matchesFilter(i, m('xxabcxx', '', ['a'])), true);
  assert.equal(matchesFilter(i, m('xxABCxx', '', ['a'])), false);
  const n = emptyFilter();
  n.R.push({ text: 'seattle', negate: true });
  assert.equal(matchesFilter(n, m('A', '', ['x@seattle.example'])), false);
  assert.equal(matchesFilter(n, m('A', '', ['x@boston.example'])), true);
  const q = emptyFilter();
  q.Q.push({ text: 'Spam', negate: false });
  assert.equal(matchesFilter(q, m('A', '', ['a'], 'Spam score 9')), true);
  assert.equal(matchesFilter(q, m('A', '', ['a'], 'spam score 9')), false);
});
