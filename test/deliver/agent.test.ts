// The agent process and spawnAgentService: the identity switch, refusals, and what a crashed,
// confused or overdue agent becomes (a temporary failure: the message stays queued).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { encodeFrame } from '../../src/deliver/agent-frames.js';
import type { AgentJob } from '../../src/deliver/agent-protocol.js';
import { spawnAgentService } from '../../src/deliver/agent-service.js';
import type { Identity } from '../../src/deliver/shared-types.js';
import { MESSAGE, TestAccounts, meta, tempRoot } from './helpers.js';
import { programFixture, type ProgramFixture } from './program-fixture.js';

const accounts = new TestAccounts();
const root = tempRoot();
let fx: ProgramFixture;
let grp: { name: string; gid: number };
let frank: Identity;

before(() => {
  fx = programFixture(root.dir);
  grp = accounts.group();
  frank = accounts.user('/nonexistent', { groups: [grp.name] });
});

after(async () => {
  await fx.close();
  await accounts.cleanup();
  root.cleanup();
});

function programJob(as: Identity, command = 'vacation'): AgentJob {
  return { kind: 'program', command, as, smrshDirectory: fx.smrsh, smrshPath: '/bin', timeoutMs: 10_000, dontBlame: [], meta: meta() };
}

test('the agent becomes the user: uid, primary gid, supplementary groups, nothing of root\'s', async () => {
  fx.reset();
  const r = await spawnAgentService().run(programJob(frank), MESSAGE);
  assert.equal(r.status, 'delivered', JSON.stringify(r));
  const [uid, gid, groups] = fx.recorded().ids;
  assert.equal(uid, String(frank.uid));
  assert.equal(gid, String(frank.gid));
  assert.deepEqual(groups.split(' ').map(Number).sort(), [frank.gid, grp.gid].sort());
});

test('an agent is started as its user: its first line already runs with the user\'s uid, gid and groups', async () => {
  // A stand-in agent that reports who it was when its first line ran.
  const probe = join(root.dir, 'whoami.mjs');
  writeFileSync(
    probe,
    [
      "import { readFileSync } from 'node:fs';",
      "const groups = readFileSync('/proc/self/status', 'latin1').match(/^Groups:(.*)$/m)[1].trim();",
      'const who = `${process.getuid()} ${process.geteuid()} ${process.getgid()} ${process.getegid()} ${groups}`;',
      "process.stdin.once('data', () => { process.stdout.write(JSON.stringify({ status: 'delivered', detail: who }) + '\\n'); process.exit(0); });",
      '',
    ].join('\n'),
  );
  const r = await spawnAgentService({ agentPath: probe }).run(programJob(frank), MESSAGE);
  assert.equal(r.status, 'delivered', JSON.stringify(r));
  const [uid, euid, gid, egid, ...groups] = (r.status === 'delivered' ? (r.detail ?? '') : '').split(' ');
  assert.deepEqual([uid, euid, gid, egid], [frank.uid, frank.uid, frank.gid, frank.gid].map(String));
  assert.deepEqual(groups.map(Number).sort(), [frank.gid, grp.gid].sort());
});

test('without setpriv no agent is started for a user: a temporary failure, nothing runs', async () => {
  fx.reset();
  const r = await spawnAgentService({ setprivPath: join(root.dir, 'no-setpriv-here') }).run(programJob(frank), MESSAGE);
  assert.equal(r.status, 'temp');
  assert.match(r.status === 'temp' ? r.reply.text : '', /^delivery agent failed: cannot start .*no-setpriv-here: .*ENOENT/);
  assert.equal(fx.calls(), 0);
});

test('the real agent started as root without a plan refuses to do anything', async () => {
  const real = fileURLToPath(new URL('../../src/deliver/agent.js', import.meta.url));
  const r = spawnSync(process.execPath, [real], { input: Buffer.concat(encodeFrame(programJob(frank), MESSAGE)), encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^postern-agent: started as root without a plan: an agent is started as its job's user$/m);
});

test('a job for uid 0 is refused before anything runs', async () => {
  fx.reset();
  const r = await spawnAgentService().run(programJob({ name: 'root', uid: 0, gid: 0, home: '/root', shell: '/bin/sh' }), MESSAGE);
  assert.equal(r.status, 'perm');
  assert.equal(fx.calls(), 0);
});

test('a malformed job: the agent refuses it; a temporary failure', async () => {
  const bad = { kind: 'program', command: 'vacation', as: { name: 'x', uid: -1, gid: 0, home: '/', shell: '' } } as unknown as AgentJob;
  const r = await spawnAgentService().run(bad, MESSAGE);
  assert.deepEqual(r, { status: 'temp', reply: { code: 451, enh: '4.3.0', text: 'delivery agent failed: job.as.uid: a uid/gid number expected' } });
});

test('an agent that outlives its time is killed: a temporary failure', async () => {
  const service = spawnAgentService({ killAfterMs: () => 1500 });
  const t0 = Date.now();
  const r = await service.run({ ...programJob(frank, 'sleeper'), timeoutMs: 20_000 } as AgentJob, MESSAGE);
  assert.ok(Date.now() - t0 < 5000);
  assert.deepEqual(r, { status: 'temp', reply: { code: 451, enh: '4.3.0', text: 'delivery agent failed: timed out' } });
  // The program and the child it left in the background went with the agent.
  const pid = Number(readFileSync(join(fx.out, 'child.pid'), 'utf8'));
  await new Promise((res) => setTimeout(res, 200));
  assert.equal(existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z '), false);
});

test('an agent that crashes or prints nonsense: a temporary failure', async () => {
  const crash = join(root.dir, 'crash.mjs');
  writeFileSync(crash, 'process.stderr.write("boom\\n"); process.exit(3);\n');
  const r1 = await spawnAgentService({ agentPath: crash }).run(programJob(frank), MESSAGE);
  assert.deepEqual(r1, { status: 'temp', reply: { code: 451, enh: '4.3.0', text: 'delivery agent failed: boom' } });
  const nonsense = join(root.dir, 'nonsense.mjs');
  writeFileSync(nonsense, 'process.stdout.write("{\\"status\\":\\"maybe\\"}\\n");\n');
  const r2 = await spawnAgentService({ agentPath: nonsense }).run(programJob(frank), MESSAGE);
  assert.deepEqual(r2, { status: 'temp', reply: { code: 451, enh: '4.3.0', text: 'delivery agent failed: malformed result' } });
});

/** An agent path that counts its starts in a file, then runs the real agent. */
function countingAgent(name: string): { path: string; starts(): number } {
  const counter = join(root.dir, `${name}.count`);
  const real = fileURLToPath(new URL('../../src/deliver/agent.js', import.meta.url));
  const path = join(root.dir, `${name}.mjs`);
  // The agents run as the users they deliver for: they must be able to count themselves.
  writeFileSync(counter, '', { mode: 0o666 });
  chmodSync(counter, 0o666);
  writeFileSync(path, `import { appendFileSync } from 'node:fs';\nappendFileSync(${JSON.stringify(counter)}, 'x');\nawait import(${JSON.stringify(real)});\n`);
  return { path, starts: () => readFileSync(counter, 'utf8').length };
}

test('an agent is reused for mailbox jobs of the same identity, and only for those', async () => {
  const spool = join(root.dir, 'spool');
  mkdirSync(spool);
  chmodSync(spool, 0o1777);
  const other = accounts.user('/nonexistent');
  const counting = countingAgent('reuse');
  const service = spawnAgentService({ agentPath: counting.path });
  const mailbox = (user: Identity): AgentJob => ({ kind: 'mailbox', user, spoolDir: spool, format: 'mbox', maildir: '$z/Maildir', meta: meta() });
  try {
    for (let i = 0; i < 5; i++) assert.equal((await service.run(mailbox(frank), MESSAGE)).status, 'delivered');
    assert.equal(counting.starts(), 1, 'one agent for five deliveries to the same user');
    assert.equal(readFileSync(join(spool, frank.name), 'utf8').match(/^From /gm)?.length, 5);
    assert.equal((await service.run(mailbox(other), MESSAGE)).status, 'delivered');
    assert.equal(counting.starts(), 2, 'another user: another agent');
    assert.equal(statSync(join(spool, other.name)).uid, other.uid, 'written by that user\'s own agent');
    fx.reset();
    await service.run(programJob(frank), MESSAGE);
    await service.run(programJob(frank), MESSAGE);
    assert.equal(counting.starts(), 4, 'every program job gets a fresh agent');
    assert.equal((await service.run(mailbox(frank), MESSAGE)).status, 'delivered');
    assert.equal(counting.starts(), 4, 'the idle mailbox agent is still there');
  } finally {
    await service.close();
  }
});

test('an idle agent ends after reuseIdleMs; a closed service keeps none', async () => {
  const home = join(root.dir, 'home-frank-read');
  mkdirSync(home);
  chownSync(home, frank.uid, frank.gid);
  const counting = countingAgent('idle');
  const service = spawnAgentService({ agentPath: counting.path, reuseIdleMs: 150 });
  const read = (): AgentJob => ({ kind: 'read', path: join(home, '.forward'), as: frank, timeoutMs: 5000 });
  try {
    assert.deepEqual(await service.run(read()), { status: 'read', read: { status: 'missing' } });
    assert.deepEqual(await service.run(read()), { status: 'read', read: { status: 'missing' } });
    assert.equal(counting.starts(), 1);
    await new Promise((res) => setTimeout(res, 400));
    await service.run(read());
    assert.equal(counting.starts(), 2);
    await service.close();
    await service.run(read());
    assert.equal(counting.starts(), 3);
  } finally {
    await service.close();
  }
});
