// The privilege split with real processes: started as root with an unprivileged RunAsUser, the daemon is
// a root master whose one child, the worker, runs as RunAsUser (uid, gid, no supplementary groups) on
// the sockets the master bound. The master restarts a worker that dies without losing the sockets,
// passes SIGTERM/SIGHUP on, ends with the worker's status, reads TLS keys only root may read for it,
// and answers whatever a worker sends (jobs as root, malformed requests) without crashing.
// Not started as root there is no master: one process, no child.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { chmod, chown, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Daemon, E2E_HOST, MAIN, postern, REPO_ROOT, removeDir, run, spawnDaemon, startDaemon, tempDaemonDir, writeDaemonConfig } from '../helpers/daemon.js';
import { RawClient } from '../helpers/raw-client.js';
import { makeSelfSignedCert } from '../helpers/tls-cert.js';
import { transaction } from './smtp.js';

const asRoot = process.geteuid?.() === 0;
const HARNESS = fileURLToPath(new URL('./fixtures/privilege-split-master.js', import.meta.url));
const PY_CLIENT = join(REPO_ROOT, 'test', 'e2e', 'fixtures', 'smtp_client.py');

interface Ids {
  uid: number[];
  gid: number[];
  groups: number[];
}

function idsIn(status: string): Ids {
  const field = (name: string): number[] =>
    (new RegExp(`^${name}:[ \\t]*(.*)$`, 'm').exec(status)?.[1] ?? '').split(/\s+/).filter((x) => x !== '').map(Number);
  return { uid: field('Uid'), gid: field('Gid'), groups: field('Groups') };
}

async function ids(pid: number): Promise<Ids> {
  return idsIn(await readFile(`/proc/${pid}/status`, 'utf8'));
}

/** Pids whose parent is `pid` (from /proc/<pid>/stat: the field after the parenthesised name). */
async function childrenOf(pid: number): Promise<number[]> {
  const out: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = await readFile(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(name));
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

/** The children of `pid` other than delivery agents (the master keeps a spare agent started from the start on). */
async function nonAgentChildrenOf(pid: number): Promise<number[]> {
  const out: number[] = [];
  for (const c of await childrenOf(pid)) {
    const cmd = await readFile(`/proc/${c}/cmdline`, 'latin1').catch(() => '');
    if (!/deliver\/agent\.js/.test(cmd)) out.push(c);
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor<T>(check: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let userCount = 0;
type Cleanup = () => Promise<unknown> | void;
type TestCtx = { after(f: Cleanup): void };
const cleanups = new WeakMap<TestCtx, Cleanup[]>();

/** Registers `f` to run after the test, before everything registered earlier (the account outlives its daemon). */
function defer(t: TestCtx, f: Cleanup): void {
  let list = cleanups.get(t);
  if (list === undefined) {
    const fresh: Cleanup[] = [];
    list = fresh;
    cleanups.set(t, fresh);
    t.after(async () => {
      for (const g of fresh.reverse()) await g();
    });
  }
  list.push(f);
}

/** A real account with a supplementary group of its own, removed after the test. */
function testUser(t: TestCtx, home: string): { name: string; uid: number; gid: number; extraGid: number } {
  const name = `postern-t-ps${process.pid % 10000}${userCount++}`;
  const extra = `${name}x`;
  execFileSync('groupadd', [extra]);
  execFileSync('useradd', ['-M', '-d', home, '-s', '/bin/sh', '-U', '-G', extra, name]);
  defer(t, () => {
    execFileSync('userdel', [name], { stdio: 'ignore' });
    execFileSync('groupdel', [extra], { stdio: 'ignore' });
  });
  const id = (flag: string, who = name): number => Number(execFileSync('id', [flag, who], { encoding: 'utf8' }).trim());
  return { name, uid: id('-u'), gid: id('-g'), extraGid: Number(execFileSync('getent', ['group', extra], { encoding: 'utf8' }).split(':')[2]) };
}

/** A daemon directory the unprivileged worker can reach, with RunAsUser set to a fresh account. */
async function splitDaemon(t: { after(f: () => Promise<unknown> | void): void }, extra: string[] = []): Promise<{ dir: string; d: Daemon; user: ReturnType<typeof testUser>; conf: string }> {
  const dir = await tempDaemonDir();
  defer(t, () => removeDir(dir));
  await chmod(dir, 0o755);
  const user = testUser(t, dir);
  const conf = await writeDaemonConfig(dir, [`RunAsUser = ${user.name}`, ...extra]);
  const d = await startDaemon({ cwd: dir, config: conf });
  defer(t, async () => {
    await d.stop();
  });
  return { dir, d, user, conf };
}

function workerOf(d: Daemon, nth = 0): number {
  const lines = d.logs.filter((l) => l.event === 'privilege' && typeof l.worker === 'number');
  const w = lines[nth]?.worker;
  if (typeof w !== 'number') throw new Error(`no worker #${nth} in the log: ${d.stdout}`);
  return w;
}

test('root master, one worker as RunAsUser: its uid and gid, no supplementary groups, the sockets the master bound', async (t) => {
  if (!asRoot) {
    // Nothing to split: the daemon is one process with no child.
    const dir = await tempDaemonDir();
    defer(t, () => removeDir(dir));
    const d = await startDaemon({ cwd: dir, config: await writeDaemonConfig(dir, ['RunAsUser = nobody']) });
    defer(t, () => d.stop());
    assert.deepEqual(await childrenOf(d.pid), []);
    return;
  }
  const { dir, d, user } = await splitDaemon(t);
  const worker = workerOf(d);
  assert.deepEqual(await nonAgentChildrenOf(d.pid), [worker]);
  const master = await ids(d.pid);
  assert.deepEqual(master.uid, [0, 0, 0, 0]);
  const w = await ids(worker);
  assert.deepEqual(w.uid, [user.uid, user.uid, user.uid, user.uid]);
  assert.deepEqual(w.gid, [user.gid, user.gid, user.gid, user.gid]);
  // Neither root's groups nor the account's own supplementary group.
  assert.deepEqual(w.groups, []);
  assert.match(await readFile(`/proc/${worker}/cmdline`, 'utf8'), /\0serve\0--worker\0/);
  // The ready line is the worker's; the master said who the worker is.
  assert.equal(d.logs.find((l) => l.event === 'ready')?.pid, worker);
  assert.ok(d.logs.some((l) => l.event === 'worker-ready' && l.pid === d.pid && l.worker === worker));
  assert.equal((await stat(join(dir, 'spool'))).uid, user.uid);

  // The master holds the listening socket but never accepts: every connection is greeted by the worker.
  for (let i = 0; i < 20; i++) {
    const c = await d.session();
    c.close();
  }
  const c = await d.session();
  await c.cmd('EHLO client.example');
  const sent = await transaction(c, 'alice@example.org', [`root@${E2E_HOST}`], 'Subject: split\r\n\r\nhi\r\n');
  assert.ok(sent.qid, sent.reply);
  await c.cmd('QUIT');
  for (const f of await readdir(join(dir, 'spool'))) assert.equal((await stat(join(dir, 'spool', f))).uid, user.uid, f);
  assert.deepEqual(await d.stop(), { code: 0, signal: null });
  assert.equal(alive(worker), false);
});

test('RunAsUser = root: no master, one process that keeps root and says so', async (t) => {
  const dir = await tempDaemonDir();
  defer(t, () => removeDir(dir));
  const d = await startDaemon({ cwd: dir, config: await writeDaemonConfig(dir, ['RunAsUser = root']) });
  defer(t, () => d.stop());
  assert.deepEqual(await childrenOf(d.pid), []);
  assert.equal(d.events('ready')[0]!.pid, d.pid);
  if (asRoot) assert.ok(d.logs.some((l) => l.event === 'privilege' && /RunAsUser is root/.test(String(l.msg))));
  assert.deepEqual(await d.stop(), { code: 0, signal: null });
});

test('kill -9 of the worker: the master restarts it on the same sockets; a connection made meanwhile is served', async (t) => {
  if (!asRoot) return;
  const { d } = await splitDaemon(t);
  const first = workerOf(d);
  process.kill(first, 'SIGKILL');
  await waitFor(() => (alive(first) ? undefined : true), 'the worker to die');
  // Nobody accepts now; the kernel queues the connection on the master's socket for the next worker.
  const meanwhile = await RawClient.connect(d.port);
  const greeting = await meanwhile.reply(10_000);
  assert.equal(greeting.code, 220);
  meanwhile.close();
  const second = workerOf(d, 1);
  assert.notEqual(second, first);
  assert.ok(d.logs.some((l) => l.event === 'worker-exit' && l.worker === first && l.signal === 'SIGKILL' && l.level === 50));
  assert.deepEqual(await nonAgentChildrenOf(d.pid), [second]);
  assert.equal(d.events('ready').length, 2);
  assert.equal(d.events('ready')[1]!.pid, second);
  const c = await d.session();
  await c.cmd('EHLO client.example');
  const sent = await transaction(c, 'alice@example.org', [`root@${E2E_HOST}`], 'Subject: after restart\r\n\r\nhi\r\n');
  assert.ok(sent.qid, sent.reply);
  await c.cmd('QUIT');
  assert.deepEqual(await d.stop(), { code: 0, signal: null });
});

test('SIGHUP and SIGTERM to the master reach the worker; the master ends with its status', async (t) => {
  if (!asRoot) return;
  const { d, conf } = await splitDaemon(t, ['SmtpGreetingMessage = $j First']);
  const worker = workerOf(d);
  await writeFile(conf, (await readFile(conf, 'utf8')).replace('$j First', '$j Second'));
  d.signal('SIGHUP');
  const reloaded = await d.waitForLog((l) => l.event === 'reloaded');
  assert.equal(reloaded.pid, worker);
  const c = await d.connect();
  assert.match(await c.text(), /^220 mx\.example\.com ESMTP Second/);
  c.close();
  d.signal('SIGTERM');
  assert.deepEqual(await d.waitExit(), { code: 0, signal: null });
  assert.ok(d.logs.some((l) => l.event === 'stopped' && l.pid === worker));
  assert.ok(d.logs.some((l) => l.event === 'worker-exit' && l.worker === worker && l.code === 0));
  assert.equal(alive(worker), false);
});

test('a SIGTERM the moment the ready line appears: exit 0', async (t) => {
  if (!asRoot) return;
  const dir = await tempDaemonDir();
  defer(t, () => removeDir(dir));
  await chmod(dir, 0o755);
  const user = testUser(t, dir);
  const d = spawnDaemon({ cwd: dir, config: await writeDaemonConfig(dir, [`RunAsUser = ${user.name}`]) });
  await d.waitForLog((l) => l.event === 'ready');
  d.signal('SIGTERM');
  assert.deepEqual(await d.waitExit(), { code: 0, signal: null });
});

test('kill -9 of the master: the worker stops by itself and frees the port', async (t) => {
  if (!asRoot) return;
  const { d } = await splitDaemon(t);
  const worker = workerOf(d);
  await d.kill9();
  await waitFor(() => (alive(worker) ? undefined : true), 'the orphaned worker to stop');
  const refused = await new Promise<string>((resolve) => {
    const s = connect(d.port, '127.0.0.1');
    s.on('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
  });
  assert.equal(refused, 'ECONNREFUSED');
  assert.ok(d.logs.some((l) => l.event === 'shutdown' && l.signal === 'master-gone' && l.pid === worker));
});

test('a TLS key only root can read: the master reads it for the worker, which offers STARTTLS', async (t) => {
  if (!asRoot) return;
  const dir = await tempDaemonDir();
  defer(t, () => removeDir(dir));
  const tls = join(dir, 'tls');
  execFileSync('mkdir', ['-m', '0700', tls]);
  const { cert, key } = makeSelfSignedCert(tls, E2E_HOST);
  await chmod(key, 0o600);
  await chmod(dir, 0o755);
  const user = testUser(t, dir);
  const d = await startDaemon({ cwd: dir, config: await writeDaemonConfig(dir, [`RunAsUser = ${user.name}`, `ServerCertFile = ${cert}`, `ServerKeyFile = ${key}`]) });
  defer(t, () => d.stop());
  const job = { port: d.port, starttls: true, messages: [] };
  const r = await run('python3', [PY_CLIENT], { input: JSON.stringify(job) });
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { starttls: [number, string]; tls_version: string };
  assert.deepEqual(out.starttls, [220, '2.0.0 Ready to start TLS']);
  assert.match(out.tls_version, /^TLSv1\.[23]$/);
  assert.equal(d.logs.filter((l) => /STARTTLS not offered/.test(String(l.msg))).length, 0);
  // And it survives a reload, read again through the master.
  d.signal('SIGHUP');
  await d.waitForLog((l) => l.event === 'reloaded' || l.event === 'reload-failed');
  assert.equal(d.events('reload-failed').length, 0);
  assert.equal(d.logs.filter((l) => /STARTTLS not offered/.test(String(l.msg))).length, 0);
});

test('a start-up error only the worker sees ends the master with the worker status', async (t) => {
  if (!asRoot) return;
  const dir = await tempDaemonDir();
  defer(t, () => removeDir(dir));
  await chmod(dir, 0o755);
  const user = testUser(t, dir);
  const conf = await writeDaemonConfig(dir, [`RunAsUser = ${user.name}`]);
  // An alias file writable by its group: the worker's file-safety check refuses it.
  await chmod(join(dir, 'aliases'), 0o664);
  const d = spawnDaemon({ cwd: dir, config: conf });
  assert.deepEqual(await d.waitExit(), { code: 78, signal: null });
  assert.match(d.stderr, /aliases.*unsafe alias file: mode 0664 is writable by its group/);
  assert.equal(d.events('ready').length, 0);
  assert.ok(d.logs.some((l) => l.event === 'worker-exit' && l.code === 78));
});

/** The real master with the stand-in worker of fixtures/privilege-split-worker.ts. */
async function harness(t: TestCtx, mode: string, extra: string[] = []): Promise<{ d: Daemon; dir: string }> {
  const dir = await tempDaemonDir();
  defer(t, () => removeDir(dir));
  await chmod(dir, 0o755);
  const conf = await writeDaemonConfig(dir, ['RunAsUser = nobody', ...extra]);
  const d = new Daemon(spawn(process.execPath, [HARNESS, conf, mode], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }), dir);
  defer(t, async () => {
    if (!d.hasExited) await d.stop();
  });
  return { d, dir };
}

test('a worker that asks for root or sends malformed requests gets refusals and errors; the master carries on and runs what is allowed', async (t) => {
  if (!asRoot) return;
  const base = await tempDaemonDir();
  defer(t, () => removeDir(base));
  await chmod(base, 0o755);
  const user = testUser(t, base);
  await writeFile(join(base, '.forward'), 'alice@example.org\n');
  await chown(join(base, '.forward'), user.uid, user.gid);
  const mail = join(base, 'mail');
  const smrsh = join(base, 'smrsh');
  execFileSync('mkdir', ['-m', '1777', mail]);
  execFileSync('mkdir', ['-m', '0755', smrsh]);
  const identity = { name: user.name, uid: user.uid, gid: user.gid, home: base, shell: '/bin/sh' };
  const { d } = await harness(t, `requests:${Buffer.from(JSON.stringify(identity)).toString('base64')}`, [
    `MailSpoolDirectory = ${mail}`,
    `SmrshDirectory = ${smrsh}`,
    'MailboxFormat = mbox',
  ]);
  const hello = await d.waitForLog((l) => l.event === 'fake-hello');
  const fake = idsIn(String(hello.status));
  assert.deepEqual(fake.uid, [65534, 65534, 65534, 65534]);
  assert.deepEqual(fake.groups, []);
  const done = await d.waitForLog((l) => l.event === 'fake-done', 30_000);
  const replies = done.replies as Record<string, Record<string, unknown>>;
  assert.deepEqual(replies.programAsUid0, { t: 'result', id: 1, result: { status: 'perm', reply: { code: 554, enh: '5.3.0', text: 'refusing to deliver as root (nobody)' } } });
  assert.deepEqual(replies.readShadowAsRoot!.result, { status: 'perm', reply: { code: 554, enh: '5.3.0', text: 'refusing to deliver as root (root)' } });
  assert.deepEqual(replies.unknownKind, { t: 'error', error: 'kind: "shell" is not a job kind' });
  assert.equal(replies.missingFields!.t, 'error');
  assert.match(String(replies.missingFields!.error), /^as: expected an identity$/);
  assert.deepEqual(replies.shadow, { t: 'file', id: 5, ok: false, error: "/etc/shadow: not a TLS file of the master's configuration" });
  const anonymous = done.anonymous as Array<Record<string, unknown>>;
  assert.deepEqual(
    anonymous.map((a) => [a.t, a.id]),
    [
      ['error', null],
      ['error', null],
      ['error', null],
    ],
  );
  assert.equal(d.logs.filter((l) => l.event === 'job-refused').length, 3);

  // The well-formed jobs after all that were run by agents as the account, with the master's policy.
  const read = replies.readForward!.result as { status: string; read: { status: string; content?: string } };
  assert.equal(read.status, 'read');
  assert.equal(read.read.status, 'ok', JSON.stringify(read));
  assert.equal(read.read.content, 'alice@example.org\n');
  assert.equal((replies.mailbox!.result as { status: string }).status, 'delivered', JSON.stringify(replies.mailbox));
  const mbox = join(mail, user.name);
  const st = await stat(mbox);
  assert.equal(st.uid, user.uid);
  assert.match(await readFile(mbox, 'utf8'), /^From a@example\.org .*\nSubject: via the master\n\nhello\n/s);
  assert.equal(await stat(`/etc/${user.name}`).then(() => 'exists', () => 'absent'), 'absent');
  // Root's own mailbox, as root; uid 0 under the account's name is not root's account.
  assert.equal((replies.mailboxAsRoot!.result as { status: string }).status, 'delivered', JSON.stringify(replies.mailboxAsRoot));
  assert.equal((await stat(join(mail, 'root'))).uid, 0);
  assert.deepEqual(replies.mailboxImpostor!.result, {
    status: 'temp',
    reply: { code: 451, enh: '4.3.0', text: `${user.name}: not the account of that name in the password database` },
  });
  assert.equal((replies.readRootForward!.result as { status: string }).status, 'read');
  // The worker named /bin as the smrsh directory; the master's (empty) one applies, so sh is refused.
  const prog = replies.programOutsideSmrsh!.result as { status: string; output?: string };
  assert.equal(prog.status, 'perm', JSON.stringify(prog));
  assert.match(String(prog.output), /^smrsh: "sh" not available for sendmail programs/);

  assert.ok(alive(d.pid));
  assert.deepEqual(await d.stop(), { code: 0, signal: null });
  assert.ok(d.logs.some((l) => l.event === 'fake-stop'));
});

test('a worker that sends a length the master cannot frame is killed and replaced', async (t) => {
  if (!asRoot) return;
  const markers = await tempDaemonDir();
  defer(t, () => removeDir(markers));
  await chmod(markers, 0o777);
  const { d } = await harness(t, `garbage-once:${markers}`);
  await d.waitForLog((l) => l.event === 'fake-behaves');
  const [first, second] = d.events('fake-hello').map((l) => Number(l.pid));
  assert.notEqual(first, second);
  assert.ok(d.logs.some((l) => l.event === 'worker-channel' && /frame header of 4294967295 bytes exceeds/.test(String(l.reason))));
  assert.ok(d.logs.some((l) => l.event === 'worker-exit' && l.worker === first && l.signal === 'SIGKILL'));
  assert.ok(alive(d.pid));
  assert.deepEqual(await d.stop(), { code: 0, signal: null });
});

test('serve --worker by hand: refused as root, and without the master channel', async () => {
  const r = await postern(['serve', '--worker']);
  assert.equal(r.code, 64);
  if (asRoot) assert.match(r.stderr, /^postern: serve --worker is started by the master as RunAsUser, never as root$/m);
  else assert.match(r.stderr, /^postern: serve --worker needs the master's channel on fd 3; it is started by the master, not by hand$/m);
  if (asRoot) {
    const asNobody = await run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, MAIN, 'serve', '--worker']);
    assert.equal(asNobody.code, 64);
    assert.match(asNobody.stderr, /needs the master's channel on fd 3/);
  }
});
