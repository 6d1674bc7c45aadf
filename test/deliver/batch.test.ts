// Mailbox jobs batched by the agent service: jobs for one mailbox that come while its agent is busy
// go to the next agent together (one lock, one fsync), each with its own result; a message that
// fails in a batch fails alone; an agent that dies in the middle of a batch fails all of it
// temporarily (the messages stay queued). Real agents, real users, real files.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentResult, MailboxJob } from '../../src/deliver/agent-protocol.js';
import { spawnAgentService } from '../../src/deliver/agent-service.js';
import type { Identity } from '../../src/deliver/shared-types.js';
import { TestAccounts, holdFcntlLock, meta, tempRoot } from './helpers.js';

const accounts = new TestAccounts();
const root = tempRoot();
const T = root.dir;
const spool = join(T, 'mail');
let dora: Identity;
let eric: Identity;

before(() => {
  mkdirSync(spool);
  chmodSync(spool, 0o1777);
  const home = join(T, 'home-dora');
  mkdirSync(home);
  dora = accounts.user(home);
  chownSync(home, dora.uid, dora.gid);
  eric = accounts.user(join(T, 'home-eric'));
});

after(async () => {
  await accounts.cleanup();
  root.cleanup();
});

function job(user: Identity, format: 'mbox' | 'maildir', n: number, maildir = '$z/Maildir'): MailboxJob {
  return { kind: 'mailbox', user, spoolDir: spool, format, maildir, meta: { ...meta(), id: `B${n}`, recipient: `r${n}@example.com` } };
}

/** A message whose body names it, so the mailbox shows which ones went in and in what order. */
function message(n: number, filler = 0): Buffer {
  return Buffer.from(`From: alice@example.com\r\nSubject: batch ${n}\r\n\r\nmessage ${n}\r\n${'x'.repeat(filler)}\r\n`);
}

function statuses(rs: AgentResult[]): string[] {
  return rs.map((r) => r.status);
}

test('jobs for one mbox that wait for its agent are delivered as a batch, in order, each with its result', async () => {
  const service = spawnAgentService();
  try {
    const rs = await Promise.all(Array.from({ length: 12 }, (_, i) => service.run(job(dora, 'mbox', i), message(i))));
    assert.deepEqual(statuses(rs), Array(12).fill('delivered'), JSON.stringify(rs));
    const text = readFileSync(join(spool, dora.name), 'utf8');
    const order = [...text.matchAll(/^message (\d+)$/gm)].map((m) => Number(m[1]));
    assert.deepEqual(order, Array.from({ length: 12 }, (_, i) => i));
    assert.equal(text.match(/^From alice@example\.com /gm)?.length, 12);
  } finally {
    await service.close();
  }
});

test('a Maildir batch: every message in new/, each result naming its own file', async () => {
  const service = spawnAgentService();
  try {
    const rs = await Promise.all(Array.from({ length: 9 }, (_, i) => service.run(job(dora, 'maildir', i), message(i))));
    assert.deepEqual(statuses(rs), Array(9).fill('delivered'), JSON.stringify(rs));
    const details = rs.map((r) => (r.status === 'delivered' ? r.detail : ''));
    assert.equal(new Set(details).size, 9);
    const dir = join(dora.home, 'Maildir');
    const files = readdirSync(join(dir, 'new'));
    assert.equal(files.length, 9);
    assert.deepEqual(readdirSync(join(dir, 'tmp')), []);
    const bodies = files.map((f) => Number(/^message (\d+)$/m.exec(readFileSync(join(dir, 'new', f), 'utf8'))?.[1])).sort((a, b) => a - b);
    assert.deepEqual(bodies, Array.from({ length: 9 }, (_, i) => i));
  } finally {
    await service.close();
  }
});

test('one message of a batch that cannot be delivered fails alone; the others are delivered', async () => {
  const service = spawnAgentService();
  try {
    // The first job goes alone (the agent is free); the next three wait for it and go as one batch.
    // The middle one names a Maildir path that is not absolute: only it fails.
    const rs = await Promise.all([
      service.run(job(dora, 'maildir', 20, `${T}/home-dora/md-$u`), message(20)),
      service.run(job(dora, 'maildir', 21, `${T}/home-dora/md-$u`), message(21)),
      service.run(job(dora, 'maildir', 22, 'relative/$u'), message(22)),
      service.run(job(dora, 'maildir', 23, `${T}/home-dora/md-$u`), message(23)),
    ]);
    assert.deepEqual(statuses(rs), ['delivered', 'delivered', 'temp', 'delivered'], JSON.stringify(rs));
    assert.match(JSON.stringify(rs[2]), /MaildirPath is not an absolute path/);
    assert.equal(readdirSync(join(T, 'home-dora', `md-${dora.name}`, 'new')).length, 3);
  } finally {
    await service.close();
  }
});

test('a write that fails in an mbox batch is cut off again; the entries before and after it are intact', async () => {
  // The agent runs with a file size limit (SIGXFSZ ignored, so the write fails with EFBIG).
  const wrapper = join(T, 'node-fsize.sh');
  writeFileSync(wrapper, `#!/bin/sh\ntrap '' XFSZ\nexec /usr/bin/prlimit --fsize=${64 * 1024} -- ${process.execPath} "$@"\n`, { mode: 0o755 });
  const service = spawnAgentService({ nodePath: wrapper });
  try {
    const rs = await Promise.all([
      service.run(job(eric, 'mbox', 30), message(30)),
      service.run(job(eric, 'mbox', 31), message(31)),
      service.run(job(eric, 'mbox', 32), message(32, 100 * 1024)),
      service.run(job(eric, 'mbox', 33), message(33)),
    ]);
    assert.deepEqual(statuses(rs), ['delivered', 'delivered', 'temp', 'delivered'], JSON.stringify(rs));
    assert.match(JSON.stringify(rs[2]), /write error on .*File too large/);
    const text = readFileSync(join(spool, eric.name), 'utf8');
    assert.deepEqual([...text.matchAll(/^message (\d+)$/gm)].map((m) => Number(m[1])), [30, 31, 33]);
    assert.ok(!text.includes('xxxx'), 'nothing of the failed entry is left');
    assert.equal(text.match(/^From alice@example\.com /gm)?.length, 3);
  } finally {
    await service.close();
  }
});

/** The agent processes of this test process (its children running agent.js). */
function agentPids(): number[] {
  let out = '';
  try {
    out = execFileSync('pgrep', ['-P', String(process.pid)], { encoding: 'utf8' });
  } catch {
    return [];
  }
  return out
    .split('\n')
    .filter((p) => p !== '')
    .map(Number)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('agent.js');
      } catch {
        return false;
      }
    });
}

async function waitFor<T>(f: () => T | undefined): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const v = f();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('timed out');
}

test('an agent that dies in the middle of a batch: every job of the batch is a temporary failure', async () => {
  const service = spawnAgentService();
  const mbox = join(spool, eric.name);
  const before = readFileSync(mbox, 'utf8');
  const holder = await holdFcntlLock(mbox);
  try {
    // The first job waits for the lock; the next three wait for its agent.
    const first = service.run(job(eric, 'mbox', 60), message(60));
    const one = await waitFor(() => (agentPids().length === 1 ? agentPids()[0] : undefined));
    const rest = [61, 62, 63].map((n) => service.run(job(eric, 'mbox', n), message(n)));
    process.kill(one, 'SIGKILL');
    assert.equal((await first).status, 'temp');
    // The three go to a new agent as one batch, which waits for the lock too, and is killed.
    const two = await waitFor(() => agentPids().find((p) => p !== one));
    await new Promise((r) => setTimeout(r, 200));
    process.kill(two, 'SIGKILL');
    const rs = await Promise.all(rest);
    for (const r of rs) assert.match(JSON.stringify(r), /"status":"temp".*delivery agent failed: killed by SIGKILL/);
    assert.equal(readFileSync(mbox, 'utf8'), before, 'nothing of the batch was written');
  } finally {
    await holder.release();
    rmSync(`${mbox}.lock`, { force: true });
    await service.close();
  }
});

test('mailboxes of many users at once: no more than 8 agents at work, the others wait their turn', async () => {
  // A stand-in agent that notes when it works (the service's limits are what is tested here).
  const log = join(T, 'agents.log');
  const fake = join(T, 'fake-agent.mjs');
  writeFileSync(
    fake,
    `import { appendFileSync } from 'node:fs';
let buf = Buffer.alloc(0);
let busy = false;
process.stdin.on('data', (d) => { buf = Buffer.concat([buf, d]); pump(); });
function pump() {
  if (busy) return;
  const nl = buf.indexOf(10);
  if (nl < 0) return;
  const h = JSON.parse(buf.subarray(0, nl).toString());
  const sizes = h.sizes ?? [h.size];
  const total = sizes.reduce((a, b) => a + b, 0);
  if (buf.length < nl + 1 + total) return;
  buf = buf.subarray(nl + 1 + total);
  busy = true;
  appendFileSync(${JSON.stringify(log)}, 'start ' + Date.now() + '\\n');
  setTimeout(() => {
    appendFileSync(${JSON.stringify(log)}, 'end ' + Date.now() + '\\n');
    process.stdout.write(sizes.map(() => '{"status":"delivered"}\\n').join(''));
    busy = false;
    pump();
  }, 150);
}
`,
  );
  // The agents run as the (made-up) users: they must be able to write the log.
  writeFileSync(log, '', { mode: 0o666 });
  chmodSync(log, 0o666);
  const service = spawnAgentService({ agentPath: fake });
  try {
    const users = Array.from({ length: 20 }, (_, i): Identity => ({ ...dora, name: `user${i}`, uid: 50_000 + i }));
    const rs = await Promise.all(users.map((u, i) => service.run(job(u, 'mbox', i), message(i))));
    assert.deepEqual(statuses(rs), Array(20).fill('delivered'));
    const events = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(' '))
      .map(([what, at]) => ({ d: what === 'start' ? 1 : -1, at: Number(at) }))
      .sort((a, b) => a.at - b.at || a.d - b.d);
    let now = 0;
    let most = 0;
    for (const e of events) most = Math.max(most, (now += e.d));
    assert.equal(events.length, 40);
    assert.ok(most <= 8 && most >= 2, `at most ${most} agents at once`);
  } finally {
    await service.close();
  }
});

test('a Maildir has two agents at work at once, both started as its user', async () => {
  const service = spawnAgentService();
  const uidOf = (pid: number): string | undefined => readFileSync(`/proc/${pid}/status`, 'latin1').match(/^Uid:\s+(\d+)/m)?.[1];
  try {
    // The first job starts an agent; the 39 that come while it works need a second one.
    const rs = await Promise.all(Array.from({ length: 40 }, (_, i) => service.run(job(dora, 'maildir', 100 + i, '$z/Maildir-two'), message(100 + i))));
    assert.deepEqual(statuses(rs), Array(40).fill('delivered'), JSON.stringify(rs));
    assert.equal(readdirSync(join(dora.home, 'Maildir-two', 'new')).length, 40);
    // Both kept for dora's next jobs.
    const pids = await waitFor(() => (agentPids().length === 2 ? agentPids() : undefined));
    assert.deepEqual(pids.map(uidOf), [String(dora.uid), String(dora.uid)]);
  } finally {
    await service.close();
  }
});
