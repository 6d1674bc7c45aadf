// Program delivery through the built-in smrsh, run by real agents as real users
// (program-and-file-delivery.md §2, §3 and the program rows of the §6 test table).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, chownSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentResult } from '../../src/deliver/agent-protocol.js';
import { diagnosticText } from '../../src/deliver/agent-protocol.js';
import type { Identity } from '../../src/deliver/shared-types.js';
import { TestAccounts, tempRoot } from './helpers.js';
import { programFixture, type ProgramFixture } from './program-fixture.js';

const accounts = new TestAccounts();
const root = tempRoot();
let fx: ProgramFixture;
let bob: Identity;
let nobody: Identity;

before(() => {
  fx = programFixture(root.dir);
  const home = join(root.dir, 'home-bob');
  mkdirSync(home);
  bob = accounts.user(home);
  chownSync(home, bob.uid, bob.gid);
  nobody = accounts.user(join(root.dir, 'no-such-home'), { shell: '/usr/sbin/nologin' });
});

after(async () => {
  await fx.close();
  await accounts.cleanup();
  root.cleanup();
});

function refusal(r: AgentResult, line: string): void {
  assert.equal(r.status, 'perm', JSON.stringify(r));
  if (r.status !== 'perm') return;
  assert.deepEqual(r.reply, { code: 554, enh: '5.0.0', text: 'Service unavailable' }, 'smrsh refusals exit 69');
  assert.equal(r.output?.split('\n')[0], line, 'the smrsh message is the first transcript line');
  assert.equal(diagnosticText(r), line);
}

test('"|vacation bob": runs $T/smrsh/vacation with argv `vacation bob`; delivered', async () => {
  fx.reset();
  const r = await fx.run('vacation bob', bob);
  assert.equal(r.status, 'delivered', JSON.stringify(r));
  assert.deepEqual(fx.recorded().args, ['bob']);
  assert.equal(fx.calls(), 1);
});

test('"|/usr/bin/vacation bob": the path is stripped; same delivery', async () => {
  fx.reset();
  const r = await fx.run('/usr/bin/vacation bob', bob);
  assert.equal(r.status, 'delivered', JSON.stringify(r));
  assert.deepEqual(fx.recorded().args, ['bob']);
});

test('the program runs as the user with the exact environment, home as cwd, and the message as stdin', async () => {
  fx.reset();
  const r = await fx.run('vacation bob', bob, { meta: { id: 'Q', sender: '', recipient: 'bob', created: 0 } });
  assert.equal(r.status, 'delivered');
  const seen = fx.recorded();
  assert.deepEqual(seen.env.sort(), [
    'AGENT=sendmail',
    `HOME=${bob.home}`,
    `LOGNAME=${bob.name}`,
    'PATH=/usr/bin:/bin',
    'SHELL=/bin/sh',
    'TZ=UTC',
    `USER=${bob.name}`,
  ]);
  assert.equal(seen.cwd, bob.home);
  assert.deepEqual(seen.ids.slice(0, 2), [String(bob.uid), String(bob.gid)]);
  assert.ok(!seen.ids[2].split(' ').includes('0'), 'no root group among the supplementary groups');
  // From line with MAILER-DAEMON for <>, LF line ends, no Return-Path, no >From escaping.
  const lines = seen.stdin.split('\n');
  assert.match(lines[0], /^From MAILER-DAEMON (Sun|Mon|Tue|Wed|Thu|Fri|Sat) [A-Z][a-z]{2} [ 123]\d \d\d:\d\d:\d\d \d{4}$/);
  assert.equal(seen.stdin.slice(lines[0].length + 1), 'From: alice@example.com\nTo: bob@example.com\nSubject: test\n\nHello Bob,\nFrom the start, this works.\nbye\n');
  assert.ok(!seen.stdin.includes('\r'));
  assert.ok(!seen.stdin.includes('Return-Path'));
});

test('a user whose home does not exist runs the program in /', async () => {
  fx.reset();
  const r = await fx.run('vacation', nobody);
  assert.equal(r.status, 'delivered');
  assert.equal(fx.recorded().cwd, '/');
  assert.deepEqual(fx.recorded().ids.slice(0, 2), [String(nobody.uid), String(nobody.gid)]);
});

test('"|/bin/sh -c id": smrsh: "sh" not available for sendmail programs (stat failed)', async () => {
  refusal(await fx.run('/bin/sh -c id', bob), 'smrsh: "sh" not available for sendmail programs (stat failed)');
});

test('metacharacters are refused: ; $ ` > and the rest', async () => {
  fx.reset();
  refusal(await fx.run('vacation bob; rm -rf /', bob), 'smrsh: cannot use ; in command');
  refusal(await fx.run('vacation $HOME', bob), 'smrsh: cannot use $ in command');
  refusal(await fx.run('vacation `id`', bob), 'smrsh: cannot use ` in command');
  refusal(await fx.run('vacation > out.txt', bob), 'smrsh: cannot use > in command');
  refusal(await fx.run('vacation < /etc/passwd', bob), 'smrsh: cannot use < in command');
  refusal(await fx.run('vacation | vacation', bob), 'smrsh: cannot use | in command');
  refusal(await fx.run('vacation & vacation', bob), 'smrsh: cannot use & in command');
  refusal(await fx.run('vacation (x)', bob), 'smrsh: cannot use ( in command');
  refusal(await fx.run('vacation ^x', bob), 'smrsh: cannot use ^ in command');
  refusal(await fx.run('vacation a\nb', bob), 'smrsh: cannot use \\n in command');
  assert.equal(fx.calls(), 0, 'nothing ran');
});

test('"|exec vacation || exit 75": vacation runs; delivered', async () => {
  fx.reset();
  const r = await fx.run('exec vacation || exit 75', bob);
  assert.equal(r.status, 'delivered', JSON.stringify(r));
  assert.equal(fx.calls(), 1);
});

test('"|exec fail75 || exit 75": temporary failure, the message stays queued', async () => {
  const r = await fx.run('exec fail75 || exit 75', bob);
  assert.equal(r.status, 'temp');
  assert.deepEqual(r.status === 'temp' && r.reply, { code: 450, enh: '4.0.0', text: 'Deferred' });
});

test('"|exec": smrsh: missing command to exec', async () => {
  refusal(await fx.run('exec', bob), 'smrsh: missing command to exec');
  refusal(await fx.run('exec   ', bob), 'smrsh: missing command to exec');
});

test('"|vacation *": the literal argument *; quotes and backslashes as sh reads them', async () => {
  fx.reset();
  assert.equal((await fx.run('vacation *', bob)).status, 'delivered');
  assert.deepEqual(fx.recorded().args, ['*']);
  fx.reset();
  assert.equal((await fx.run(`vacation 'a b' "c\\"d" e\\ f ~ [x] ''`, bob)).status, 'delivered');
  assert.deepEqual(fx.recorded().args, ['a b', 'c"d', 'e f', '~', '[x]', '']);
  refusal(await fx.run(`vacation 'open`, bob), 'smrsh: unterminated quote in command');
});

test('&& and || chain left to right; every command gets the whole message', async () => {
  fx.reset();
  assert.equal((await fx.run('vacation one && vacation two', bob)).status, 'delivered');
  assert.equal(fx.calls(), 2);
  assert.deepEqual(fx.recorded().args, ['two']);
  assert.match(fx.recorded().stdin, /^From alice@example\.com /);
  assert.ok(fx.recorded().stdin.endsWith('bye\n'));
  fx.reset();
  const r = await fx.run('fail75 && vacation never', bob);
  assert.equal(r.status, 'temp');
  assert.equal(fx.calls(), 0);
  assert.equal((await fx.run('echo hello || exit 75', bob)).status, 'delivered');
  const ex = await fx.run('exit 67', bob);
  assert.deepEqual(ex.status === 'perm' && ex.reply, { code: 550, enh: '5.1.1', text: 'User unknown' });
});

test('allowlist entries: dangling link, directory, not executable, writable, unsafe directory', async () => {
  refusal(await fx.run('dangling', bob), 'smrsh: "dangling" not available for sendmail programs (stat failed)');
  refusal(await fx.run('adir', bob), 'smrsh: "adir" not available for sendmail programs (not a file)');
  refusal(await fx.run('notexec', bob), 'smrsh: "notexec" not available for sendmail programs');
  const w = await fx.run('writable', bob);
  refusal(w, 'smrsh: "writable" not available for sendmail programs (stat failed)');
  assert.ok(w.status === 'perm' && w.log?.some((l) => l.includes('writable by group or others')), 'the log says why');
  assert.equal((await fx.run('writable', bob, { dontBlame: ['runwritableprogram'] })).status, 'delivered', 'RunWritableProgram allows it');
  refusal(await fx.run('bad/name\\x', bob), 'smrsh: "name\\x" not available for sendmail programs (stat failed)');
  refusal(await fx.run('a'.repeat(1000), bob), `smrsh: command too long: ${'a'.repeat(1000)}`);

  const unsafe = join(root.dir, 'smrsh-unsafe');
  mkdirSync(unsafe);
  chmodSync(unsafe, 0o775);
  const r = await fx.run('vacation', bob, { smrshDirectory: unsafe });
  assert.equal(r.status, 'perm');
  assert.deepEqual(r.status === 'perm' && r.reply, { code: 554, enh: '5.3.5', text: 'Local configuration error' });
  assert.equal(r.status === 'perm' && r.output, `smrsh: ${unsafe} is writable by group or others\n`);
});

test('exit statuses map to sendmail\'s sysexits texts; 71, 74, 75 are temporary', async () => {
  const table: Array<[number, 'temp' | 'perm', number, string, string]> = [
    [1, 'perm', 554, '5.3.0', 'unknown mailer error 1'],
    [64, 'perm', 500, '5.0.0', 'Command line usage error'],
    [65, 'perm', 501, '5.6.0', 'Data format error'],
    [66, 'perm', 550, '5.3.0', 'Cannot open input'],
    [67, 'perm', 550, '5.1.1', 'User unknown'],
    [68, 'perm', 550, '5.1.2', 'Host unknown'],
    [69, 'perm', 554, '5.0.0', 'Service unavailable'],
    [70, 'perm', 554, '5.3.0', 'Internal error'],
    [71, 'temp', 451, '4.0.0', 'Operating system error'],
    [72, 'perm', 554, '5.3.5', 'System file missing'],
    [73, 'perm', 550, '5.0.0', "Can't create output"],
    [74, 'temp', 451, '4.0.0', 'I/O error'],
    [75, 'temp', 450, '4.0.0', 'Deferred'],
    [76, 'perm', 554, '5.5.0', 'Remote protocol error'],
    [77, 'perm', 550, '5.0.0', 'Insufficient permission'],
    [78, 'perm', 554, '5.3.5', 'Local configuration error'],
    [100, 'perm', 554, '5.3.0', 'unknown mailer error 100'],
  ];
  const results = await Promise.all(table.map(([n]) => fx.run(`exiter ${n}`, bob)));
  table.forEach(([n, status, code, enh, text], i) => {
    const r = results[i];
    assert.equal(r.status, status, `exit ${n}`);
    assert.ok('reply' in r);
    assert.deepEqual(r.reply, { code, enh, text }, `exit ${n}`);
    assert.equal(diagnosticText(r), `${code} ${enh} ${text}`, 'nothing printed: the sysexits text');
  });
  assert.equal((await fx.run('exiter 0', bob)).status, 'delivered');
});

test('output is captured (first 4096 bytes) and its first line is the diagnostic', async () => {
  const r = await fx.run('chatter', bob);
  assert.equal(r.status, 'perm');
  if (r.status !== 'perm') return;
  assert.deepEqual(r.reply, { code: 550, enh: '5.1.1', text: 'User unknown' });
  assert.equal(r.output, 'chatter: no such mailing list\nsecond line\n');
  assert.equal(diagnosticText(r), 'chatter: no such mailing list');
  const big = await fx.run('bigout', bob);
  assert.equal(big.status === 'perm' && Buffer.byteLength(big.output ?? ''), 4096);
});

test('a program killed by a signal is a temporary failure', async () => {
  const r = await fx.run('killer', bob);
  assert.equal(r.status, 'temp');
  assert.deepEqual(r.status === 'temp' && r.reply, { code: 451, enh: '4.3.0', text: 'mailer prog died with signal 15' });
});

test('ProgTimeout kills the whole process group: 451 4.4.1 mailer prog timed out', async () => {
  const t0 = Date.now();
  const r = await fx.run('sleeper', bob, { timeoutMs: 400 });
  assert.ok(Date.now() - t0 < 5000);
  assert.equal(r.status, 'temp');
  assert.deepEqual(r.status === 'temp' && r.reply, { code: 451, enh: '4.4.1', text: 'mailer prog timed out' });
  const pid = Number(readFileSync(join(fx.out, 'child.pid'), 'utf8'));
  assert.ok(pid > 0);
  // The background `sleep 30` was in the program's process group: it is gone too.
  await new Promise((res) => setTimeout(res, 100));
  assert.equal(existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z '), false);
});
