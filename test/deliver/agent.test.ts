// The agent process and spawnAgentService: the identity switch, refusals, and what a crashed,
// confused or overdue agent becomes (a temporary failure: the message stays queued).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
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

after(() => {
  accounts.cleanup();
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

test('a job for uid 0 is refused before anything runs', async () => {
  fx.reset();
  const r = await spawnAgentService().run(programJob({ name: 'root', uid: 0, gid: 0, home: '/root', shell: '/bin/sh' }), MESSAGE);
  assert.equal(r.status, 'perm');
  assert.equal(fx.calls(), 0);
});

test('a malformed job: the agent refuses it; a temporary failure', async () => {
  const bad = { kind: 'program', command: 'vacation', as: { name: 'x', uid: -1, gid: 0, home: '/', shell: '' } } as unknown as AgentJob;
  const r = await spawnAgentService().run(bad, MESSAGE);
  assert.deepEqual(r, { status: 'temp', reply: { code: 451, enh: '4.3.0', text: 'delivery agent failed: postern-agent: job.as.uid: a uid/gid number expected' } });
});

test('an agent that outlives its time is killed: a temporary failure', async () => {
  const service = spawnAgentService({ killAfterMs: () => 300 });
  const t0 = Date.now();
  const r = await service.run({ ...programJob(frank, 'sleeper'), timeoutMs: 20_000 } as AgentJob, MESSAGE);
  assert.ok(Date.now() - t0 < 5000);
  assert.deepEqual(r, { status: 'temp', reply: { code: 451, enh: '4.3.0', text: 'delivery agent failed: timed out' } });
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
