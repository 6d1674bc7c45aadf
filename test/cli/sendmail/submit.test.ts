// The submission rows of cli.md §8 and the hand-off: `sendmail` installed in a temporary prefix, run by a
// real unprivileged account (alice, who cannot write the queue) and by root, against a real daemon that
// only queues (DeliveryMode=queue), so each queued message can be read back from the spool.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, chown, mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { QueuedMessage } from '../../../src/queue/index.js';
import type { Identity } from '../../../src/route/types.js';
import { TestAccounts } from '../../deliver/helpers.js';
import { E2E_HOST, queued, queuedData, removeDir, startDaemon, tempDaemonDir, writeDaemonConfig, type Daemon } from '../../helpers/daemon.js';
import { installPrefix, parseStored, runAs } from './fixture.js';

const J = E2E_HOST;
let dir: string;
let prefix: string;
let daemon: Daemon;
let accounts: TestAccounts;
let alice: Identity;

const sendmail = (): string => join(prefix, 'sbin', 'sendmail');
const spool = (): string => join(dir, 'spool');

before(async () => {
  dir = await tempDaemonDir();
  await chmod(dir, 0o755);
  accounts = new TestAccounts();
  await mkdir(join(dir, 'home'), { mode: 0o755 });
  alice = accounts.user(join(dir, 'home', 'alice'));
  await mkdir(alice.home, { mode: 0o755 });
  await chown(alice.home, alice.uid, alice.gid);
  execFileSync('usermod', ['-c', 'Alice,,,', alice.name]);
  const conf = await writeDaemonConfig(dir, [], `postmaster: root\nann: root\n`);
  prefix = await installPrefix(dir, conf);
  daemon = await startDaemon({ cwd: dir, config: conf });
});

after(async () => {
  if (daemon !== undefined && !daemon.hasExited) await daemon.stop();
  try {
    await accounts?.cleanup();
  } finally {
    await removeDir(dir);
  }
});

/** The one message that was not in `before` (the queue as another process reads it). */
async function newMessage(known: readonly QueuedMessage[]): Promise<{ m: QueuedMessage; header: string[]; body: string }> {
  const ids = new Set(known.map((k) => k.envelope.id));
  const now = (await queued(spool())).filter((q) => !ids.has(q.envelope.id));
  assert.equal(now.length, 1, `one new message expected, found ${now.length}`);
  const m = now[0]!;
  return { m, ...parseStored(await queuedData(spool(), m.envelope.id)) };
}

function field(header: readonly string[], name: string): string[] {
  const p = `${name.toLowerCase()}:`;
  return header.filter((l) => l.toLowerCase().startsWith(p)).map((l) => l.slice(p.length).trim());
}

test('alice cannot write the queue herself: the spool is the daemon\'s', async () => {
  const st = await stat(spool());
  assert.equal(st.mode & 0o077, 0);
  assert.notEqual(st.uid, alice.uid);
});

test('alice: printf "Subject: t\\n\\nhi\\n" | sendmail bob → From, Date, Message-Id, Received (from alice@localhost)', async () => {
  const known = await queued(spool());
  const r = await runAs(alice, [sendmail(), 'bob'], { input: 'Subject: t\n\nhi\n' });
  assert.deepEqual([r.code, r.stderr], [0, '']);
  const { m, header, body } = await newMessage(known);
  assert.equal(m.envelope.sender, `${alice.name}@${J}`);
  assert.deepEqual(m.envelope.recipients.map((x) => x.address), [`bob@${J}`]);
  assert.equal(m.envelope.client, `${alice.name}@localhost`);
  assert.deepEqual(field(header, 'From'), [`Alice <${alice.name}@${J}>`]);
  assert.equal(field(header, 'Date').length, 1);
  assert.match(field(header, 'Message-Id')[0]!, new RegExp(`^<\\d{12}\\.${m.envelope.id}@${J.replace(/\./g, '\\.')}>$`));
  assert.match(header[0]!, new RegExp(`^Received: \\(from ${alice.name}@localhost\\) by ${J.replace(/\./g, '\\.')} \\(Postern\\) id ${m.envelope.id} for <bob@${J.replace(/\./g, '\\.')}>; `));
  assert.deepEqual(field(header, 'Subject'), ['t']);
  assert.equal(body, 'hi\r\n');
});

test('alice: -t -i carol takes bob and dave from the header (carol, also an argument, is removed); no Bcc: is queued', async () => {
  const known = await queued(spool());
  const r = await runAs(alice, [sendmail(), '-t', '-i', 'carol'], { input: 'To: bob\nCc: carol\nBcc: dave\n\nx\n' });
  assert.deepEqual([r.code, r.stderr], [0, '']);
  const { m, header } = await newMessage(known);
  assert.deepEqual(m.envelope.recipients.map((x) => x.address), [`bob@${J}`, `dave@${J}`]);
  assert.deepEqual(field(header, 'Bcc'), []);
  assert.deepEqual(field(header, 'To'), ['bob']);
});

for (const [args, input, body] of [
  [['bob'], 'a\n.\nb\n', 'a\r\n'],
  [['-i', 'bob'], 'a\n.\nb\n', 'a\r\n.\r\nb\r\n'],
  [['bob'], '..x\n', '.x\r\n'],
  [['-oi', 'bob'], '..x\r\nbare\rcr\n', '..x\r\nbare cr\r\n'],
] as const) {
  test(`alice: ${JSON.stringify(input)} | sendmail ${args.join(' ')} → body ${JSON.stringify(body)}`, async () => {
    const known = await queued(spool());
    const r = await runAs(alice, [sendmail(), ...args], { input: `Subject: dots\n\n${input}` });
    assert.deepEqual([r.code, r.stderr], [0, '']);
    assert.equal((await newMessage(known)).body, body);
  });
}

test('alice: -f boss@example.com → X-Authentication-Warning, envelope sender boss@example.com; root: no warning', async () => {
  let known = await queued(spool());
  const r = await runAs(alice, [sendmail(), '-f', 'boss@example.com', 'bob'], { input: 'Subject: f\n\nx\n' });
  assert.deepEqual([r.code, r.stderr], [0, '']);
  const a = await newMessage(known);
  assert.equal(a.m.envelope.sender, 'boss@example.com');
  assert.deepEqual(field(a.header, 'X-Authentication-Warning'), [`${J}: ${alice.name} set sender to boss@example.com using -f`]);
  assert.deepEqual(field(a.header, 'From'), ['boss@example.com']);

  known = await queued(spool());
  const root = await runAs(undefined, [sendmail(), '-fboss@example.com', 'bob'], { input: 'Subject: f\n\nx\n' });
  assert.deepEqual([root.code, root.stderr], [0, '']);
  const b = await newMessage(known);
  assert.equal(b.m.envelope.sender, 'boss@example.com');
  assert.deepEqual(field(b.header, 'X-Authentication-Warning'), []);
});

test('alice: -r <> sets the null sender, with the warning naming -r', async () => {
  const known = await queued(spool());
  const r = await runAs(alice, [sendmail(), '-r', '<>', 'bob'], { input: 'Subject: r\n\nx\n' });
  assert.deepEqual([r.code, r.stderr], [0, '']);
  const a = await newMessage(known);
  assert.equal(a.m.envelope.sender, '');
  assert.deepEqual(field(a.header, 'X-Authentication-Warning'), [`${J}: ${alice.name} set sender to <> using -r`]);
});

test('alice: -f with her own login name gives no warning; -F sets the full name', async () => {
  const known = await queued(spool());
  const r = await runAs(alice, [sendmail(), '-f', alice.name, '-F', 'Alice Q. Public', 'bob'], { input: 'Subject: own\n\nx\n' });
  assert.deepEqual([r.code, r.stderr], [0, '']);
  const a = await newMessage(known);
  assert.deepEqual(field(a.header, 'X-Authentication-Warning'), []);
  assert.deepEqual(field(a.header, 'From'), [`Alice Q. Public <${alice.name}@${J}>`]);
});

test('alice: -oQ./myqueue → "QueueDirectory: option is restricted to trusted users", exit 77, nothing queued', async () => {
  const known = await queued(spool());
  const r = await runAs(alice, [sendmail(), '-oQ./myqueue', 'bob'], { input: 'Subject: q\n\nx\n', cwd: alice.home });
  assert.deepEqual([r.code, r.stderr], [77, 'QueueDirectory: option is restricted to trusted users\n']);
  assert.equal((await queued(spool())).length, known.length);
  assert.deepEqual(await readdir(alice.home), []);
});

test('alice: -OPrivacyOptions=public is accepted and takes nothing away (the warning of -f stays)', async () => {
  const known = await queued(spool());
  const r = await runAs(alice, [sendmail(), '-OPrivacyOptions=public', '-f', 'boss@example.com', 'bob'], { input: 'Subject: p\n\nx\n' });
  assert.deepEqual([r.code, r.stderr], [0, '']);
  const a = await newMessage(known);
  assert.equal(field(a.header, 'X-Authentication-Warning').length, 1);
});

test('alice: -Mj is refused like an unsafe option; -Mr is hers to set', async () => {
  const r = await runAs(alice, [sendmail(), '-Mjevil.example', 'bob'], { input: 'x\n' });
  assert.deepEqual([r.code, r.stderr], [77, 'Mj: option is restricted to trusted users\n']);
  const known = await queued(spool());
  const ok = await runAs(alice, [sendmail(), '-MrUUCP', 'bob'], { input: 'Subject: m\n\nx\n' });
  assert.deepEqual([ok.code, ok.stderr], [0, '']);
  const a = await newMessage(known);
  assert.equal(a.m.envelope.protocol, 'UUCP');
});

for (const flag of ['-bi', '-bd']) {
  test(`alice: sendmail ${flag} → Permission denied (real uid not trusted), exit 77`, async () => {
    const r = await runAs(alice, [sendmail(), flag]);
    assert.deepEqual([r.code, r.stdout, r.stderr], [77, '', 'Permission denied (real uid not trusted)\n']);
  });
}

test('alice: newaliases → exit 77 as well', async () => {
  const r = await runAs(alice, [join(prefix, 'sbin', 'newaliases')]);
  assert.equal(r.code, 77);
  assert.match(r.stderr, /Permission denied \(real uid not trusted\)/);
});

test('alice: sendmail (no addresses) < msg → "Recipient names must be specified", exit 64', async () => {
  const r = await runAs(alice, [sendmail()], { input: 'Subject: x\n\nx\n' });
  assert.deepEqual([r.code, r.stderr], [64, 'Recipient names must be specified\n']);
});

test('alice: sendmail -t < msg without recipients → "No recipient addresses found in header", exit 64', async () => {
  const r = await runAs(alice, [sendmail(), '-t'], { input: 'Subject: x\n\nx\n' });
  assert.deepEqual([r.code, r.stderr], [64, 'No recipient addresses found in header\n']);
});

test("alice: sendmail '|/bin/sh' → \"|/bin/sh... Cannot mail directly to programs\", exit 65, nothing queued", async () => {
  const known = await queued(spool());
  const r = await runAs(alice, [sendmail(), '|/bin/sh'], { input: 'x\n' });
  assert.deepEqual([r.code, r.stderr], [65, '|/bin/sh... Cannot mail directly to programs\n']);
  assert.equal((await queued(spool())).length, known.length);
});

test('alice: a valid and an invalid address → the valid one is queued, the other reported, exit 65', async () => {
  const known = await queued(spool());
  const r = await runAs(alice, [sendmail(), 'bob, /etc/passwd', 'carol@'], { input: 'Subject: mixed\n\nx\n' });
  assert.equal(r.code, 65);
  assert.deepEqual(r.stderr.split('\n').filter(Boolean), ['/etc/passwd... Cannot mail directly to files', 'carol@... Hostname required']);
  const a = await newMessage(known);
  assert.deepEqual(a.m.envelope.recipients.map((x) => x.address), [`bob@${J}`]);
});

test('alice: sendmail -bv postmaster → "postmaster... deliverable: mailer local, user root", exit 0', async () => {
  const r = await runAs(alice, [sendmail(), '-bv', 'postmaster']);
  assert.deepEqual([r.code, r.stdout, r.stderr], [0, 'postmaster... deliverable: mailer local, user root\n', '']);
  const u = await runAs(alice, [sendmail(), '-bv', 'nosuchuser', 'someone@elsewhere.example']);
  assert.equal(u.code, 67);
  assert.equal(u.stdout, 'nosuchuser... User unknown\nsomeone@elsewhere.example... deliverable: mailer esmtp, host elsewhere.example., user someone@elsewhere.example\n');
});

test('alice: sendmail -x → "sendmail: illegal option -- x", exit 64', async () => {
  const r = await runAs(alice, [sendmail(), '-x']);
  assert.deepEqual([r.code, r.stdout, r.stderr], [64, '', 'sendmail: illegal option -- x\n']);
});

for (const [args, message] of [
  [['-N', 'sometimes', 'bob'], 'Invalid -N argument'],
  [['-R', 'most', 'bob'], 'Invalid -R value'],
  [['-V', 'bad id', 'bob'], 'Invalid syntax in -V flag'],
  [['-B', '9BIT', 'bob'], 'Illegal body type 9BIT'],
  [['-f', 'a', '-r', 'b', 'bob'], 'sendmail: More than one "from" person'],
  [['-bt'], 'sendmail: operation mode t not supported'],
] as const) {
  test(`alice: sendmail ${args.join(' ')} → "${message}", exit 64`, async () => {
    const r = await runAs(alice, [sendmail(), ...args], { input: 'x\n' });
    assert.deepEqual([r.code, r.stderr], [64, `${message}\n`]);
  });
}

test('alice: -N, -R, -V and -B reach the envelope', async () => {
  const known = await queued(spool());
  const r = await runAs(alice, [sendmail(), '-N', 'success,Delay', '-R', 'hdrs', '-V', 'id+2B1', '-B', '8bitmime', 'bob'], { input: 'Subject: dsn\n\nx\n' });
  assert.deepEqual([r.code, r.stderr], [0, '']);
  const { m } = await newMessage(known);
  assert.deepEqual(m.envelope.recipients[0]!.notify, ['SUCCESS', 'DELAY']);
  assert.deepEqual([m.envelope.ret, m.envelope.envid, m.envelope.bodyType], ['HDRS', 'id+1', '8BITMIME']);
});

test('alice: a NUL octet → "NUL byte not allowed", exit 65, nothing queued', async () => {
  const known = await queued(spool());
  const r = await runAs(alice, [sendmail(), 'bob'], { input: Buffer.from('Subject: nul\n\na\x00b\n', 'latin1') });
  assert.deepEqual([r.code, r.stderr], [65, 'NUL byte not allowed\n']);
  assert.equal((await queued(spool())).length, known.length);
});

test('a leading "From " line is dropped; its address is the sender only for a trusted caller', async () => {
  let known = await queued(spool());
  const r = await runAs(alice, [sendmail(), 'bob'], { input: 'From someone@else.example Mon Jan  1 00:00:00 2024\nSubject: fl\n\nx\n' });
  assert.equal(r.code, 0);
  const a = await newMessage(known);
  assert.equal(a.m.envelope.sender, `${alice.name}@${J}`);
  assert.ok(!a.header.some((l) => l.startsWith('From ')));
  known = await queued(spool());
  const root = await runAs(undefined, [sendmail(), 'bob'], { input: 'From someone@else.example Mon Jan  1 00:00:00 2024\nSubject: fl\n\nx\n' });
  assert.equal(root.code, 0);
  assert.equal((await newMessage(known)).m.envelope.sender, 'someone@else.example');
});

test('alice: -bs speaks the daemon\'s SMTP on stdin/stdout; the message is received from alice@localhost', async () => {
  const known = await queued(spool());
  const script = 'EHLO client\nMAIL FROM:<' + alice.name + '>\nRCPT TO:<bob@remote.example>\nDATA\nSubject: bs\n\nbody\n..dot\n.\nQUIT\n';
  const r = await runAs(alice, [sendmail(), '-bs'], { input: script });
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\r\n');
  assert.match(lines[0]!, new RegExp(`^220 ${J.replace(/\./g, '\\.')} ESMTP`));
  assert.ok(lines.includes(`250-${J} Hello ${alice.name}@localhost, pleased to meet you`), r.stdout);
  assert.ok(lines.some((l) => /^250 2\.0\.0 \S+ Message accepted for delivery$/.test(l)), r.stdout);
  assert.equal(lines.at(-2), `221 2.0.0 ${J} closing connection`);
  const a = await newMessage(known);
  assert.equal(a.m.envelope.client, `${alice.name}@localhost`);
  assert.equal(a.m.envelope.clientAddr, '');
  assert.equal(a.body, 'body\r\n.dot\r\n');
  assert.deepEqual(field(a.header, 'X-Authentication-Warning'), []);
});

test('alice: -bs with another sender is marked "owned process doing -bs"; ETRN is refused to her', async () => {
  const known = await queued(spool());
  const script = 'EHLO client\nETRN example.com\nMAIL FROM:<boss@example.com>\nRCPT TO:<bob@remote.example>\nDATA\nSubject: bs2\n\nx\n.\nQUIT\n';
  const r = await runAs(alice, [sendmail(), '-bs'], { input: script });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.split('\r\n').includes('502 5.7.0 Sorry, we do not allow this operation'), r.stdout);
  const a = await newMessage(known);
  assert.equal(a.m.envelope.sender, 'boss@example.com');
  assert.deepEqual(field(a.header, 'X-Authentication-Warning'), [`${J}: ${alice.name} owned process doing -bs`]);
});

test('sendmail -bC: the configuration\'s problems as <file>:<line>: <message>, exit 78; none: exit 0', async () => {
  const bad = join(alice.home, 'bad.conf');
  await writeFile(bad, 'Bogus = 1\nMaxMessageSize = abc\n');
  const r = await runAs(alice, [sendmail(), '-bC', '-C', bad]);
  assert.equal(r.code, 78);
  assert.match(r.stderr, new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:1: unknown option Bogus$`, 'm'));
  assert.match(r.stderr, /:2: MaxMessageSize: invalid size "abc"/);
  const good = await runAs(alice, [sendmail(), '-bC']);
  assert.equal(good.code, 0, good.stderr);
});

test('hoststat and purgestat are not supported (exit 69)', async () => {
  const dirLinks = join(dir, 'names');
  await mkdir(dirLinks, { mode: 0o755 });
  for (const n of ['hoststat', 'purgestat']) {
    execFileSync('ln', ['-s', sendmail(), join(dirLinks, n)]);
    const r = await runAs(alice, [join(dirLinks, n)]);
    assert.deepEqual([r.code, r.stderr], [69, `${n}: not supported\n`]);
  }
});

test('alice: -C her own configuration runs with her rights into her own queue, with the -C warning', async () => {
  const own = join(alice.home, 'own');
  await mkdir(own, { mode: 0o700 });
  await chown(own, alice.uid, alice.gid);
  const conf = join(own, 'postern.conf');
  await writeFile(conf, `QueueDirectory = ${join(own, 'queue')}\nMacro j ${J}\nControlSocket = ${join(own, 'none.sock')}\n`);
  await chown(conf, alice.uid, alice.gid);
  const known = await queued(spool());
  const r = await runAs(alice, [sendmail(), '-C', conf, 'bob'], { input: 'Subject: c\n\nx\n' });
  assert.deepEqual([r.code, r.stderr], [0, '']);
  assert.equal((await queued(spool())).length, known.length, 'nothing reaches the system queue');
  const mine = await queued(join(own, 'queue'));
  assert.equal(mine.length, 1);
  const { header } = parseStored(await queuedData(join(own, 'queue'), mine[0]!.envelope.id));
  assert.deepEqual(field(header, 'X-Authentication-Warning'), [`${J}: Processed by ${alice.name} with -C ${conf}`]);
});

test('the hand-off without a daemon: alice gets exit 71 and nothing is queued; root writes the queue itself', async () => {
  await daemon.stop();
  try {
    const known = await queued(spool());
    const r = await runAs(alice, [sendmail(), 'bob'], { input: 'Subject: down\n\nx\n' });
    assert.equal(r.code, 71);
    assert.match(r.stderr, /^sendmail: cannot submit the message: the mail daemon cannot be reached \(.*\); nothing was queued\n$/);
    assert.equal((await queued(spool())).length, known.length);
    const root = await runAs(undefined, [sendmail(), 'bob'], { input: 'Subject: direct\n\nx\n' });
    assert.deepEqual([root.code, root.stderr], [0, '']);
    const a = await newMessage(known);
    assert.equal(a.m.envelope.client, 'root@localhost');
  } finally {
    daemon = await startDaemon({ cwd: dir, config: join(dir, 'postern.conf') });
  }
  // The daemon's recovery reads the message written without it.
  assert.ok((await queued(spool())).some((q) => q.envelope.client === 'root@localhost'));
});
