// The control socket: a real Unix socket, real clients in other processes and as other users. The
// daemon learns who is calling from the kernel (SO_PEERCRED), never from the request.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ControlServer, ControlSetupError, type ControlLog } from '../../src/control/server.js';
import { ControlRegistry } from '../../src/control/registry.js';
import { callControl, ControlClient, ControlUnavailable } from '../../src/control/client.js';
import { TestAccounts } from '../deliver/helpers.js';
import { startDaemon, tempDaemonDir, removeDir, writeDaemonConfig } from '../helpers/daemon.js';

const CLIENT = fileURLToPath(new URL('../../src/control/client.js', import.meta.url));

const quiet: ControlLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

class Sink {
  text = '';
  write(chunk: string): void {
    this.text += chunk;
  }
}

function io(): { stdout: Sink; stderr: Sink } {
  return { stdout: new Sink(), stderr: new Sink() };
}

async function withServer(registry: ControlRegistry, fn: (path: string, dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'postern-control-'));
  const server = new ControlServer({ path: join(dir, 'run', 'control.sock'), registry, log: quiet, maxBody: () => 1024 * 1024 });
  try {
    await server.listen();
    await fn(server.path, dir);
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function whoamiRegistry(): ControlRegistry {
  return new ControlRegistry().register('whoami', (req, reply) => {
    reply.out('stdout', `hello ${req.peer.uid}\n`);
    reply.done(0, { uid: req.peer.uid, gid: req.peer.gid, groups: req.peer.groups, claimed: req.header['uid'] ?? null });
  });
}

/** Runs a client in a child process as a user with that user's groups (setpriv); returns its done frame. */
function childCall(path: string, header: object, uid: number, gid: number): Promise<Record<string, unknown>> {
  const script = `import { callControl } from ${JSON.stringify(CLIENT)};
const done = await callControl(${JSON.stringify(path)}, ${JSON.stringify(header)}, undefined, { stdout: process.stderr, stderr: process.stderr });
process.stdout.write(JSON.stringify(done));`;
  return new Promise((resolve, reject) => {
    const argv = [`--reuid=${uid}`, `--regid=${gid}`, '--init-groups', process.execPath, '--input-type=module', '-e', script];
    const child = spawn('setpriv', argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`client exited ${code}: ${err}`));
      else resolve(JSON.parse(out) as Record<string, unknown>);
    });
  });
}

test('the socket is open to everyone (0666) and the caller is known from the kernel', async () => {
  await withServer(whoamiRegistry(), async (path) => {
    assert.equal((await stat(path)).mode & 0o777, 0o666);
    const out = io();
    const done = await callControl(path, { kind: 'whoami', uid: 0 }, undefined, out);
    assert.equal(done.exit, 0);
    assert.equal(done['uid'], process.getuid!());
    assert.equal(out.stdout.text, `hello ${process.getuid!()}\n`);
  });
});

test('an unprivileged caller is seen with its own uid, gid and groups whatever it claims', async (t) => {
  const accounts = new TestAccounts();
  t.after(() => accounts.cleanup());
  const extra = accounts.group();
  const dir = await mkdtemp(join(tmpdir(), 'postern-control-home-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await chmod(dir, 0o755);
  const alice = accounts.user(dir, { groups: [extra.name] });
  await withServer(whoamiRegistry(), async (path, sdir) => {
    await chmod(sdir, 0o755);
    const done = await childCall(path, { kind: 'whoami', uid: 0 }, alice.uid, alice.gid);
    assert.equal(done['uid'], alice.uid);
    assert.equal(done['gid'], alice.gid);
    assert.equal(done['claimed'], 0);
    // The supplementary groups come from the kernel too (SO_PEERGROUPS): what mailq's group rule needs.
    assert.ok((done['groups'] as number[]).includes(extra.gid), JSON.stringify(done));
  });
});

test('an unknown kind is answered 69 with a message; the server keeps serving', async () => {
  await withServer(whoamiRegistry(), async (path) => {
    const out = io();
    const done = await callControl(path, { kind: 'frobnicate' }, undefined, out);
    assert.equal(done.exit, 69);
    assert.equal(out.stderr.text, 'postern: the running daemon does not handle "frobnicate" requests\n');
    assert.equal((await callControl(path, { kind: 'whoami' }, undefined, io())).exit, 0);
  });
});

test('a handler that throws gives exit 70, not a hung client', async () => {
  const reg = new ControlRegistry().register('boom', () => Promise.reject(new Error('broken')));
  await withServer(reg, async (path) => {
    const out = io();
    const done = await callControl(path, { kind: 'boom' }, undefined, out);
    assert.equal(done.exit, 70);
    assert.equal(out.stderr.text, 'postern: internal error in the daemon\n');
  });
});

test('a request body arrives as bytes; one over the limit ends the connection', async () => {
  const reg = new ControlRegistry().register('echo', (req, reply) => reply.done(0, { size: req.body?.length ?? 0, nul: req.body?.includes(0) ?? false }));
  await withServer(reg, async (path) => {
    const body = Buffer.concat([Buffer.from('a\r\n'), Buffer.from([0, 0xff]), Buffer.alloc(1000, 0x41)]);
    const done = await callControl(path, { kind: 'echo' }, body, io());
    assert.deepEqual([done.exit, done['size'], done['nul']], [0, body.length, true]);
    const big = await callControl(path, { kind: 'echo' }, Buffer.alloc(1024 * 1024 + 1), io());
    assert.equal(big.exit, 64);
    assert.match(String(big['error']), /exceeds/);
  });
});

test('takeOver: bytes written right after the switch reach the client as the stream, in both directions', async () => {
  const reg = new ControlRegistry().register('bs', (_req, reply) => {
    const { socket } = reply.takeOver();
    socket.write('220 greeting\r\n');
    socket.on('data', (d: Buffer) => socket.end(`echo ${d.toString()}`));
  });
  await withServer(reg, async (path) => {
    const c = await ControlClient.connect(path);
    c.send({ kind: 'bs' });
    assert.deepEqual(await c.next(), { type: 'raw' });
    const sock = c.rawSocket();
    let got = '';
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      got += d;
      if (got === '220 greeting\r\n') sock.write('QUIT');
    });
    sock.resume();
    await new Promise((r) => sock.on('close', r));
    assert.equal(got, '220 greeting\r\necho QUIT');
  });
});

/** A socket file left behind by a process killed with SIGKILL (nothing listens on it any more). */
async function staleSocket(path: string): Promise<void> {
  const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((r) => child.stdout.once('data', r));
  child.kill('SIGKILL');
  await new Promise((r) => child.on('exit', r));
}

test('a stale socket is replaced; a live one or another file is left alone', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'postern-control-'));
  try {
    const path = join(dir, 'control.sock');
    const live = createServer();
    await new Promise<void>((r) => live.listen(path, r));
    const second = new ControlServer({ path, registry: whoamiRegistry(), log: quiet, maxBody: () => 1024 });
    await assert.rejects(second.listen(), (e: Error) => e instanceof ControlSetupError && /another daemon is listening/.test(e.message));
    await new Promise<void>((r) => live.close(() => r()));

    await staleSocket(path);
    assert.ok((await stat(path)).isSocket());
    const fresh = new ControlServer({ path, registry: whoamiRegistry(), log: quiet, maxBody: () => 1024 });
    await fresh.listen();
    assert.equal((await callControl(path, { kind: 'whoami' }, undefined, io())).exit, 0);
    await fresh.close();

    const file = join(dir, 'plain');
    await writeFile(file, 'not a socket');
    const onFile = new ControlServer({ path: file, registry: whoamiRegistry(), log: quiet, maxBody: () => 1024 });
    await assert.rejects(onFile.listen(), /exists and is not a socket/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('no daemon: the client gets ControlUnavailable with the errno code', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'postern-control-'));
  try {
    await assert.rejects(callControl(join(dir, 'none.sock'), { kind: 'whoami' }, undefined, io()), (e: Error) => e instanceof ControlUnavailable && e.code === 'ENOENT');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the daemon listens on its ControlSocket and answers whoami', async () => {
  const dir = await tempDaemonDir();
  try {
    const conf = await writeDaemonConfig(dir);
    const d = await startDaemon({ cwd: dir, config: conf });
    try {
      const path = join(dir, 'run', 'control.sock');
      assert.equal((await stat(path)).mode & 0o777, 0o666);
      const done = await callControl(path, { kind: 'whoami' }, undefined, io());
      assert.equal(done['uid'], process.getuid!());
    } finally {
      await d.stop();
    }
    await assert.rejects(stat(join(dir, 'run', 'control.sock')), /ENOENT/);
  } finally {
    await removeDir(dir);
  }
});
