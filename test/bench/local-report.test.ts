import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLocalReport, localRatios, type LocalFigures, type LocalReport } from '../../bench/local-bench.js';

function run(server: 'postern' | 'postfix', round: number, messagesPerSec: number, cpuUsPerDelivery: number): LocalFigures {
  return { server, format: 'maildir', round, detail: server, fs: 'fresh ext4', messages: 2000, elapsedSec: 2000 / messagesPerSec, messagesPerSec, cpuUsPerDelivery, error: null };
}

test('a report of several rounds lists every run with its round and the median ratio with each round\'s', () => {
  const report: LocalReport = {
    messages: 2000,
    sizeBytes: 10240,
    runs: [run('postern', 1, 2000, 800), run('postfix', 1, 1000, 700), run('postfix', 2, 1000, 700), run('postern', 2, 1400, 800), run('postern', 3, 1800, 800), run('postfix', 3, 1000, 700)],
    ratios: [{ format: 'maildir', messagesPerSec: 1.8, cpuPerDelivery: 800 / 700, rounds: [2, 1.4, 1.8] }],
    notes: [],
  };
  const text = formatLocalReport(report);
  assert.match(text, /^Queue and mailbox on: fresh ext4$/m);
  assert.match(text, /^2 {6}postern  maildir {8}1400 {14}800/m);
  assert.match(text, /median of 3 rounds/);
  assert.match(text, /maildir {2}messages\/s ×1\.80 \(met\), CPU per delivery ×1\.14 \(rounds: ×2\.00 ×1\.40 ×1\.80\)/);
});

test('the ratio is the median of the rounds\'; a round with a failed run has none', () => {
  const runs = [run('postern', 1, 2000, 800), run('postfix', 1, 1000, 700), run('postfix', 2, 1000, 700), run('postern', 2, 1400, 800), run('postern', 3, 1800, 800), run('postfix', 3, 1000, 700)];
  const [r] = localRatios(runs, ['maildir'], 3);
  assert.equal(r!.messagesPerSec, 1.8);
  assert.deepEqual(r!.rounds, [2, 1.4, 1.8]);
  runs[0] = { ...runs[0]!, error: 'stopped' };
  const [s] = localRatios(runs, ['maildir'], 3);
  assert.deepEqual(s!.rounds, [null, 1.4, 1.8]);
  assert.equal(s!.messagesPerSec, 1.6);
  assert.equal(localRatios([run('postern', 1, 2000, 800)], ['maildir'], 1)[0]!.messagesPerSec, null);
});
