// The bytes local agents write (mbox entries, program input, Maildir files) and the SafeFileEnvironment
// path rules, as plain functions.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ctime, escapeFromLines, maildirEntry, mboxEntry, programInput, toLf } from '../../src/deliver/mbox-format.js';
import { targetPath } from '../../src/deliver/safe-file-path.js';
import { parseJob } from '../../src/deliver/job-parse.js';
import { diagnosticText } from '../../src/deliver/agent-protocol.js';

test('ctime form: day of month padded with a space, local time', () => {
  assert.equal(ctime(new Date(2024, 10, 1, 8, 5, 9)), 'Fri Nov  1 08:05:09 2024');
  assert.equal(ctime(new Date(2024, 0, 31, 23, 59, 59)), 'Wed Jan 31 23:59:59 2024');
});

test('CR LF becomes LF; a lone CR stays', () => {
  assert.equal(toLf(Buffer.from('a\r\nb\rc\r\n\r\n')).toString(), 'a\nb\rc\n\n');
  assert.equal(toLf(Buffer.from('end\r')).toString(), 'end\r');
});

test('>From escaping: lines that begin with "From " only', () => {
  assert.equal(escapeFromLines(Buffer.from('From x\nFrom: y\n From z\nFromage\nFrom \n')).toString(), '>From x\nFrom: y\n From z\nFromage\n>From \n');
  assert.equal(escapeFromLines(Buffer.from('>From x\n')).toString(), '>From x\n', 'already quoted lines are left as they are');
});

test('an mbox entry: From line, Return-Path, message, a line end if missing, one empty line', () => {
  const now = new Date(2024, 10, 1, 8, 5, 9);
  assert.equal(
    mboxEntry('a@b', Buffer.from('Subject: x\r\n\r\nFrom here\r\nend'), now).toString(),
    'From a@b Fri Nov  1 08:05:09 2024\nReturn-Path: <a@b>\nSubject: x\n\n>From here\nend\n\n',
  );
  assert.equal(mboxEntry('', Buffer.from('S: x\r\n\r\nb\r\n'), now).toString(), 'From MAILER-DAEMON Fri Nov  1 08:05:09 2024\nReturn-Path: <>\nS: x\n\nb\n\n');
});

test('program input has no Return-Path and no escaping; a Maildir file has Return-Path only', () => {
  const now = new Date(2024, 10, 1, 8, 5, 9);
  assert.equal(programInput('', Buffer.from('S: x\r\n\r\nFrom y\r\n'), now).toString(), 'From MAILER-DAEMON Fri Nov  1 08:05:09 2024\nS: x\n\nFrom y\n');
  assert.equal(maildirEntry('a@b', Buffer.from('S: x\r\n\r\nFrom y\r\n')).toString(), 'Return-Path: <a@b>\nS: x\n\nFrom y\n');
});

test('SafeFileEnvironment: /dev/null, prefix stripping by whole components, .. refused', () => {
  assert.deepEqual(targetPath('/dev/null', '/arch'), { kind: 'devnull' });
  assert.deepEqual(targetPath('/dev/null', undefined), { kind: 'devnull' });
  const arch = { kind: 'file', real: '/arch/logs/team', root: '/arch', dirs: ['/arch/logs'], confined: true };
  assert.deepEqual(targetPath('/arch/logs/team', '/arch'), arch);
  assert.deepEqual(targetPath('/logs/team', '/arch'), arch);
  assert.deepEqual(targetPath('/logs/team', '/arch/'), arch);
  assert.deepEqual(targetPath('/logs//./team', '/arch'), arch);
  assert.equal((targetPath('/archive/x', '/arch') as { real: string }).real, '/arch/archive/x');
  assert.deepEqual(targetPath('/logs/../../etc/passwd', '/arch'), { kind: 'refused', reason: 'Operation not permitted' });
  assert.deepEqual(targetPath('/logs/team', '/'), { kind: 'file', real: '/logs/team', root: '/', dirs: ['/logs'], confined: true });
  assert.deepEqual(targetPath('/a/../b', undefined), { kind: 'file', real: '/a/../b', root: '/', dirs: [], confined: false });
});

test('jobs are checked before the agent acts on them', () => {
  const as = { name: 'bob', uid: 1000, gid: 1000, home: '/home/bob', shell: '/bin/sh' };
  const m = { id: 'Q', sender: '', recipient: 'bob', created: 1 };
  const good = { kind: 'read', path: '/home/bob/.forward', as, timeoutMs: 60000 };
  assert.deepEqual(parseJob(JSON.stringify(good)), good);
  const bad: Array<[unknown, string]> = [
    [{ ...good, kind: 'shell' }, 'job.kind: mailbox, file, program or read expected'],
    [{ ...good, path: 'relative' }, 'job.path: absolute path expected'],
    [{ ...good, as: { ...as, uid: 1.5 } }, 'job.as.uid: a uid/gid number expected'],
    [{ ...good, as: { ...as, name: '../x' } }, 'job.as.name: not a user name'],
    [{ ...good, path: '/a\0b' }, 'job.path: NUL character'],
    [{ kind: 'mailbox', user: as, spoolDir: '/var/mail', format: 'mh', maildir: '', meta: m }, 'job.format: mbox or maildir expected'],
    [{ kind: 'file', path: '/x', as, safeFileEnvironment: '/', tempFileMode: 0o10000, dontBlame: [], meta: m }, 'job.tempFileMode: mode expected'],
  ];
  for (const [job, message] of bad) assert.throws(() => parseJob(JSON.stringify(job)), { message });
  assert.throws(() => parseJob('{'), { message: 'job: not JSON' });
});

test('the Diagnostic-Code text: the first line of output, else the reply', () => {
  assert.equal(diagnosticText({ status: 'perm', reply: { code: 554, enh: '5.0.0', text: 'Service unavailable' }, output: '\nsmrsh: x\ny\n' }), 'smrsh: x');
  assert.equal(diagnosticText({ status: 'temp', reply: { code: 450, enh: '4.0.0', text: 'Deferred' } }), '450 4.0.0 Deferred');
});
