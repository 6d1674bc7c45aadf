// Local mailbox delivery (program-and-file-delivery.md §5): mbox in the spool directory with
// dot-lock and fcntl locking compatible with other mail programs, and Maildir; real agents, real users.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, existsSync, linkSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentResult, MailboxJob } from '../../src/deliver/agent-protocol.js';
import { spawnAgentService } from '../../src/deliver/agent-service.js';
import type { Identity } from '../../src/deliver/shared-types.js';
import { MESSAGE, TestAccounts, holdFcntlLock, meta, tempRoot } from './helpers.js';

const accounts = new TestAccounts();
const root = tempRoot();
const T = root.dir;
const spool = join(T, 'mail');
const service = spawnAgentService();
let mailGroup: { name: string; gid: number };
let bob: Identity;
let carol: Identity;

const ENTRY =
  /^From alice@example\.com (Sun|Mon|Tue|Wed|Thu|Fri|Sat) [A-Z][a-z]{2} [ 123]\d \d\d:\d\d:\d\d \d{4}\nReturn-Path: <alice@example\.com>\nFrom: alice@example\.com\nTo: bob@example\.com\nSubject: test\n\nHello Bob,\n>From the start, this works\.\nbye\n\n$/;

function deliver(user: Identity, extra: Partial<MailboxJob> = {}): Promise<AgentResult> {
  return service.run({ kind: 'mailbox', user, spoolDir: spool, format: 'mbox', maildir: '$z/Maildir', meta: meta(), ...extra }, MESSAGE);
}

function entries(text: string): string[] {
  return text.split(/(?=^From alice@example\.com )/m);
}

function reply(r: AgentResult): unknown {
  return 'reply' in r ? r.reply : r;
}

before(() => {
  mailGroup = accounts.group();
  // Like Debian's /var/mail: root:mail 2775.
  mkdirSync(spool);
  chownSync(spool, 0, mailGroup.gid);
  chmodSync(spool, 0o2775);
  const home = join(T, 'home-bob');
  mkdirSync(home);
  bob = accounts.user(home);
  chownSync(home, bob.uid, bob.gid);
  chmodSync(home, 0o755);
  carol = accounts.user(join(T, 'home-carol'));
});

after(async () => {
  await service.close();
  await accounts.cleanup();
  root.cleanup();
});

test('a missing mailbox is created 0600, owned by the user, group of the spool directory; entries in mbox format', async () => {
  const r = await deliver(bob);
  assert.equal(r.status, 'delivered', JSON.stringify(r));
  const mbox = join(spool, bob.name);
  const st = statSync(mbox);
  assert.equal(st.mode & 0o7777, 0o600);
  assert.equal(st.uid, bob.uid);
  assert.equal(st.gid, mailGroup.gid);
  assert.equal((await deliver(bob)).status, 'delivered');
  const all = entries(readFileSync(mbox, 'utf8'));
  assert.equal(all.length, 2);
  for (const e of all) assert.match(e, ENTRY);
  assert.ok(!existsSync(`${mbox}.lock`), 'the dot-lock is removed afterwards');
});

test('the null sender: From MAILER-DAEMON, Return-Path: <>', async () => {
  const r = await deliver(carol, { meta: { ...meta(), sender: '' } });
  assert.equal(r.status, 'delivered');
  const text = readFileSync(join(spool, carol.name), 'utf8');
  assert.match(text, /^From MAILER-DAEMON [A-Z][a-z]{2} [A-Z][a-z]{2} [ 123]\d \d\d:\d\d:\d\d \d{4}\nReturn-Path: <>\nFrom: alice/);
  rmSync(join(spool, carol.name));
});

test('a mailbox that is a symbolic link, a hard link, executable or someone else\'s is refused', async () => {
  const mbox = join(spool, carol.name);
  const elsewhere = join(T, 'elsewhere');
  writeFileSync(elsewhere, '');
  chownSync(elsewhere, carol.uid, carol.gid);
  symlinkSync(elsewhere, mbox);
  assert.deepEqual(reply(await deliver(carol)), { code: 554, enh: '5.3.0', text: `cannot open ${mbox}: Symbolic links not allowed` });
  unlinkSync(mbox);
  linkSync(elsewhere, mbox);
  assert.deepEqual(reply(await deliver(carol)), { code: 554, enh: '5.3.0', text: `cannot open ${mbox}: Hard links not allowed` });
  unlinkSync(mbox);
  writeFileSync(mbox, '');
  chownSync(mbox, carol.uid, carol.gid);
  chmodSync(mbox, 0o700);
  assert.deepEqual(reply(await deliver(carol)), { code: 554, enh: '5.3.0', text: `cannot open ${mbox}: Executable files not allowed` });
  chownSync(mbox, bob.uid, bob.gid);
  chmodSync(mbox, 0o666);
  assert.deepEqual(reply(await deliver(carol)), { code: 554, enh: '5.3.0', text: `cannot open ${mbox}: Wrong owner` });
  assert.equal(readFileSync(mbox, 'utf8'), '');
  assert.equal(readFileSync(elsewhere, 'utf8'), '');
  unlinkSync(mbox);
});

test('a user who no longer exists: 550 5.1.1 <addr>... User unknown', async () => {
  const gone = accounts.user(join(T, 'home-gone'));
  accounts.remove(gone);
  const r = await deliver(gone, { meta: { ...meta(), recipient: 'gone@example.com' } });
  assert.equal(r.status, 'perm');
  assert.deepEqual(reply(r), { code: 550, enh: '5.1.1', text: '<gone@example.com>... User unknown' });
  assert.ok(!existsSync(join(spool, gone.name)));
});

test('another program\'s fcntl lock on the mailbox makes the agent wait', async () => {
  const mbox = join(spool, bob.name);
  const size = statSync(mbox).size;
  const holder = await holdFcntlLock(mbox);
  const pending = deliver(bob);
  await new Promise((res) => setTimeout(res, 600));
  assert.equal(statSync(mbox).size, size, 'nothing written while the lock is held');
  assert.ok(existsSync(`${mbox}.lock`), 'the agent holds the dot-lock while it waits');
  await holder.release();
  assert.equal((await pending).status, 'delivered');
  assert.ok(statSync(mbox).size > size);
});

test('a dot-lock makes the agent wait; one held too long is a temporary failure', async () => {
  const mbox = join(spool, bob.name);
  const lock = `${mbox}.lock`;
  writeFileSync(lock, '12345\n');
  const late = await deliver(bob, { lockTimeoutMs: 300 });
  assert.equal(late.status, 'temp');
  assert.deepEqual(reply(late), { code: 451, enh: '4.3.0', text: `lock timeout on ${mbox}` });
  assert.ok(existsSync(lock), 'someone else\'s fresh lock is left alone');

  const size = statSync(mbox).size;
  const pending = deliver(bob);
  await new Promise((res) => setTimeout(res, 500));
  assert.equal(statSync(mbox).size, size);
  unlinkSync(lock);
  assert.equal((await pending).status, 'delivered');
  assert.ok(statSync(mbox).size > size);
});

test('a stale dot-lock (older than 5 minutes) is broken', async () => {
  const mbox = join(spool, bob.name);
  const lock = `${mbox}.lock`;
  writeFileSync(lock, '99999\n');
  const old = new Date(Date.now() - 6 * 60_000);
  utimesSync(lock, old, old);
  const r = await deliver(bob, { lockTimeoutMs: 2000 });
  assert.equal(r.status, 'delivered', JSON.stringify(r));
  assert.ok(r.status === 'delivered' && r.log?.some((l) => l.includes('stale lock')));
  assert.ok(!existsSync(lock));
});

test('Maildir: tmp/ → new/, directories 0700 owned by the user, one file per message', async () => {
  const md = join(bob.home, 'Maildir');
  const r1 = await deliver(bob, { format: 'maildir' });
  assert.equal(r1.status, 'delivered', JSON.stringify(r1));
  assert.equal((await deliver(bob, { format: 'maildir', meta: { ...meta(), sender: '' } })).status, 'delivered');
  for (const d of [md, join(md, 'tmp'), join(md, 'new'), join(md, 'cur')]) {
    const st = statSync(d);
    assert.equal(st.mode & 0o7777, 0o700, d);
    assert.equal(st.uid, bob.uid, d);
  }
  assert.deepEqual(readdirSync(join(md, 'tmp')), []);
  const files = readdirSync(join(md, 'new')).sort();
  assert.equal(files.length, 2);
  assert.notEqual(files[0], files[1]);
  const texts = files.map((f) => readFileSync(join(md, 'new', f), 'utf8')).sort();
  const body = 'From: alice@example.com\nTo: bob@example.com\nSubject: test\n\nHello Bob,\nFrom the start, this works.\nbye\n';
  assert.deepEqual(texts, [`Return-Path: <>\n${body}`, `Return-Path: <alice@example.com>\n${body}`]);
  for (const f of files) {
    const st = statSync(join(md, 'new', f));
    assert.equal(st.mode & 0o777, 0o600);
    assert.equal(st.uid, bob.uid);
  }
});

test('MaildirPath with $z and $u; a missing home is a temporary failure', async () => {
  const r = await deliver(bob, { format: 'maildir', maildir: '$z/Mail/$u' });
  assert.equal(r.status, 'delivered', JSON.stringify(r));
  assert.equal(readdirSync(join(bob.home, 'Mail', bob.name, 'new')).length, 1);
  const noHome = await deliver(carol, { format: 'maildir' });
  assert.equal(noHome.status, 'temp');
  assert.deepEqual(reply(noHome), { code: 451, enh: '4.3.0', text: `cannot open ${carol.home}/Maildir: No such file or directory` });
});
