// kill -9 under load: several client loops send pipelined transactions while the daemon is SIGKILLed
// at a random moment. Every message answered 250 must then be in the spool, complete and byte for byte
// as sent under its Received field — read by another process, and again after a restart on the same
// spool. Messages that were stored but not yet acknowledged may be there too, but never torn.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SpoolReader } from '../../src/queue/index.js';
import { E2E_HOST, queued, removeDir, startDaemon, tempDaemonDir, writeDaemonConfig, type Daemon } from '../helpers/daemon.js';
import type { RawClient } from '../helpers/raw-client.js';
import { ACCEPTED, dotStuff, receivedPattern, splitReceived } from './smtp.js';

const ROUNDS = 3;
const LOOPS = 6;
const RCPT = `root@${E2E_HOST}`;

/** A small deterministic generator, so a failing round can be told apart by its content. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

/** A message whose Subject names it; lines of varied length, some starting with dots. */
function messageText(key: string, rnd: () => number): string {
  const lines = [`Subject: ${key}`, `X-Key: ${key}`, ''];
  const n = 3 + Math.floor(rnd() * 100);
  for (let i = 0; i < n; i++) {
    const len = Math.floor(rnd() * 120);
    let line = '';
    for (let j = 0; j < len; j++) line += String.fromCharCode(0x20 + Math.floor(rnd() * 95));
    lines.push(rnd() < 0.1 ? `.${line}` : line);
  }
  return `${lines.join('\r\n')}\r\n`;
}

interface Sent {
  /** every message text by key, acknowledged or not */
  texts: Map<string, string>;
  /** key by queue id, for the messages answered 250 */
  acked: Map<string, string>;
}

/** One client: pipelined MAIL, RCPT, DATA; then the text; until the connection dies. */
async function clientLoop(d: Daemon, round: number, loop: number, sent: Sent, stop: () => boolean): Promise<void> {
  const rnd = prng(round * 1000 + loop + 1);
  let c: RawClient;
  try {
    c = await d.session();
    await c.cmd('EHLO load.example');
  } catch {
    return; // killed before this client got going
  }
  try {
    for (let seq = 0; !stop(); seq++) {
      const key = `r${round}-c${loop}-n${seq}`;
      const text = messageText(key, rnd);
      sent.texts.set(key, text);
      c.send(`MAIL FROM:<load${loop}@example.org>\r\nRCPT TO:<${RCPT}>\r\nDATA\r\n`);
      const replies = [await c.text(), await c.text(), await c.text()];
      assert.match(replies[2]!, /^354 /, replies.join('|'));
      c.send(`${dotStuff(text)}.\r\n`);
      const reply = await c.text(15_000);
      const m = ACCEPTED.exec(reply);
      assert.ok(m, reply);
      sent.acked.set(m[1]!, key);
    }
  } catch (err) {
    // Only the kill may end a loop: a refusal while the daemon is up is a failure.
    if (!stop()) throw err;
  } finally {
    c.close();
  }
}

/** Every listed message decodes, has its Received field and is exactly one of the texts sent. */
async function checkSpool(spool: string, sent: Sent): Promise<{ listed: number }> {
  const reader = new SpoolReader(spool);
  const listed = new Map<string, string>();
  for await (const m of reader.list()) {
    const stored = (await reader.readData(m.envelope.id)).toString('latin1');
    const { received, rest } = splitReceived(stored);
    assert.match(received, receivedPattern({ helo: 'load.example', client: m.envelope.client, j: E2E_HOST, qid: m.envelope.id, rcpt: RCPT }));
    const key = /^Subject: (\S+)\r\n/.exec(rest)?.[1];
    assert.ok(key !== undefined && sent.texts.has(key), `${m.envelope.id} is a message that was sent`);
    assert.equal(rest, sent.texts.get(key), `${m.envelope.id} (${key}) byte for byte`);
    assert.equal(m.dataSize, Buffer.byteLength(stored, 'latin1'));
    listed.set(m.envelope.id, key);
  }
  for (const [qid, key] of sent.acked) assert.equal(listed.get(qid), key, `acknowledged ${qid} (${key}) is queued`);
  const lost = [];
  for await (const l of reader.lost()) lost.push(l);
  assert.deepEqual(lost, []);
  return { listed: listed.size };
}

test('kill -9 under load: every acknowledged message survives, complete; nothing torn is listed', async (t) => {
  const dir = await tempDaemonDir();
  t.after(() => removeDir(dir));
  const conf = await writeDaemonConfig(dir);
  const spool = join(dir, 'spool');
  const sent: Sent = { texts: new Map(), acked: new Map() };

  for (let round = 0; round < ROUNDS; round++) {
    const d = await startDaemon({ cwd: dir, config: conf });
    t.after(() => d.kill9());
    // The restart recovered the spool left by the previous kill: everything acknowledged is there.
    await checkSpool(spool, sent);
    const ackedBefore = sent.acked.size;
    let killed = false;
    const loops = Array.from({ length: LOOPS }, (_, i) => clientLoop(d, round, i, sent, () => killed));
    await new Promise((r) => setTimeout(r, 250 + Math.floor(Math.random() * 300)));
    killed = true;
    assert.deepEqual(await d.kill9(), { code: null, signal: 'SIGKILL' });
    await Promise.all(loops);
    const { listed } = await checkSpool(spool, sent);
    const acked = sent.acked.size - ackedBefore;
    t.diagnostic(`round ${round + 1}: ${acked} messages acknowledged, ${listed} listed in total (${sent.acked.size} acknowledged in total)`);
    assert.ok(acked > 0, `round ${round + 1} acknowledged some messages before the kill`);
  }

  // A last restart on the same spool: still all there, and the daemon takes new mail.
  const d = await startDaemon({ cwd: dir, config: conf });
  t.after(() => d.kill9());
  await checkSpool(spool, sent);
  assert.deepEqual(
    d.logs.filter((l) => l.level === 50 || l.level === 60),
    [],
    'recovery raised no error',
  );
  const c = await d.session();
  await c.cmd('EHLO load.example');
  const key = 'after-restart';
  const text = messageText(key, prng(7));
  sent.texts.set(key, text);
  c.send(`MAIL FROM:<x@example.org>\r\nRCPT TO:<${RCPT}>\r\nDATA\r\n`);
  for (let i = 0; i < 3; i++) await c.text();
  c.send(`${dotStuff(text)}.\r\n`);
  const m = ACCEPTED.exec(await c.text());
  assert.ok(m);
  sent.acked.set(m[1]!, key);
  await c.cmd('QUIT');
  assert.deepEqual(await d.stop(), { code: 0, signal: null });
  const { listed } = await checkSpool(spool, sent);
  assert.equal((await queued(spool)).length, listed);
});
