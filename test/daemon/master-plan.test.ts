// Who runs what: the root master with an unprivileged worker only when started as root with an
// unprivileged RunAsUser; otherwise one process, with a warning when it keeps root.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/load.js';
import type { EffectiveConfig } from '../../src/config/effective.js';
import { privilegePlan, ROOT_WARNING } from '../../src/daemon/master-plan.js';
import { parsePasswd } from '../../src/maps/users.js';

const USERS = parsePasswd(
  ['root:x:0:0:root:/root:/bin/bash', 'toor:x:0:0::/root:/bin/sh', 'postern:x:120:120::/var/spool/postern:/usr/sbin/nologin', 'wheelie:x:121:0::/:/bin/sh'].join('\n'),
  '/etc/passwd',
);

async function cfg(runAsUser: string | undefined, embedded: boolean): Promise<EffectiveConfig> {
  const loaded = await loadConfig({ embedded, cliOptions: runAsUser === undefined ? [] : [{ name: 'RunAsUser', value: runAsUser }] });
  assert.ok(loaded.config, JSON.stringify(loaded.diagnostics));
  return loaded.config;
}

test('root with an unprivileged RunAsUser: master and worker', async () => {
  const plan = privilegePlan(await cfg('postern', false), true, USERS);
  assert.equal(plan.mode, 'split');
  assert.equal(plan.mode === 'split' && plan.user.uid, 120);
  // The embedded default's RunAsUser is postern too.
  assert.equal(privilegePlan(await cfg(undefined, true), true, USERS).mode, 'split');
});

test('not root: one process whatever RunAsUser says', async () => {
  assert.deepEqual(privilegePlan(await cfg('postern', false), false, USERS), { mode: 'single' });
  assert.deepEqual(privilegePlan(await cfg('nosuchuser', false), false, USERS), { mode: 'single' });
});

test('RunAsUser root, 0 or an account with uid 0: one process that keeps root, with a warning', async () => {
  for (const name of ['root', '0', 'toor']) {
    assert.deepEqual(privilegePlan(await cfg(name, false), true, USERS), { mode: 'single', warning: ROOT_WARNING }, name);
  }
});

test('a missing RunAsUser is an error, except for the embedded default; gid 0 is an error', async () => {
  assert.deepEqual(privilegePlan(await cfg('nosuchuser', false), true, USERS), {
    mode: 'error',
    message: 'RunAsUser nosuchuser: no such user (create it, or set RunAsUser explicitly)',
  });
  assert.deepEqual(privilegePlan(await cfg('nosuchuser', true), true, USERS), {
    mode: 'single',
    warning: 'RunAsUser nosuchuser does not exist; the embedded daemon keeps running as root',
  });
  assert.equal(privilegePlan(await cfg('wheelie', false), true, USERS).mode, 'error');
});
