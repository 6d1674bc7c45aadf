// The plan an agent is started with (agent-plan.ts) and how the root master starts it as the plan's
// identity (agent-launch.ts): plain functions of their inputs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launchArgv, setprivArgs } from '../../src/deliver/agent-launch.js';
import { PLAN_ARG, planFromArgv, refusedAsRoot, type AgentPlan } from '../../src/deliver/agent-plan.js';
import type { AgentJob } from '../../src/deliver/agent-protocol.js';
import { meta } from './helpers.js';

const root = { name: 'root', uid: 0, gid: 0, home: '/root', shell: '/bin/sh' };
const nobody = { name: 'nobody', uid: 65534, gid: 65534, home: '/nonexistent', shell: '/usr/sbin/nologin' };

test('setpriv gets the user, the group and initgroups, or just the primary group for a user the system no longer knows', () => {
  assert.deepEqual(setprivArgs({ uid: 65534, gid: 65534, groups: { initgroups: 'nobody' } }), ['--reuid', '65534', '--regid', '65534', '--init-groups']);
  assert.deepEqual(setprivArgs({ uid: 51234, gid: 51234, groups: { initgroups: 'no-such-user-here' } }), ['--reuid', '51234', '--regid', '51234', '--groups', '51234']);
  assert.deepEqual(setprivArgs({ uid: 1000, gid: 8, groups: { list: [8] } }), ['--reuid', '1000', '--regid', '8', '--groups', '8']);
  assert.deepEqual(setprivArgs({ uid: 1000, gid: 8, groups: { list: [] } }), ['--reuid', '1000', '--regid', '8', '--clear-groups']);
});

test('the plan travels in argv after setpriv\'s "--" and comes back out unchanged; anything else is refused', () => {
  const plan: AgentPlan = { creds: { uid: 65534, gid: 65534, groups: { initgroups: 'nobody' } } };
  const argv = launchArgv('/usr/bin/setpriv', plan, '/usr/bin/node', '/opt/postern/agent.js');
  assert.deepEqual(argv.slice(0, 7), ['/usr/bin/setpriv', '--reuid', '65534', '--regid', '65534', '--init-groups', '--']);
  assert.deepEqual(argv.slice(7, 10), ['/usr/bin/node', '/opt/postern/agent.js', PLAN_ARG]);
  assert.deepEqual(planFromArgv(argv.slice(8)), plan);
  assert.equal(planFromArgv(['/opt/postern/agent.js']), undefined);
  assert.throws(() => planFromArgv([PLAN_ARG, '{"creds":{"uid":-1,"gid":0,"groups":{"list":[]}}}']), /--plan: not a plan/);
  assert.throws(() => planFromArgv([PLAN_ARG, '{"creds":{"uid":1,"gid":1,"groups":{}}}']), /--plan: not a plan/);
  assert.throws(() => planFromArgv([PLAN_ARG, 'nonsense']));
});

test('root: its own mailbox and reads, never a program or a file', () => {
  const asRoot: AgentPlan = { creds: { uid: 0, gid: 0, groups: { initgroups: 'root' } } };
  const mailbox: AgentJob = { kind: 'mailbox', user: root, spoolDir: '/var/mail', format: 'mbox', maildir: '$z/Maildir', meta: meta() };
  const program: AgentJob = { kind: 'program', command: 'vacation', as: root, smrshDirectory: '/etc/smrsh', smrshPath: '/bin', timeoutMs: 1000, dontBlame: [], meta: meta() };
  assert.equal(refusedAsRoot(mailbox, asRoot), false);
  assert.equal(refusedAsRoot(program, asRoot), true);
  // A file delivery planned as root (a set-user-ID file of root's would never be, §4.3) is refused too.
  const file: AgentJob = { kind: 'file', path: '/var/log/x', as: nobody, safeFileEnvironment: '', tempFileMode: 0o600, dontBlame: [], meta: meta() };
  assert.equal(refusedAsRoot(file, asRoot), true);
  assert.equal(refusedAsRoot(file, { creds: { uid: 65534, gid: 65534, groups: { initgroups: 'nobody' } } }), false);
});
