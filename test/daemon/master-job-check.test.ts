// The master's check of the worker's jobs: only the known kinds, rebuilt from the contract's fields, the
// policy fields always the master's own; root only for root's own mailbox and root's ForwardPath files,
// and every mailbox only as the account the password database names.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkJob, isForwardCandidate, jobPolicy, type JobPolicy } from '../../src/daemon/master-job-check.js';
import { loadConfig } from '../../src/config/load.js';
import { parsePasswd } from '../../src/maps/users.js';

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
  forwardPath: ['$z/.forward.$w+$h', '$z/.forward+$h', '$z/.forward.$w', '$z/.forward'],
  shortHost: 'mx',
};

const ACCOUNTS = parsePasswd(
  ['root:x:0:0:root:/root:/bin/bash', 'alice:x:1001:1001::/home/alice:/bin/sh', 'sync:x:4:0::/bin:/bin/sync'].join('\n'),
  '/etc/passwd',
);
const alice = { name: 'alice', uid: 1001, gid: 1001, home: '/home/alice', shell: '/bin/sh' };
const root = { name: 'root', uid: 0, gid: 0, home: '/root', shell: '/bin/bash' };
const meta = { id: 'Q1', sender: 'bob@example.org', recipient: 'alice@example.com', created: 1_700_000_000_000 };
const MSG = Buffer.from('Subject: x\r\n\r\nhi\r\n');
const ROOT_REFUSAL = { status: 'perm', reply: { code: 554, enh: '5.3.0', text: 'refusing to deliver as root (root)' } };

test('each job kind passes with the master policy in place of what the worker sent', () => {
  const program = checkJob(
    { kind: 'program', command: 'vacation alice', as: alice, smrshDirectory: '/bin', smrshPath: '/bin', timeoutMs: 1e9, dontBlame: ['RunProgramInUnsafeDirPath'], meta },
    MSG,
    POLICY,
    ACCOUNTS,
  );
  assert.deepEqual(program, {
    ok: true,
    job: { kind: 'program', command: 'vacation alice', as: alice, smrshDirectory: '/etc/mail/smrsh', smrshPath: '/usr/bin:/bin', timeoutMs: 600_000, dontBlame: [], meta },
  });
  const file = checkJob({ kind: 'file', path: '/srv/mailfiles/log', as: alice, safeFileEnvironment: '/', tempFileMode: 0o666, dontBlame: [], meta }, MSG, POLICY, ACCOUNTS);
  assert.deepEqual(file, {
    ok: true,
    job: { kind: 'file', path: '/srv/mailfiles/log', as: alice, safeFileEnvironment: '/srv/mailfiles', tempFileMode: 0o600, dontBlame: [], meta, openTimeoutMs: 60_000 },
  });
  const mailbox = checkJob({ kind: 'mailbox', user: alice, spoolDir: '/etc', format: 'mbox', maildir: '$z/.ssh', meta, lockTimeoutMs: 1e12 }, MSG, POLICY, ACCOUNTS);
  assert.deepEqual(mailbox, { ok: true, job: { kind: 'mailbox', user: alice, spoolDir: '/var/mail', format: 'maildir', maildir: '$z/Maildir', meta } });
  const read = checkJob({ kind: 'read', path: '/home/alice/.forward', as: alice, timeoutMs: 5 }, undefined, POLICY, ACCOUNTS);
  assert.deepEqual(read, { ok: true, job: { kind: 'read', path: '/home/alice/.forward', as: alice, timeoutMs: 60_000 } });
});

test('fields outside the contract do not reach the agent', () => {
  const r = checkJob({ kind: 'read', path: '/home/alice/.forward', as: { ...alice, groups: [0] }, timeoutMs: 5, env: { LD_PRELOAD: '/tmp/x.so' } }, undefined, POLICY, ACCOUNTS);
  assert.ok(r.ok);
  assert.deepEqual(Object.keys(r.job).sort(), ['as', 'kind', 'path', 'timeoutMs']);
  assert.deepEqual(Object.keys((r.job as { as: object }).as).sort(), ['gid', 'home', 'name', 'shell', 'uid']);
});

test("root's own mailbox is written as root; a mailbox only ever as the account of that name", () => {
  const job = (user: typeof alice): unknown => ({ kind: 'mailbox', user, spoolDir: '/var/mail', format: 'mbox', maildir: '$z/Maildir', meta });
  assert.equal(checkJob(job(root), MSG, POLICY, ACCOUNTS).ok, true);
  // A user whose primary group is root, as the password database says: allowed.
  assert.equal(checkJob(job({ name: 'sync', uid: 4, gid: 0, home: '/bin', shell: '/bin/sync' }), MSG, POLICY, ACCOUNTS).ok, true);
  const mismatch = (user: typeof alice, reason: string): void => {
    assert.deepEqual(checkJob(job(user), MSG, POLICY, ACCOUNTS), {
      ok: false,
      refused: { status: 'temp', reply: { code: 451, enh: '4.3.0', text: `${user.name}: not the account of that name in the password database` } },
      reason,
    });
  };
  mismatch({ ...alice, uid: 0, gid: 0 }, 'mailbox job as uid 0 gid 0 (alice): not the account of that name');
  mismatch({ ...alice, uid: 1002 }, 'mailbox job as uid 1002 gid 1001 (alice): not the account of that name');
  mismatch({ ...root, name: 'toor' }, 'mailbox job as uid 0 gid 0 (toor): not the account of that name');
});

test("as root, a read only of root's ForwardPath files; a program or a file never", () => {
  const read = (path: string, as = root): ReturnType<typeof checkJob> => checkJob({ kind: 'read', path, as, timeoutMs: 1 }, undefined, POLICY, ACCOUNTS);
  for (const path of ['/root/.forward', '/root/.forward.mx', '/root/.forward+lists', '/root/.forward.mx+x']) assert.equal(read(path).ok, true, path);
  for (const path of ['/etc/shadow', '/root/.forward.other', '/root/.forward+a/../../etc/shadow', '/root/.forward+', '/home/alice/.forward']) {
    const r = read(path);
    assert.deepEqual(r, { ok: false, refused: ROOT_REFUSAL, reason: `read job as uid 0 gid 0 (root): ${path} is not one of root's ForwardPath files` }, path);
  }
  // uid 0 under another name, or with another home, is not root's account.
  assert.equal(read('/home/alice/.forward', { ...alice, uid: 0, gid: 0 }).ok, false);
  assert.equal(read('/tmp/.forward', { ...root, home: '/tmp' }).ok, false);
  assert.deepEqual(checkJob({ kind: 'read', path: '/x/.forward', as: { ...alice, gid: 0, home: '/x' }, timeoutMs: 1 }, undefined, POLICY, ACCOUNTS), {
    ok: false,
    refused: { status: 'perm', reply: { code: 554, enh: '5.3.0', text: 'refusing to deliver as group root (alice)' } },
    reason: "read job as uid 1001 gid 0 (alice): /x/.forward is not one of root's ForwardPath files",
  });
  assert.deepEqual(checkJob({ kind: 'program', command: 'x', as: root, meta }, MSG, POLICY, ACCOUNTS), { ok: false, refused: ROOT_REFUSAL, reason: 'program job as uid 0 gid 0 (root)' });
  assert.deepEqual(checkJob({ kind: 'file', path: '/tmp/x', as: root, meta }, MSG, POLICY, ACCOUNTS), { ok: false, refused: ROOT_REFUSAL, reason: 'file job as uid 0 gid 0 (root)' });
  const groupRoot = checkJob({ kind: 'program', command: 'x', as: { ...alice, gid: 0 }, meta }, MSG, POLICY, ACCOUNTS);
  assert.equal(!groupRoot.ok && 'refused' in groupRoot && groupRoot.refused.status, 'perm');
});

test('ForwardPath candidates: $z, $u, $w literally, $h one path component', () => {
  const p = { ...POLICY, forwardPath: ['$z/.forward', '/var/forward/$u', '$z/.fwd.$w.$h', ''] };
  const who = { name: 'root', home: '/ro.t' };
  assert.equal(isForwardCandidate('/ro.t/.forward', who, p), true);
  assert.equal(isForwardCandidate('/roXt/.forward', who, p), false);
  assert.equal(isForwardCandidate('/var/forward/root', who, p), true);
  assert.equal(isForwardCandidate('/ro.t/.fwd.mx.detail', who, p), true);
  assert.equal(isForwardCandidate('/ro.t/.fwd.mx.a/b', who, p), false);
  assert.equal(isForwardCandidate('/ro.t/.forward', { name: 'root', home: '' }, p), false);
});

test('malformed jobs are named, not run', () => {
  const cases: Array<[unknown, Buffer | undefined, RegExp]> = [
    [null, undefined, /^job: expected an object$/],
    [{ kind: 'shell', command: 'rm -rf /' }, MSG, /^kind: "shell" is not a job kind$/],
    [{ path: '/x' }, undefined, /^kind: missing is not a job kind$/],
    [{ kind: 'read', path: 'relative/.forward', as: alice }, undefined, /^path: expected an absolute path$/],
    [{ kind: 'read', path: '/home/alice/.forward', as: alice }, MSG, /^a read job carries no message$/],
    [{ kind: 'file', path: '/tmp/x', as: alice, meta }, undefined, /^a file job needs the message$/],
    [{ kind: 'mailbox', user: { ...alice, name: '../../etc/passwd' }, meta }, MSG, /^user\.name: not a user name$/],
    [{ kind: 'mailbox', user: { ...alice, uid: -1 }, meta }, MSG, /^user\.uid: expected an integer/],
    [{ kind: 'mailbox', user: { ...alice, uid: '1001' }, meta }, MSG, /^user\.uid: expected an integer/],
    [{ kind: 'program', command: 'a\0b', as: alice, meta }, MSG, /^command: expected a string$/],
    [{ kind: 'program', command: 'x', as: alice, meta: { ...meta, created: 'yesterday' } }, MSG, /^meta\.created: expected an integer/],
  ];
  for (const [raw, msg, re] of cases) {
    const r = checkJob(raw, msg, POLICY, ACCOUNTS);
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
      { name: 'ForwardPath', value: '$z/.forward.$w:$z/.forward' },
    ],
  });
  assert.ok(loaded.config, JSON.stringify(loaded.diagnostics));
  const p = jobPolicy(loaded.config, 'mx');
  assert.equal(p.smrshDirectory, '/usr/local/smrsh');
  assert.equal(p.safeFileEnvironment, '/srv/files');
  assert.equal(p.progTimeoutMs, 120_000);
  assert.equal(p.mailSpoolDirectory, '/var/spool/mail');
  assert.equal(p.tempFileMode, 0o600);
  assert.equal(p.mailboxFormat, 'maildir');
  assert.equal(p.maildirPath, '$z/Mail');
  assert.deepEqual(p.forwardPath, ['$z/.forward.$w', '$z/.forward']);
  assert.equal(p.shortHost, 'mx');
});
