// `postern passwd` as a process: add, change (other lines kept), delete, the file named by the
// configuration, and the refusals with their exit codes. Passwords come on stdin (--stdin).

import { spawn } from 'node:child_process';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAIN, run } from '../helpers/daemon.js';
import { parsePasswordFile } from '../../src/maps/password-file.js';
import { verifyHash } from '../../src/maps/password-hash.js';

function passwd(args: readonly string[], input = ''): ReturnType<typeof run> {
  return run(process.execPath, [MAIN, 'passwd', ...args], { input });
}

async function checks(file: string, user: string, pw: string): Promise<boolean> {
  const h = parsePasswordFile(await readFile(file, 'utf8'), file).users.get(user);
  return h !== undefined && verifyHash(Buffer.from(pw), h);
}

test('add, change and delete users; comments and other users are kept; the mode is kept', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'postern-passwd-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'passwords');
  let r = await passwd(['-f', file, '--stdin', 'alice'], 'first\n');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `${file}: added alice\n`);
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  await writeFile(file, `# mail users\n${await readFile(file, 'utf8')}`, { mode: 0o640 });
  await chmod(file, 0o640);
  r = await passwd(['-f', file, '--stdin', 'bob@example.org'], 'bobs\r\nignored second line\n');
  assert.equal(r.stdout, `${file}: added bob@example.org\n`);
  r = await passwd(['-f', file, '--stdin', 'alice'], 'second\n');
  assert.equal(r.stdout, `${file}: changed alice\n`);
  assert.equal((await stat(file)).mode & 0o777, 0o640);
  const text = await readFile(file, 'utf8');
  assert.match(text, /^# mail users\nalice:scrypt\$\S+\nbob@example\.org:scrypt\$\S+\n$/);
  assert.equal(await checks(file, 'alice', 'second'), true);
  assert.equal(await checks(file, 'alice', 'first'), false);
  assert.equal(await checks(file, 'bob@example.org', 'bobs'), true);
  r = await passwd(['-f', file, '-d', 'alice']);
  assert.equal(r.stdout, `${file}: deleted alice\n`);
  assert.match(await readFile(file, 'utf8'), /^# mail users\nbob@example\.org:scrypt\$\S+\n$/);
  r = await passwd(['-f', file, '-d', 'alice']);
  assert.equal(r.code, 67);
  assert.equal(r.stderr, `postern passwd: alice: no such user in ${file}\n`);
});

test('the file of the configuration (AuthPasswordFile), and refusals', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'postern-passwd-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'auth-users');
  const conf = join(dir, 'postern.conf');
  await writeFile(conf, `AuthPasswordFile = ${file}\n`);
  let r = await passwd(['--config', conf, '--stdin', 'carol'], 'pw\n');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(await checks(file, 'carol', 'pw'), true);

  const none = join(dir, 'none.conf');
  await writeFile(none, 'MaxHopCount = 20\n');
  r = await passwd(['--config', none, '--stdin', 'carol'], 'pw\n');
  assert.equal(r.code, 78);
  assert.equal(r.stderr, 'postern passwd: no password file: set AuthPasswordFile in the configuration or give -f FILE\n');
  r = await passwd(['-f', file, '--stdin', 'bad:name'], 'pw\n');
  assert.equal(r.code, 64);
  assert.match(r.stderr, /bad user name "bad:name"/);
  r = await passwd(['-f', file, '--stdin', 'dave'], '\n');
  assert.equal(r.code, 65);
  assert.equal(r.stderr, 'postern passwd: empty password refused\n');
  r = await passwd(['-f', file]);
  assert.equal(r.code, 64);
  assert.match(r.stderr, /USER is required/);
  await writeFile(`${file}.lock`, '');
  r = await passwd(['-f', file, '--stdin', 'erin'], 'pw\n');
  assert.equal(r.code, 75);
  assert.match(r.stderr, /\.lock exists/);
});

/** Runs `postern passwd` on a pseudo-terminal (util-linux script), typing each answer after its prompt. */
function onTerminal(args: readonly string[], answers: readonly string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const cmd = [process.execPath, MAIN, 'passwd', ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const child = spawn('script', ['-qec', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let asked = 0;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no exit; output: ${out}`));
    }, 20_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const prompts = out.split('password: ').length - 1;
      while (asked < prompts && asked < answers.length) child.stdin.write(`${answers[asked++]}\r`);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      child.stdin.destroy();
      resolve({ code, out });
    });
  });
}

test('on a terminal: asked twice without echo; a mismatch changes nothing', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'postern-passwd-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'passwords');
  const ok = await onTerminal(['-f', file, 'alice'], ['tty-secret', 'tty-secret']);
  assert.equal(ok.code, 0, ok.out);
  assert.match(ok.out, /New password: [\s\S]*Retype new password: /);
  assert.ok(!ok.out.includes('tty-secret'), `the password is not echoed: ${JSON.stringify(ok.out)}`);
  assert.equal(await checks(file, 'alice', 'tty-secret'), true);
  const bad = await onTerminal(['-f', file, 'alice'], ['one', 'two']);
  assert.equal(bad.code, 65);
  assert.match(bad.out, /the passwords do not match; nothing changed/);
  assert.equal(await checks(file, 'alice', 'tty-secret'), true);
});
