// The master's side of the channel against the worker's DeliveryService, over a real Unix socket:
// jobs reach the agent service checked and with the master's policy, message bytes arrive intact,
// refusals and malformed requests are answered (never a crash), and TLS files are served only when the
// master's configuration names them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { AgentJob, AgentResult, DeliveryService } from '../../src/deliver/agent-protocol.js';
import { FramedChannel } from '../../src/deliver/ipc-channel.js';
import { IpcClient } from '../../src/deliver/ipc-client.js';
import { encodeFrame } from '../../src/deliver/ipc-frame.js';
import { MASTER_LIMITS, MAX_JOBS_IN_FLIGHT, WORKER_LIMITS } from '../../src/deliver/ipc-protocol.js';
import { IpcDeliveryService } from '../../src/deliver/ipc-service.js';
import type { JobPolicy } from '../../src/daemon/master-job-check.js';
import { MasterJobs } from '../../src/daemon/master-jobs.js';
import { parsePasswd } from '../../src/maps/users.js';

const POLICY: JobPolicy = {
  mailSpoolDirectory: '/var/mail',
  mailboxFormat: 'mbox',
  maildirPath: '$z/Maildir',
  safeFileEnvironment: undefined,
  tempFileMode: 0o600,
  dontBlame: [],
  smrshDirectory: '/etc/mail/smrsh',
  smrshPath: '/usr/bin:/bin',
  progTimeoutMs: 600_000,
  fileOpenTimeoutMs: 60_000,
  forwardPath: ['$z/.forward'],
  shortHost: 'mx',
};
const ACCOUNTS = parsePasswd('root:x:0:0:root:/root:/bin/sh\nalice:x:1001:1001::/home/alice:/bin/sh\n', '/etc/passwd');
const alice = { name: 'alice', uid: 1001, gid: 1001, home: '/home/alice', shell: '/bin/sh' };
const meta = { id: 'Q1', sender: '', recipient: 'alice@example.com', created: 1 };

interface Seen {
  job: AgentJob;
  message: Buffer | undefined;
}

/** Records what reaches it; answers after `gate` (if any) resolves. */
class RecordingAgents implements DeliveryService {
  readonly seen: Seen[] = [];
  gate: Promise<void> | undefined;
  fail = false;
  async run(job: AgentJob, message?: Buffer): Promise<AgentResult> {
    this.seen.push({ job, message });
    if (this.gate !== undefined) await this.gate;
    if (this.fail) throw new Error('spawn EAGAIN');
    return { status: 'delivered', detail: `${message?.length ?? 'none'}` };
  }
}

interface Pair {
  agents: RecordingAgents;
  delivery: IpcDeliveryService;
  client: IpcClient;
  raw: Socket;
  logs: Array<Record<string, unknown>>;
  closedMaster: Promise<string | undefined>;
  unsolicited: Array<Record<string, unknown>>;
}

async function pair(t: { after(f: () => Promise<void> | void): void }, opts: { maxInFlight?: number; tlsFiles?: string[] } = {}): Promise<Pair> {
  const dir = await mkdtemp(join(tmpdir(), 'postern-ipc-'));
  const path = join(dir, 'sock');
  const agents = new RecordingAgents();
  const logs: Array<Record<string, unknown>> = [];
  const log = pino(
    { level: 'info' },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n')) if (line !== '') logs.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    }),
  );
  let closedMaster!: (r: string | undefined) => void;
  const closed = new Promise<string | undefined>((r) => (closedMaster = r));
  const server = createServer((sock) => {
    const jobs = new MasterJobs(new FramedChannel(sock, MASTER_LIMITS), {
      agents,
      view: () => Promise.resolve({ policy: POLICY, tlsFiles: new Set(opts.tlsFiles ?? []) }),
      accounts: () => Promise.resolve(ACCOUNTS),
      log,
      ...(opts.maxInFlight !== undefined ? { maxInFlight: opts.maxInFlight } : {}),
      started: () => undefined,
      ready: () => undefined,
    });
    jobs.serve(closedMaster);
  });
  await new Promise<void>((r) => server.listen(path, r));
  const raw = connect(path);
  await new Promise<void>((r) => raw.once('connect', r));
  const unsolicited: Array<Record<string, unknown>> = [];
  const client = new IpcClient(new FramedChannel(raw, WORKER_LIMITS), { unsolicited: (h) => unsolicited.push(h), closed: () => undefined });
  t.after(async () => {
    client.close();
    await new Promise<void>((r) => server.close(() => r()));
    await rm(dir, { recursive: true, force: true });
  });
  return { agents, delivery: new IpcDeliveryService(client), client, raw, logs, closedMaster: closed, unsolicited };
}

test('a job reaches the agents checked, with the master policy and the exact message bytes', async (t) => {
  const p = await pair(t);
  const message = Buffer.alloc(3 << 20);
  for (let i = 0; i < message.length; i++) message[i] = (i * 7) & 0xff;
  const job: AgentJob = { kind: 'program', command: 'vacation', as: alice, smrshDirectory: '/bin', smrshPath: '/', timeoutMs: 1, dontBlame: [], meta };
  assert.deepEqual(await p.delivery.run(job, message), { status: 'delivered', detail: String(message.length) });
  assert.equal(p.agents.seen.length, 1);
  assert.deepEqual(p.agents.seen[0]!.job, { ...job, smrshDirectory: '/etc/mail/smrsh', smrshPath: '/usr/bin:/bin', timeoutMs: 600_000 });
  assert.ok(p.agents.seen[0]!.message!.equals(message));
  // An empty message is a message; a read job has none.
  assert.deepEqual(await p.delivery.run({ kind: 'file', path: '/tmp/f', as: alice, safeFileEnvironment: undefined, tempFileMode: 0o600, dontBlame: [], meta }, Buffer.alloc(0)), {
    status: 'delivered',
    detail: '0',
  });
  assert.deepEqual(await p.delivery.run({ kind: 'read', path: '/home/alice/.forward', as: alice, timeoutMs: 1 }), { status: 'delivered', detail: 'none' });
});

test('a program as root is refused by the master and never reaches the agents', async (t) => {
  const p = await pair(t);
  const root = { name: 'root', uid: 0, gid: 0, home: '/root', shell: '/bin/sh' };
  const r = await p.delivery.run({ kind: 'program', command: 'id', as: root, smrshDirectory: '/bin', smrshPath: '/bin', timeoutMs: 1, dontBlame: [], meta }, Buffer.from('x'));
  assert.deepEqual(r, { status: 'perm', reply: { code: 554, enh: '5.3.0', text: 'refusing to deliver as root (root)' } });
  assert.equal(p.agents.seen.length, 0);
  assert.ok(p.logs.some((l) => l.event === 'job-refused' && l.level === 40));
  // Root's own mailbox goes through.
  assert.deepEqual(await p.delivery.run({ kind: 'mailbox', user: root, spoolDir: '/x', format: 'mbox', maildir: 'M', meta }, Buffer.from('x')), { status: 'delivered', detail: '1' });
});

test('malformed requests get error replies and the master keeps serving', async (t) => {
  const p = await pair(t);
  const replies: Array<Record<string, unknown>> = [];
  const expect = async (n: number): Promise<void> => {
    const deadline = Date.now() + 5000;
    while (p.unsolicited.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    replies.push(...p.unsolicited.splice(0));
  };
  const junk = Buffer.from('\x00{"t":');
  const prefix = Buffer.alloc(8);
  prefix.writeUInt32BE(junk.length, 0);
  p.raw.write(Buffer.concat([prefix, junk]));
  p.raw.write(encodeFrame([1, 2, 3]));
  p.raw.write(encodeFrame({ t: 'exec', id: 7, argv: ['/bin/sh'] }));
  p.raw.write(encodeFrame({ t: 'job', id: 'one', job: {} }));
  p.raw.write(encodeFrame({ t: 'job', id: 8, job: { kind: 'shell' }, message: false }));
  p.raw.write(encodeFrame({ t: 'job', id: 9, job: { kind: 'read', path: '/x', as: alice, timeoutMs: 1 }, message: false }, Buffer.from('body')));
  p.raw.write(encodeFrame({ t: 'job', id: 10, job: { kind: 'read', path: '/x', as: alice, timeoutMs: 1 }, message: 'yes' }));
  await expect(7);
  // Job requests are answered when checked, which may overtake the ones before them.
  const byId = new Map(replies.filter((r) => r.id !== null).map((r) => [r.id, r]));
  const anonymous = replies.filter((r) => r.id === null);
  assert.ok(replies.every((r) => r.t === 'error'));
  assert.deepEqual([...byId.keys()].map(Number).sort((a, b) => a - b), [7, 8, 9, 10]);
  assert.equal(anonymous.length, 3);
  assert.match(String(anonymous[0]!.error), /^header is not JSON/);
  assert.equal(anonymous[1]!.error, 'request: expected an object');
  assert.equal(anonymous[2]!.error, 'job request without a valid id');
  assert.equal(byId.get(7)!.error, 'unknown request "exec"');
  assert.equal(byId.get(8)!.error, 'kind: "shell" is not a job kind');
  assert.equal(byId.get(9)!.error, 'job request: a body but no message');
  assert.equal(byId.get(10)!.error, 'job request: message must be true or false');
  assert.equal(p.agents.seen.length, 0);
  // Still serving.
  assert.deepEqual(await p.delivery.run({ kind: 'read', path: '/home/alice/.forward', as: alice, timeoutMs: 1 }), { status: 'delivered', detail: 'none' });
});

test('jobs beyond the in-flight limit, and jobs the agents fail, are temporary failures', async (t) => {
  const p = await pair(t, { maxInFlight: 2 });
  let open!: () => void;
  p.agents.gate = new Promise<void>((r) => (open = r));
  const read = { kind: 'read', path: '/home/alice/.forward', as: alice, timeoutMs: 1 } as const;
  const first = [p.delivery.run(read), p.delivery.run(read)];
  const third = await p.delivery.run(read);
  assert.deepEqual(third, { status: 'read', read: { status: 'transient', reason: 'delivery agent unavailable: more than 2 jobs in flight' } });
  open();
  assert.deepEqual(await Promise.all(first), [
    { status: 'delivered', detail: 'none' },
    { status: 'delivered', detail: 'none' },
  ]);
  p.agents.gate = undefined;
  p.agents.fail = true;
  assert.deepEqual(await p.delivery.run({ kind: 'file', path: '/tmp/f', as: alice, safeFileEnvironment: undefined, tempFileMode: 0o600, dontBlame: [], meta }, Buffer.from('x')), {
    status: 'temp',
    reply: { code: 451, enh: '4.3.0', text: 'delivery agent unavailable: agent failed: spawn EAGAIN' },
  });
});

test('the worker keeps its jobs within the master\'s in-flight limit: the rest wait, none is refused', async (t) => {
  const p = await pair(t);
  let open!: () => void;
  p.agents.gate = new Promise<void>((r) => (open = r));
  const read = { kind: 'read', path: '/home/alice/.forward', as: alice, timeoutMs: 1 } as const;
  const all = Array.from({ length: MAX_JOBS_IN_FLIGHT + 36 }, () => p.delivery.run(read));
  // Let the requests that were sent reach the master.
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(p.agents.seen.length, MAX_JOBS_IN_FLIGHT);
  open();
  for (const r of await Promise.all(all)) assert.deepEqual(r, { status: 'delivered', detail: 'none' });
  assert.equal(p.agents.seen.length, MAX_JOBS_IN_FLIGHT + 36);
});

test('a job in flight when the channel ends is a temporary failure', async (t) => {
  const p = await pair(t);
  p.agents.gate = new Promise<void>(() => undefined);
  const pending = p.delivery.run({ kind: 'file', path: '/tmp/f', as: alice, safeFileEnvironment: undefined, tempFileMode: 0o600, dontBlame: [], meta }, Buffer.from('x'));
  while (p.agents.seen.length === 0) await new Promise((r) => setTimeout(r, 5));
  p.client.close();
  const r = await pending;
  assert.equal(r.status, 'temp');
  assert.match((r as { reply: { text: string } }).reply.text, /^delivery agent unavailable: the master is gone/);
  assert.equal(await p.closedMaster, undefined);
});

test('TLS files are read for the worker only when the configuration names them', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'postern-ipc-tls-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const key = join(dir, 'key.pem');
  await writeFile(key, '-----BEGIN PRIVATE KEY-----\n', { mode: 0o600 });
  const p = await pair(t, { tlsFiles: [key] });
  const served = await p.client.request({ t: 'file', path: key });
  assert.ok(served.ok && served.header.ok === true);
  assert.equal(served.body?.toString(), '-----BEGIN PRIVATE KEY-----\n');
  const refused = await p.client.request({ t: 'file', path: '/etc/shadow' });
  assert.ok(refused.ok);
  assert.deepEqual(refused.header, { t: 'file', id: refused.header.id, ok: false, error: "/etc/shadow: not a TLS file of the master's configuration" });
  const missing = await pair(t, { tlsFiles: [join(dir, 'gone.pem')] });
  const r = await missing.client.request({ t: 'file', path: join(dir, 'gone.pem') });
  assert.ok(r.ok && r.header.ok === false);
  assert.match(String(r.header.error), /ENOENT/);
});

test('a length the master cannot frame closes the channel', async (t) => {
  const p = await pair(t);
  const prefix = Buffer.alloc(8);
  prefix.writeUInt32BE(MASTER_LIMITS.maxHeader + 1, 0);
  p.raw.write(prefix);
  assert.match(String(await p.closedMaster), /^frame header of \d+ bytes exceeds/);
});
