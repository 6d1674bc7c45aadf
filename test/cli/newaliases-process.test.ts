// newaliases as a real process, run by root, by an untrusted user, by TrustedUser and (embedded mode)
// by the owner of the queue directory (aliases-forward.md §3 steps 1 and 5, cli.md §8 `sendmail -bi`).

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chown, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SPEC_VALUES, Site, summary } from './newaliases-fixture.js';

const CMD = fileURLToPath(new URL('../../src/cli/newaliases-cmd.js', import.meta.url));
const NOBODY = 65534;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: readonly string[], as?: { uid: number; gid: number }, cwd = '/'): Promise<Run> {
  const argv = as === undefined ? [process.execPath, CMD, ...args] : ['setpriv', `--reuid=${as.uid}`, `--regid=${as.gid}`, '--clear-groups', process.execPath, CMD, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function withSite(fn: (s: Site) => Promise<void>, extra?: readonly string[]): Promise<void> {
  const s = await Site.create(undefined, extra);
  try {
    await fn(s);
  } finally {
    await s.cleanup();
  }
}

const LOOP_WARNING = (file: string): string => `${file}: line 9: Warning: alias loop: loop1 -> loop2 -> loop1\n`;

test('root: the §10 file builds, exit 0', () =>
  withSite(async (s) => {
    const r = await run(['--config', s.conf]);
    assert.deepEqual(r, { code: 0, stdout: `${summary(s.aliases, SPEC_VALUES)}\n`, stderr: LOOP_WARNING(s.aliases) });
  }));

test('an untrusted user: Permission denied (real uid not trusted), exit 77, nothing changed', () =>
  withSite(async (s) => {
    const r = await run(['--config', s.conf], { uid: NOBODY, gid: NOBODY });
    assert.deepEqual(r, { code: 77, stdout: '', stderr: 'Permission denied (real uid not trusted)\n' });
    await assert.rejects(stat(`${s.aliases}.db`));
  }));

const trustedName = `postern-t-${process.pid}`;
let trustedCreated = false;
after(() => {
  if (trustedCreated) execFileSync('userdel', [trustedName]);
});

test('TrustedUser may run it: the database belongs to TrustedUser and the alias file’s group', async () => {
  execFileSync('useradd', ['-M', '-d', '/nonexistent', '-s', '/bin/sh', trustedName]);
  trustedCreated = true;
  const uid = Number(execFileSync('id', ['-u', trustedName]).toString());
  const gid = Number(execFileSync('id', ['-g', trustedName]).toString());
  await withSite(
    async (s) => {
      // TrustedUser may own the directory it writes the database into, and the file's group is its own.
      await chown(join(s.dir, 'etc'), uid, gid);
      await chown(s.aliases, 0, gid);
      const r = await run(['--config', s.conf], { uid, gid });
      assert.deepEqual(r, { code: 0, stdout: `${summary(s.aliases, SPEC_VALUES)}\n`, stderr: LOOP_WARNING(s.aliases) });
      const st = await stat(`${s.aliases}.db`);
      assert.deepEqual([st.mode & 0o7777, st.uid, st.gid], [0o640, uid, gid]);
      // Anyone else is still refused.
      const other = await run(['--config', s.conf], { uid: NOBODY, gid: NOBODY });
      assert.equal(other.code, 77);
    },
    [`TrustedUser = ${trustedName}`],
  );
});

test('embedded mode: the owner of the queue directory may run it; others may not', () =>
  withSite(async (s) => {
    const spool = join(s.dir, 'spool');
    await mkdir(spool, { mode: 0o700 });
    const args = ['-O', `AliasFile=${s.aliases}`, '-O', 'DontBlameSendmail=TrustStickyBit', '-O', `SmrshDirectory=${join(s.dir, 'smrsh')}`, '-O', 'DontProbeInterfaces=True'];
    // ./spool is root's: nobody is not trusted.
    const refused = await run(args, { uid: NOBODY, gid: NOBODY }, s.dir);
    assert.equal(refused.code, 77);
    await chown(spool, NOBODY, NOBODY);
    await chown(join(s.dir, 'etc'), NOBODY, NOBODY);
    await chown(s.aliases, 0, NOBODY);
    const r = await run(args, { uid: NOBODY, gid: NOBODY }, s.dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^${s.aliases}: 13 aliases, `));
    const st = await stat(`${s.aliases}.db`);
    assert.deepEqual([st.mode & 0o7777, st.uid, st.gid], [0o640, NOBODY, NOBODY]);
  }));
