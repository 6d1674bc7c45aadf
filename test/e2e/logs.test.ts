// The daemon's log: one JSON line per accepted message with the fields a log reader relies on, none
// for a refused one; `--pretty` renders the same events for a terminal.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { E2E_HOST, removeDir, startDaemon, tempDaemonDir, writeDaemonConfig } from '../helpers/daemon.js';
import { transaction } from './smtp.js';

/** Size as the log counts it: octets after unstuffing, each CR LF counted as one (as sendmail). */
function loggedSize(text: string): number {
  return Buffer.byteLength(text, 'latin1') - (text.match(/\r\n/g)?.length ?? 0);
}

test('one JSON log line per accepted message: qid, from, size, nrcpts, relay, stat', async (t) => {
  const dir = await tempDaemonDir();
  t.after(() => removeDir(dir));
  const d = await startDaemon({ cwd: dir, config: await writeDaemonConfig(dir, ['MaxMessageSize = 5000']) });
  t.after(() => d.stop());
  const c = await d.session();
  await c.cmd('EHLO client.example');
  const one = 'Subject: one\r\nMessage-Id: <one@example.org>\r\n\r\nfirst\r\n';
  const two = 'Subject: two\r\n\r\n.dotted\r\nsecond\r\n';
  const a = await transaction(c, 'alice@example.org', [`root@${E2E_HOST}`], one);
  const b = await transaction(c, '', [`root@${E2E_HOST}`, `postmaster@${E2E_HOST}`], two);
  const refused = await transaction(c, 'alice@example.org', [`root@${E2E_HOST}`], `Subject: big\r\n\r\n${'x'.repeat(6000)}\r\n`);
  assert.match(refused.reply, /^552 5\.2\.3 /);
  await c.cmd('QUIT');
  assert.ok(a.qid && b.qid);

  await d.waitForLog((l) => l.qid === b.qid);
  const accepted = d.logs.filter((l) => l.stat === 'queued');
  assert.equal(accepted.length, 2);
  const relay = accepted[0]!.relay;
  assert.match(String(relay), /\[127\.0\.0\.1\]$/);
  const pick = ({ qid, from, size, nrcpts, relay: r, stat }: Record<string, unknown>): Record<string, unknown> => ({ qid, from, size, nrcpts, relay: r, stat });
  assert.deepEqual(pick(accepted[0]!), { qid: a.qid, from: '<alice@example.org>', size: loggedSize(one), nrcpts: 1, relay, stat: 'queued' });
  assert.equal(accepted[0]!.msgid, '<one@example.org>');
  // The dot-stuffed line counts once its extra dot is removed.
  assert.deepEqual(pick(accepted[1]!), { qid: b.qid, from: '<>', size: loggedSize(two), nrcpts: 2, relay, stat: 'queued' });
  for (const l of accepted) assert.equal(d.logs.filter((x) => x.qid === l.qid).length, 1, 'exactly one line per message');
  assert.deepEqual(await d.stop(), { code: 0, signal: null });
});

test('--pretty writes human-readable lines (not JSON) that name the queue id', async (t) => {
  const dir = await tempDaemonDir();
  t.after(() => removeDir(dir));
  const d = await startDaemon({ cwd: dir, config: await writeDaemonConfig(dir), args: ['--pretty'] });
  t.after(() => d.stop());
  const c = await d.session();
  await c.cmd('EHLO client.example');
  const sent = await transaction(c, 'alice@example.org', [`root@${E2E_HOST}`], 'Subject: pretty\r\n\r\nhi\r\n');
  assert.ok(sent.qid, sent.reply);
  await c.cmd('QUIT');
  const block = await d.waitForOutput(new RegExp(`INFO: message accepted\\n(?: {4}.*\\n)*? {4}qid: "${sent.qid}"`));
  assert.ok(block);
  assert.deepEqual(await d.stop(), { code: 0, signal: null });
  assert.equal(d.logs.length, 0, 'no JSON line');
  for (const line of d.stdout.split('\n').filter((l) => l.trim() !== '' && !l.startsWith(' '))) {
    assert.match(line, /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} [+-]\d{4}\] (INFO|WARN|ERROR): /);
  }
});
