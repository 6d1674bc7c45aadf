// The master's check of the worker's jobs: only the known kinds, rebuilt from the contract's fields,
// never as root, and the policy fields always the master's own.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkJob, jobPolicy, type JobPolicy } from '../../src/daemon/master-job-check.js';
import { loadConfig } from '../../src/config/load.js';

const POLICY: JobPolicy = {
  mailSpoolDirectory: '/var/mail',
  mailboxFormat: 'maildir',
  maildirPath: '$z/Maildir',
  safeFileEnvironment: '/srv/mailfiles',
  tempFileMode: 0o600,
  dontBlame: [],
  smrshDirectory: '/etc/mail/smrsh',
  smrshPath: '/usr/bin:/bin',
  progTimeoutMs: 600_000,
  fileOpenTimeoutMs: 60_000,
};

const alice = { name: 'alice', uid: 1001, gid: 1001, home: '/home/alice', shell: '/bin/sh' };
const meta = { id: 'Q1', sender: 'bob@example.org', recipient: 'alice@example.com', created: 1_700_000_000_000 };
const MSG = Buffer.from('Subject: x\r\n\r\nhi\r\n');

test('each job kind passes with the master policy in place of what the worker sent', () => {
  const program = checkJob(
    { kind: 'program', command: 'vacation alice', as: alice, smrshDirectory: '/bin', smrshPath: '/bin', timeoutMs: 1e9, dontBlame: ['RunProgramInUnsafeDirPath'], meta },
    MSG,
    POLICY,
  );
  assert.deepEqual(program, {
    ok: true,
    job: { kind: 'program', command: 'vacation alice', as: alice, smrshDirectory: '/etc/mail/smrsh', smrshPath: '/usr/bin:/bin', timeoutMs: 600_000, dontBlame: [], meta },
  });
  const file = checkJob({ kind: 'file', path: '/srv/mailfiles/log', as: alice, safeFileEnvironment: '/', tempFileMode: 0o666, dontBlame: [], meta }, MSG, POLICY);
  assert.deepEqual(file, {
    ok: true,
    job: { kind: 'file', path: '/srv/mailfiles/log', as: alice, safeFileEnvironment: '/srv/mailfiles', tempFileMode: 0o600, dontBlame: [], meta, openTimeoutMs: 60_000 },
  });
  const mailbox = checkJob({ kind: 'mailbox', user: alice, spoolDir: '/etc', format: 'mbox', maildir: '$z/.ssh', meta, lockTimeoutMs: 1e12 }, MSG, POLICY);
  assert.deepEqual(mailbox, { ok: true, job: { kind: 'mailbox', user: alice, spoolDir: '/var/mail', format: 'maildir', maildir: '$z/Maildir', meta } });
  const read = checkJob({ kind: 'read', path: '/home/alice/.forward', as: alice, timeoutMs: 5 }, undefined, POLICY);
  assert.deepEqual(read, { ok: true, job: { kind: 'read', path: '/home/alice/.forward', as: alice, timeoutMs: 60_000 } });
});

test('fields outside the contract do not reach the agent', () => {
  const r = checkJob({ kind: 'read', path: '/home/alice/.forward', as: { ...alice, groups: [0] }, timeoutMs: 5, env: { LD_PRELOAD: '/tmp/x.so' } }, undefined, POLICY);
  assert.ok(r.ok);
  assert.deepEqual(Object.keys(r.job).sort(), ['as', 'kind', 'path', 'timeoutMs']);
  assert.deepEqual(Object.keys((r.job as { as: object }).as).sort(), ['gid', 'home', 'name', 'shell', 'uid']);
});

test('uid 0 or gid 0 is refused with the result the agent itself gives', () => {
  const root = { name: 'root', uid: 0, gid: 0, home: '/root', shell: '/bin/bash' };
  assert.deepEqual(checkJob({ kind: 'mailbox', user: root, spoolDir: '/var/mail', format: 'mbox', maildir: '$z/Maildir', meta }, MSG, POLICY), {
    ok: false,
    refused: { status: 'perm', reply: { code: 554, enh: '5.3.0', text: 'refusing to deliver as root (root)' } },
    reason: 'mailbox job as uid 0 gid 0 (root)',
  });
  const r = checkJob({ kind: 'read', path: '/root/.forward', as: { ...root, name: 'wheel', uid: 1001 }, timeoutMs: 1 }, undefined, POLICY);
  assert.deepEqual(r, {
    ok: false,
    refused: { status: 'perm', reply: { code: 554, enh: '5.3.0', text: 'refusing to deliver as group root (wheel)' } },
    reason: 'read job as uid 1001 gid 0 (wheel)',
  });
  const p = checkJob({ kind: 'program', command: 'x', as: { ...alice, uid: 0 }, meta }, MSG, POLICY);
  assert.equal(p.ok === false && 'refused' in p && p.refused.status, 'perm');
});

test('malformed jobs are named, not run', () => {
  const cases: Array<[unknown, Buffer | undefined, RegExp]> = [
    [null, undefined, /^job: expected an object$/],
    [{ kind: 'shell', command: 'rm -rf /' }, MSG, /^kind: "shell" is not a job kind$/],
    [{ path: '/x' }, undefined, /^kind: missing is not a job kind$/],
    [{ kind: 'read', path: 'relative/.forward', as: alice }, undefined, /^path: expected an absolute path$/],
    [{ kind: 'read', path: '/home/alice/.forward', as: alice }, MSG, /^a read job carries no message$/],
    [{ kind: 'file', path: '/tmp/x', as: alice, meta }, undefined, /^a file job needs the message$/],
    [{ kind: 'mailbox', user: { ...alice, name: '../../etc/passwd' }, format: 'mbox', maildir: 'M', meta }, MSG, /^user\.name: not a user name$/],
    [{ kind: 'mailbox', user: { ...alice, uid: -1 }, format: 'mbox', maildir: 'M', meta }, MSG, /^user\.uid: expected an integer/],
    [{ kind: 'mailbox', user: { ...alice, uid: '1001' }, format: 'mbox', maildir: 'M', meta }, MSG, /^user\.uid: expected an integer/],
    [{ kind: 'program', command: 'a\0b', as: alice, meta }, MSG, /^command: expected a string$/],
    [{ kind: 'program', command: 'x', as: alice, meta: { ...meta, created: 'yesterday' } }, MSG, /^meta\.created: expected an integer/],
  ];
  for (const [raw, msg, re] of cases) {
    const r = checkJob(raw, msg, POLICY);
    assert.ok(!r.ok && 'malformed' in r, JSON.stringify(raw));
    assert.match(r.malformed, re);
  }
});

test('the policy comes from the configuration', async () => {
  const loaded = await loadConfig({
    embedded: true,
    cliOptions: [
      { name: 'SmrshDirectory', value: '/usr/local/smrsh' },
      { name: 'SafeFileEnvironment', value: '/srv/files' },
      { name: 'ProgTimeout', value: '2m' },
      { name: 'MailSpoolDirectory', value: '/var/spool/mail' },
      { name: 'MailboxFormat', value: 'maildir' },
      { name: 'MaildirPath', value: '$z/Mail' },
    ],
  });
  assert.ok(loaded.config, JSON.stringify(loaded.diagnostics));
  const p = jobPolicy(loaded.config);
  assert.equal(p.smrshDirectory, '/usr/local/smrsh');
  assert.equal(p.safeFileEnvironment, '/srv/files');
  assert.equal(p.progTimeoutMs, 120_000);
  assert.equal(p.mailSpoolDirectory, '/var/spool/mail');
  assert.equal(p.tempFileMode, 0o600);
  assert.equal(p.mailboxFormat, 'maildir');
  assert.equal(p.maildirPath, '$z/Mail');
});
