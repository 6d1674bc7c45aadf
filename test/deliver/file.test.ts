// File delivery under SafeFileEnvironment, by real agents as real users (program-and-file-delivery.md
// §4 and the file rows of the §6 test table).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, linkSync, lstatSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentResult, FileJob } from '../../src/deliver/agent-protocol.js';
import { spawnAgentService } from '../../src/deliver/agent-service.js';
import type { Identity } from '../../src/deliver/shared-types.js';
import { MESSAGE, TestAccounts, holdFcntlLock, meta, tempRoot } from './helpers.js';

const accounts = new TestAccounts();
const root = tempRoot();
const T = root.dir;
const safe = join(T, 'safe');
const logs = join(safe, 'logs');
const service = spawnAgentService();
let defaultUser: Identity;
let archive: Identity;
let other: Identity;
let group: { name: string; gid: number };

const ENTRY = /^From alice@example\.com (Sun|Mon|Tue|Wed|Thu|Fri|Sat) [A-Z][a-z]{2} [ 123]\d \d\d:\d\d:\d\d \d{4}\nReturn-Path: <alice@example\.com>\nFrom: alice@example\.com\nTo: bob@example\.com\nSubject: test\n\nHello Bob,\n>From the start, this works\.\nbye\n\n$/;

function deliver(path: string, extra: Partial<FileJob> = {}): Promise<AgentResult> {
  return service.run(
    { kind: 'file', path, as: defaultUser, safeFileEnvironment: safe, tempFileMode: 0o600, dontBlame: [], meta: meta(), ...extra },
    MESSAGE,
  );
}

function refused(r: AgentResult, text: string): void {
  assert.equal(r.status, 'perm', JSON.stringify(r));
  assert.ok('reply' in r);
  assert.deepEqual(r.reply, { code: 554, enh: '5.3.0', text });
}

/** A file in $T/safe/logs with the given owner and mode. */
function file(name: string, owner: Identity, mode: number, content = ''): string {
  const p = join(logs, name);
  writeFileSync(p, content);
  chownSync(p, owner.uid, owner.gid);
  chmodSync(p, mode);
  return p;
}

before(() => {
  mkdirSync(logs, { recursive: true });
  chmodSync(safe, 0o755);
  chmodSync(logs, 0o1777);
  defaultUser = accounts.user('/nonexistent');
  archive = accounts.user('/nonexistent');
  other = accounts.user('/nonexistent');
  group = accounts.group();
});

after(async () => {
  await service.close();
  await accounts.cleanup();
  root.cleanup();
});

test('$T/safe/logs/team and /logs/team both append to $T/safe/logs/team, in mbox format', async () => {
  const team = file('team', defaultUser, 0o600);
  assert.equal((await deliver(join(safe, 'logs/team'))).status, 'delivered');
  assert.equal((await deliver('/logs/team')).status, 'delivered');
  const text = readFileSync(team, 'utf8');
  const half = text.indexOf('From alice', 1);
  assert.match(text.slice(0, half), ENTRY);
  assert.match(text.slice(half), ENTRY);
});

test('/logs/../../etc/passwd: Operation not permitted', async () => {
  refused(await deliver('/logs/../../etc/passwd'), 'cannot open /logs/../../etc/passwd: Operation not permitted');
});

test('/logs/link, a symbolic link: Symbolic links not allowed', async () => {
  const target = file('link-target', defaultUser, 0o600);
  symlinkSync(target, join(logs, 'link'));
  refused(await deliver('/logs/link'), 'cannot open /logs/link: Symbolic links not allowed');
  assert.equal(readFileSync(target, 'utf8'), '');
});

test('a symbolic link among the directories leaves the emulated chroot: Operation not permitted', async () => {
  symlinkSync(logs, join(safe, 'linkdir'));
  refused(await deliver('/linkdir/team'), 'cannot open /linkdir/team: Operation not permitted');
});

test('/dev/null: delivered, nothing written', async () => {
  const r = await deliver('/dev/null');
  assert.equal(r.status, 'delivered');
  assert.ok(statSync('/dev/null').isCharacterDevice());
});

test('a device with SafeFileEnvironment /: Regular files only', async () => {
  refused(await deliver('/dev/zero', { safeFileEnvironment: '/' }), 'cannot open /dev/zero: Regular files only');
  refused(await deliver('/dev/full', { safeFileEnvironment: '/' }), 'cannot open /dev/full: Regular files only');
});

test('/logs/new (missing, directory exists): created 0600 owned by the delivering user, message appended', async () => {
  const r = await deliver('/logs/new');
  assert.equal(r.status, 'delivered', JSON.stringify(r));
  const st = statSync(join(logs, 'new'));
  assert.equal(st.mode & 0o7777, 0o600);
  assert.equal(st.uid, defaultUser.uid);
  assert.equal(st.gid, defaultUser.gid);
  assert.match(readFileSync(join(logs, 'new'), 'utf8'), ENTRY);
});

test('a created file gets TempFileMode exactly (the umask does not narrow it)', async () => {
  assert.equal((await deliver('/logs/shared', { tempFileMode: 0o640 })).status, 'delivered');
  assert.equal(statSync(join(logs, 'shared')).mode & 0o7777, 0o640);
});

test('/nodir/x: No such file or directory', async () => {
  refused(await deliver('/nodir/x'), 'cannot open /nodir/x: No such file or directory');
});

test('/logs/archive mode 4600 owned by archive: appended as archive; mode still 4600 afterwards', async () => {
  const p = file('archive', archive, 0o4600);
  const r = await deliver('/logs/archive');
  assert.equal(r.status, 'delivered', JSON.stringify(r));
  assert.match(readFileSync(p, 'utf8'), ENTRY);
  const st = statSync(p);
  assert.equal(st.mode & 0o7777, 0o4600);
  assert.equal(st.uid, archive.uid);
});

test('a set-group-ID file is written with its group; the bit is kept', async () => {
  const p = file('groupfile', archive, 0o2660);
  chownSync(p, archive.uid, group.gid);
  chmodSync(p, 0o2660);
  const r = await deliver('/logs/groupfile');
  assert.equal(r.status, 'delivered', JSON.stringify(r));
  assert.match(readFileSync(p, 'utf8'), ENTRY);
  assert.equal(statSync(p).mode & 0o7777, 0o2660);
});

test('set-ID bits on a root-owned file are ignored (and logged): the write is done as the controlling user', async () => {
  const p = join(logs, 'rootfile');
  writeFileSync(p, '');
  chmodSync(p, 0o4600);
  const r = await deliver('/logs/rootfile');
  refused(r, 'cannot open /logs/rootfile: Permission denied');
  assert.ok(r.status === 'perm' && r.log?.includes('mailfile: ignoring set-user-ID/set-group-ID bits'), JSON.stringify(r));
  assert.equal(readFileSync(p, 'utf8'), '');
});

test('someone else\'s private file: Permission denied', async () => {
  file('private', other, 0o600);
  refused(await deliver('/logs/private'), 'cannot open /logs/private: Permission denied');
});

test('hard links are refused unless FileDeliveryToHardLink', async () => {
  const p = file('hard', defaultUser, 0o600);
  linkSync(p, join(logs, 'hard2'));
  refused(await deliver('/logs/hard'), 'cannot open /logs/hard: Hard links not allowed');
  assert.equal((await deliver('/logs/hard', { dontBlame: ['FileDeliveryToHardLink'] })).status, 'delivered');
});

test('executable files are refused', async () => {
  file('script', defaultUser, 0o700);
  refused(await deliver('/logs/script'), 'cannot open /logs/script: Executable files not allowed');
});

test('prefix stripping compares whole components: /safe-other is not below /safe', async () => {
  const otherDir = join(T, 'safe-other');
  mkdirSync(otherDir);
  chmodSync(otherDir, 0o1777);
  const victim = join(otherDir, 'team');
  writeFileSync(victim, '');
  chmodSync(victim, 0o666);
  refused(await deliver(victim), `cannot open ${victim}: No such file or directory`);
  assert.equal(readFileSync(victim, 'utf8'), '');
});

test('without SafeFileEnvironment: symbolic links only with FileDeliveryToSymLink; devices are written', async () => {
  const target = file('plain-target', defaultUser, 0o600);
  const link = join(logs, 'plain-link');
  symlinkSync(target, link);
  refused(await deliver(link, { safeFileEnvironment: undefined }), `cannot open ${link}: Symbolic links not allowed`);
  assert.equal((await deliver(link, { safeFileEnvironment: undefined, dontBlame: ['FileDeliveryToSymLink'] })).status, 'delivered');
  assert.match(readFileSync(target, 'utf8'), ENTRY);
  const full = await deliver('/dev/full', { safeFileEnvironment: undefined });
  assert.equal(full.status, 'temp');
  assert.deepEqual('reply' in full && full.reply, { code: 451, enh: '4.3.0', text: 'write error on /dev/full: No space left on device' });
});

test('another process\'s fcntl lock makes the agent wait; a lock held too long is a temporary failure', async () => {
  const p = file('locked', defaultUser, 0o600);
  const holder = await holdFcntlLock(p);
  const t0 = Date.now();
  const pending = deliver('/logs/locked');
  await new Promise((res) => setTimeout(res, 700));
  assert.equal(readFileSync(p, 'utf8'), '', 'nothing written while the lock is held');
  await holder.release();
  const r = await pending;
  assert.equal(r.status, 'delivered');
  assert.ok(Date.now() - t0 >= 700);
  assert.match(readFileSync(p, 'utf8'), ENTRY);

  const again = await holdFcntlLock(p);
  try {
    const late = await deliver('/logs/locked', { lockTimeoutMs: 300 });
    assert.equal(late.status, 'temp');
    assert.deepEqual('reply' in late && late.reply, { code: 451, enh: '4.3.0', text: 'lock timeout on /logs/locked' });
  } finally {
    await again.release();
  }
  assert.ok(existsSync(p) && lstatSync(p).isFile());
});
