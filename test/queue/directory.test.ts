import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, chown, mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkQueueDirectory, freeSpace, Spool, SpoolSetupError, type SpoolEvent } from '../../src/queue/spool.js';
import { modeOf, sampleEnvelope, tempDir } from './helpers.js';

test('open creates a missing queue directory with mode 0700 whatever the umask', async (t) => {
  const base = await tempDir(t);
  const dir = join(base, 'var', 'spool', 'postern');
  const old = process.umask(0o002);
  try {
    const spool = await Spool.open({ dir });
    await spool.close();
  } finally {
    process.umask(old);
  }
  assert.equal(await modeOf(dir), 0o700);
  await checkQueueDirectory(dir);
});

test('queue files are 0600 at most, even when QueueFileMode asks for more', async (t) => {
  const dir = join(await tempDir(t), 'q');
  const events: SpoolEvent[] = [];
  const old = process.umask(0);
  try {
    const spool = await Spool.open({ dir, fileMode: 0o666, onEvent: (e) => events.push(e) });
    const id = spool.newId();
    const data = Buffer.from('Subject: x\r\n\r\nbody\r\n');
    await spool.commit(sampleEnvelope(id, data.length), data);
    for (const name of await readdir(dir)) assert.equal(await modeOf(join(dir, name)), 0o600, name);
    await spool.close();
  } finally {
    process.umask(old);
  }
  assert.ok(events.some((e) => e.kind === 'mode-lowered' && e.message.includes('0666') && e.message.includes('0600')));
});

async function refusal(dir: string): Promise<string> {
  try {
    await checkQueueDirectory(dir);
  } catch (err) {
    assert.ok(err instanceof SpoolSetupError);
    return err.message;
  }
  assert.fail(`${dir} was accepted`);
}

test('a queue directory writable by group or others is refused, naming path and problem', async (t) => {
  const dir = join(await tempDir(t), 'q');
  await mkdir(dir);
  await chmod(dir, 0o770);
  assert.equal(await refusal(dir), `queue directory ${dir}: is writable by group or others (mode 0770)`);
  await chmod(dir, 0o1777);
  assert.equal(await refusal(dir), `queue directory ${dir}: is writable by group or others (mode 1777)`);
  await assert.rejects(Spool.open({ dir }), SpoolSetupError);
  // Group may read and search (audit reports it); that is not a refusal.
  await chmod(dir, 0o750);
  await checkQueueDirectory(dir);
});

test('a queue directory that is a symbolic link is refused', async (t) => {
  const base = await tempDir(t);
  const real = join(base, 'real');
  await mkdir(real, { mode: 0o700 });
  const link = join(base, 'q');
  await symlink(real, link);
  assert.equal(await refusal(link), `queue directory ${link}: is a symbolic link`);
  assert.equal(await refusal(link + '/'), `queue directory ${link}/: is a symbolic link`);
  await assert.rejects(Spool.open({ dir: link }), /is a symbolic link/);
});

test('a queue directory not owned by the effective uid is refused', async (t) => {
  const base = await tempDir(t);
  const dir = join(base, 'q');
  await mkdir(dir, { mode: 0o700 });
  const euid = process.geteuid?.() ?? 0;
  if (euid === 0) {
    await chown(dir, 65534, 65534);
    assert.equal(await refusal(dir), `queue directory ${dir}: is owned by uid 65534, not by the queue owner (uid 0)`);
  } else {
    // Without root a directory cannot be given away; the root directory is somebody else's.
    assert.match(await refusal('/'), /^queue directory \/: is owned by uid 0, not by the queue owner/);
  }
});

test('a queue directory path that is a file is refused', async (t) => {
  const f = join(await tempDir(t), 'file');
  await writeFile(f, 'x');
  assert.equal(await refusal(f), `queue directory ${f}: is not a directory`);
});

test('freeSpace reports the space of the queue file system', async (t) => {
  const dir = await tempDir(t);
  const s = await freeSpace(dir);
  assert.ok(s.blockSize > 0);
  assert.equal(s.bytes, s.blocks * s.blockSize);
  assert.ok(s.bytes > 0);
});
