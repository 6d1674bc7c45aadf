// newaliases through its command function (aliases-forward.md §3 and the §10 rows; the dangerous
// entries of §9): output, exit status, and the database it installs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, chown, mkdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readAliasDb } from '../../src/maps/alias-db-read.js';
import { SPEC_ALIASES, SPEC_VALUES, Site, summary } from './newaliases-fixture.js';

async function withSite(fn: (s: Site) => Promise<void>, aliases?: string, extra?: readonly string[]): Promise<void> {
  const s = await Site.create(aliases, extra);
  try {
    await fn(s);
  } finally {
    await s.cleanup();
  }
}

const LOOP_WARNING = (file: string): string => `${file}: line 9: Warning: alias loop: loop1 -> loop2 -> loop1`;

async function dbValues(path: string): Promise<Array<[string, string]>> {
  const r = await readAliasDb(path);
  assert.ok(r.status === 'ok', `database ${path}: ${r.status}`);
  return [...r.db.names()].map((n) => [n, r.db.get(n)!.v]);
}

test('§10 newaliases: one summary line, exit 0, the database with all 13 entries (0640, root, the file’s group)', () =>
  withSite(async (s) => {
    await chown(s.aliases, 0, 41002);
    const r = await s.run();
    assert.equal(r.code, 0);
    assert.equal(r.stdout, `${summary(s.aliases, SPEC_VALUES)}\n`);
    assert.match(r.stdout, new RegExp(`^${s.aliases}: 13 aliases, longest 48 bytes, \\d+ bytes total\\n$`));
    // The loop is reported (issue 4) but is not an error; vacation is in the smrsh directory.
    assert.equal(r.stderr, `${LOOP_WARNING(s.aliases)}\n`);
    assert.deepEqual(await dbValues(`${s.aliases}.db`), SPEC_VALUES);
    const st = await stat(`${s.aliases}.db`);
    assert.deepEqual([st.mode & 0o7777, st.uid, st.gid], [0o640, 0, 41002]);
  }));

test('§10 a line starting with a space after a # line: the error with its line, exit 65, good entries built', () =>
  withSite(async (s) => {
    const r = await s.run();
    assert.equal(r.code, 65);
    assert.equal(r.stderr, `${s.aliases}: line 17: Non-continuation line starts with space\n${LOOP_WARNING(s.aliases)}\n`);
    assert.equal(r.stdout, `${summary(s.aliases, SPEC_VALUES)}\n`);
    assert.deepEqual(await dbValues(`${s.aliases}.db`), SPEC_VALUES);
  }, `${SPEC_ALIASES}# a comment\n bob\n`));

test('§10 nocolon and empty: their messages, exit 65', async () => {
  for (const [line, message] of [
    ['nocolon bob', 'missing colon'],
    ['empty:', 'empty:... missing value for alias'],
  ] as const) {
    await withSite(async (s) => {
      const r = await s.run();
      assert.equal(r.code, 65);
      assert.equal(r.stderr.split('\n')[0], `${s.aliases}: line 16: ${message}`);
      assert.equal((await dbValues(`${s.aliases}.db`)).length, 13);
    }, `${SPEC_ALIASES}${line}\n`);
  }
});

test('§10 Team: dave — Warning: duplicate alias name team; team now delivers to dave only (exit 0)', () =>
  withSite(async (s) => {
    const r = await s.run();
    assert.equal(r.code, 0);
    assert.ok(r.stderr.includes(`${s.aliases}: line 16: Warning: duplicate alias name team\n`));
    const values = new Map(await dbValues(`${s.aliases}.db`));
    assert.equal(values.get('team'), 'dave');
    assert.equal(values.size, 13);
  }, `${SPEC_ALIASES}Team: dave\n`));

test('§3 step 2: an unsafe alias file or directory — exit 78, nothing changed; DontBlameSendmail relaxes', async () => {
  await withSite(async (s) => {
    await chmod(s.aliases, 0o664);
    let r = await s.run();
    assert.deepEqual([r.code, r.stdout], [78, '']);
    assert.equal(r.stderr, `${s.aliases}: unsafe alias file: mode 0664 is writable by its group (DontBlameSendmail=GroupWritableAliasFile allows it)\n`);
    await assert.rejects(stat(`${s.aliases}.db`));
    r = await s.run('-O', 'DontBlameSendmail=TrustStickyBit,GroupWritableAliasFile');
    assert.equal(r.code, 0);
    await chmod(s.aliases, 0o666);
    await rm(`${s.aliases}.db`);
    r = await s.run('-O', 'DontBlameSendmail=TrustStickyBit,GroupWritableAliasFile');
    assert.equal(r.code, 78);
    assert.equal(r.stderr, `${s.aliases}: unsafe alias file: mode 0666 is writable by others (DontBlameSendmail=WorldWritableAliasFile allows it)\n`);
    await assert.rejects(stat(`${s.aliases}.db`));
    assert.equal((await s.run('-O', 'DontBlameSendmail=TrustStickyBit,WorldWritableAliasFile')).code, 0);
  });
  await withSite(async (s) => {
    await chmod(s.aliases, 0o644);
    await chown(s.aliases, 41001, 41001);
    const r = await s.run();
    assert.equal(r.code, 78);
    assert.equal(r.stderr, `${s.aliases}: unsafe alias file: owned by uid 41001, not by root or TrustedUser\n`);
  });
  await withSite(async (s) => {
    // The directory path: /tmp (sticky, world-writable) without TrustStickyBit; a group-writable etc/.
    let r = await s.run('-O', 'DontBlameSendmail=Safe');
    assert.equal(r.code, 78);
    assert.match(r.stderr, /: unsafe alias file: directory \/tmp is writable by others \(mode 01777\)\n$/);
    await chmod(join(s.dir, 'etc'), 0o775);
    r = await s.run();
    assert.equal(r.stderr, `${s.aliases}: unsafe alias file: directory ${join(s.dir, 'etc')} is writable by its group (mode 0775)\n`);
    assert.equal((await s.run('-O', 'DontBlameSendmail=TrustStickyBit,GroupWritableDirPathSafe')).code, 0);
  });
});

test('§3 step 2: a symbolic link in a directory writable by others (LinkedAliasFileInWritableDir)', () =>
  withSite(async (s) => {
    const drop = join(s.dir, 'drop');
    await mkdir(drop);
    await chmod(drop, 0o1777);
    const link = join(drop, 'aliases');
    await symlink(s.aliases, link);
    let r = await s.run('-O', `AliasFile=${link}`);
    assert.equal(r.code, 78);
    assert.equal(r.stderr, `${link}: unsafe alias file: symbolic link in a directory writable by others (DontBlameSendmail=LinkedAliasFileInWritableDir allows it)\n`);
    r = await s.run('-O', `AliasFile=${link}`, '-O', 'DontBlameSendmail=TrustStickyBit,LinkedAliasFileInWritableDir');
    assert.equal(r.code, 0);
    assert.equal(r.stdout, `${summary(link, SPEC_VALUES)}\n`);
  }));

test('§3 step 7: exit 73 when the database cannot be written; 72 when the alias file is missing', async () => {
  await withSite(async (s) => {
    await mkdir(`${s.aliases}.db`);
    await writeFile(join(`${s.aliases}.db`, 'in-the-way'), '');
    const r = await s.run();
    assert.equal(r.code, 73);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, new RegExp(`^${s.aliases}\\.db: cannot write alias database: (Is a directory|ENOTEMPTY)\\n`));
  });
  await withSite(async (s) => {
    await rm(s.aliases);
    const r = await s.run();
    assert.deepEqual([r.code, r.stderr], [72, `${s.aliases}: cannot open: No such file or directory\n`]);
  });
});

test('§9 the dangerous entries are reported; they do not change the exit status', () =>
  withSite(async (s) => {
    const r = await s.run();
    assert.equal(r.code, 0);
    assert.deepEqual(r.stderr.trimEnd().split('\n'), [
      `${s.aliases}: line 1: Warning: alias decode pipes mail into "|/usr/bin/uudecode": anyone can make it write files; remove the alias`,
      `${s.aliases}: line 2: Warning: alias filter pipes mail into sh, a shell: the sender's text can run as code`,
      `${s.aliases}: line 3: Warning: alias stats runs mailstats, which is not in the smrsh directory ${join(s.dir, 'smrsh')}: its deliveries will fail`,
      'Warning: no alias for postmaster',
    ]);
  }, 'decode: "|/usr/bin/uudecode"\nfilter: "|/bin/sh -c cat"\nstats: "|/usr/lib/mailstats -v", "|/usr/bin/vacation x", "|exec /usr/bin/vacation y || exit 75"\n'));

test('decode pointing at root is reported too; without smrsh (ProgMailer=external) program aliases are not checked against it', () =>
  withSite(async (s) => {
    const r = await s.run('-O', 'ProgMailer=external:/usr/bin/procmail');
    assert.equal(r.code, 0);
    assert.equal(r.stderr, `${s.aliases}: line 2: Warning: alias decode is a relic of the uudecode attack; remove it\n`);
  }, 'postmaster: root\ndecode: root\nstats: "|/usr/lib/mailstats"\n'));

test('several alias files: one summary line and one database each; -oA on the command line', () =>
  withSite(async (s) => {
    const second = join(s.dir, 'etc', 'lists');
    await writeFile(second, 'staff: bob, carol\n');
    let r = await s.run('-O', `AliasFile=${s.aliases},${second}`);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, `${summary(s.aliases, SPEC_VALUES)}\n${summary(second, [['staff', 'bob, carol']])}\n`);
    assert.deepEqual(await dbValues(`${second}.db`), [['staff', 'bob, carol']]);
    await rm(`${second}.db`);
    r = await s.run(`-oA${second}`);
    assert.equal(r.stdout, `${summary(second, [['staff', 'bob, carol']])}\n`);
  }));

test('usage errors exit 64; a broken configuration exits 78', async () => {
  await withSite(async (s) => {
    const r = await s.run('--bogus');
    assert.equal(r.code, 64);
    assert.match(r.stderr, /^newaliases: unknown flag --bogus\nusage: newaliases/);
    await writeFile(s.conf, 'NoSuchOption = 1\n');
    const c = await s.run();
    assert.equal(c.code, 78);
    assert.match(c.stderr, /unknown option NoSuchOption/);
  });
});
