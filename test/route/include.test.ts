// aliases-forward.md §4: :include: files — content, controlling user, shells, unknown owners, open
// errors, and every safety rule with its DontBlameSendmail relaxation, on real files.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, chown, mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { J, World, shows } from './fixture.js';
import { AsUserFileAccess, ScriptedFailures } from './readers.js';

async function withWorld(fn: (w: World) => Promise<void>): Promise<void> {
  const w = await World.create('');
  try {
    await fn(w);
  } finally {
    await w.cleanup();
  }
}

/** A directory owned by `uid` with `mode`, inside the world. */
async function dir(w: World, name: string, uid = 0, mode = 0o755): Promise<string> {
  const d = join(w.dir, name);
  await mkdir(d);
  await chown(d, uid, uid);
  await chmod(d, mode);
  return d;
}

const LIST = '# the staff\nbob, carol\n\n"|/usr/bin/archiver staff"\n/var/archive/staff, frank@remote.example\n';

test('content: commas and newlines, # lines and blank lines; entries of a root-owned list run as DefaultUser', () =>
  withWorld(async (w) => {
    const path = await w.file(join(await dir(w, 'lists'), 'staff'), LIST, 'root');
    await w.setAliases(`staff: :include:${path}\n`);
    const r = await w.expand(['staff@example.com']);
    assert.deepEqual(shows(r), [
      'mailbox bob',
      'mailbox carol',
      'program /usr/bin/archiver staff as nobody',
      'file /var/archive/staff as nobody',
      'remote frank@remote.example',
    ]);
    assert.ok(r.every((e) => e.expanded === true));
  }));

test('content: error: is not allowed and bad elements are logged; the others are used', () =>
  withWorld(async (w) => {
    const path = await w.file(join(await dir(w, 'lists'), 'l'), 'bob\nerror:550 no\ncarol, bad address\n', 'root');
    await w.setAliases(`l: :include:${path}\n`);
    assert.deepEqual(shows(await w.expand(['l@example.com'])), ['mailbox bob', 'mailbox carol']);
    assert.deepEqual(w.logs.map((l) => l.message), [
      `${path}: line 2: error:550 no... error: is allowed in alias files only`,
      `${path}: line 3: bad address... invalid address`,
    ]);
  }));

test('controlling user: a list owned by bob runs its programs and files as bob', () =>
  withWorld(async (w) => {
    const path = await w.file(join(await dir(w, 'lists'), 'bobs'), '"|/usr/bin/archiver", /var/archive/bob\n', 'bob');
    await w.setAliases(`bobs: :include:${path}\n`);
    assert.deepEqual(shows(await w.expand(['bobs@example.com'])), ['program /usr/bin/archiver as bob', 'file /var/archive/bob as bob']);
  }));

test('controlling user: a root-owned list named in bob’s .forward runs as bob', () =>
  withWorld(async (w) => {
    const path = await w.file(join(await dir(w, 'lists'), 'shared'), '"|/usr/bin/filter"\n', 'root');
    await w.forward('bob', `:include:${path}\n`);
    assert.deepEqual(shows(await w.expand(['bob@example.com'])), ['program /usr/bin/filter as bob']);
  }));

test('an owner uid without a passwd entry: UID <uid> is an unknown user for programs and files', () =>
  withWorld(async (w) => {
    const path = join(await dir(w, 'lists'), 'orphan');
    await w.file(path, '"|/usr/bin/prog", /var/x, bob\n', 'root');
    await chown(path, 42999, 42999);
    await w.setAliases(`orphan: :include:${path}\n`);
    assert.deepEqual(shows(await w.expand(['orphan@example.com'])), [
      'failed 550 5.7.1 UID 42999 is an unknown user: cannot mail to programs',
      'failed 550 5.7.1 UID 42999 is an unknown user: cannot mail to files',
      'mailbox bob',
    ]);
  }));

test('the owner’s shell: dave (nologin) cannot run programs or write files through his list', () =>
  withWorld(async (w) => {
    const path = await w.file(join(await dir(w, 'lists'), 'daves'), '"|/usr/bin/prog", /var/x, carol\n', 'dave');
    await w.setAliases(`daves: :include:${path}\n`);
    assert.deepEqual(shows(await w.expand(['daves@example.com'])), [
      `failed 550 5.7.1 User dave@${J} doesn't have a valid shell for mailing to programs`,
      `failed 550 5.7.1 User dave@${J} doesn't have a valid shell for mailing to files`,
      'mailbox carol',
    ]);
  }));

test('open errors: a missing file and a permission error are permanent (550 5.2.4)', () =>
  withWorld(async (w) => {
    const missing = join(w.dir, 'no-such-list');
    const privateDir = await dir(w, 'private', 41001, 0o700);
    const hidden = await w.file(join(privateDir, 'list'), 'carol\n', 'bob', 0o600);
    await w.setAliases(`m: :include:${missing}\np: :include:${hidden}\n`);
    // Read as DefaultUser (nobody), the controlling user of the system alias file.
    const reader = new AsUserFileAccess();
    w.files = reader;
    assert.deepEqual(shows(await w.expand(['m@example.com', 'p@example.com'])), [
      `failed 550 5.2.4 Cannot open ${missing}: No such file or directory`,
      `failed 550 5.2.4 Cannot open ${hidden}: Permission denied`,
    ]);
    assert.deepEqual(reader.reads.map((r) => r.uid), [65534, 65534]);
  }));

test('open errors: a timeout or a transient error defers (451 4.2.4)', () =>
  withWorld(async (w) => {
    await w.setAliases('slow: :include:/nfs/slow\nflaky: :include:/nfs/flaky\n');
    w.files = new ScriptedFailures(
      new Map([
        ['/nfs/slow', { status: 'transient', reason: 'open timeout', timeout: true }],
        ['/nfs/flaky', { status: 'transient', reason: 'Input/output error' }],
      ]),
    );
    assert.deepEqual(shows(await w.expand(['slow@example.com', 'flaky@example.com'])), [
      'deferred 451 4.2.4 Cannot open /nfs/slow: open timeout',
      'deferred 451 4.2.4 Cannot open /nfs/flaky: Input/output error',
    ]);
  }));

test('safety: only regular files (a FIFO is not waited on, a directory is refused)', () =>
  withWorld(async (w) => {
    const lists = await dir(w, 'lists');
    const fifo = join(lists, 'fifo');
    execFileSync('mkfifo', ['-m', '0644', fifo]);
    const sub = await dir(w, 'lists/sub');
    await w.setAliases(`f: :include:${fifo}\nd: :include:${sub}\n`);
    assert.deepEqual(shows(await w.expand(['f@example.com', 'd@example.com'])), [
      `failed 550 5.2.4 Cannot open ${fifo}: not a regular file`,
      `failed 550 5.2.4 Cannot open ${sub}: not a regular file`,
    ]);
  }));

test('safety: group-writable file refused; GroupWritableIncludeFile reads it unsafe; …Safe or UnsafeGroupWrites=False trust it', () =>
  withWorld(async (w) => {
    const path = await w.file(join(await dir(w, 'lists'), 'gw'), 'carol, "|/usr/bin/prog"\n', 'root', 0o664);
    await w.setAliases(`gw: :include:${path}\n`);
    assert.deepEqual(shows(await w.expand(['gw@example.com'])), [`failed 550 5.2.4 Cannot open ${path}: group writable file`]);
    w.options.dontBlame = new Set(['TrustStickyBit', 'GroupWritableIncludeFile']);
    assert.deepEqual(shows(await w.expand(['gw@example.com'])), [
      'mailbox carol',
      'failed 550 5.7.1 Address |/usr/bin/prog is unsafe for mailing to programs',
    ]);
    w.options.dontBlame = new Set(['TrustStickyBit', 'GroupWritableIncludeFile', 'GroupWritableIncludeFileSafe']);
    assert.deepEqual(shows(await w.expand(['gw@example.com'])), ['mailbox carol', 'program /usr/bin/prog as nobody']);
    w.options.dontBlame = new Set(['TrustStickyBit', 'GroupWritableIncludeFile']);
    w.options.unsafeGroupWrites = false;
    assert.deepEqual(shows(await w.expand(['gw@example.com'])), ['mailbox carol', 'program /usr/bin/prog as nobody']);
  }));

test('safety: world-writable file refused; WorldWritableIncludefile reads it, always unsafe', () =>
  withWorld(async (w) => {
    const path = await w.file(join(await dir(w, 'lists'), 'ww'), 'carol, /var/x\n', 'root', 0o666);
    await w.setAliases(`ww: :include:${path}\n`);
    assert.deepEqual(shows(await w.expand(['ww@example.com'])), [`failed 550 5.2.4 Cannot open ${path}: world writable file`]);
    w.options.dontBlame = new Set(['TrustStickyBit', 'WorldWritableIncludefile', 'GroupWritableIncludeFileSafe', 'IncludeFileInUnsafeDirPathSafe']);
    assert.deepEqual(shows(await w.expand(['ww@example.com'])), ['mailbox carol', 'failed 550 5.7.1 Address /var/x is unsafe for mailing to files']);
  }));

test('safety: unsafe directory path; the group-writable and any-unsafe relaxations and their …Safe', () =>
  withWorld(async (w) => {
    const g = await w.file(join(await dir(w, 'group-dir', 0, 0o775), 'l'), 'carol, "|/bin/p"\n', 'root');
    const o = await w.file(join(await dir(w, 'open-dir', 0, 0o777), 'l'), 'carol, "|/bin/p"\n', 'root');
    const carol = await w.file(join(await dir(w, 'carols', 41002), 'l'), 'carol\n', 'root');
    await w.setAliases(`g: :include:${g}\no: :include:${o}\nc: :include:${carol}\n`);
    const unsafe = 'failed 550 5.7.1 Address |/bin/p is unsafe for mailing to programs';
    assert.deepEqual(shows(await w.expand(['g', 'o'])), [
      `failed 550 5.2.4 Cannot open ${g}: unsafe directory path`,
      `failed 550 5.2.4 Cannot open ${o}: unsafe directory path`,
    ]);
    // A directory owned by someone other than root, the file's owner or the reader.
    assert.deepEqual(shows(await w.expand(['c'])), [`failed 550 5.2.4 Cannot open ${carol}: unsafe directory path`]);
    w.options.dontBlame = new Set(['TrustStickyBit', 'IncludeFileInGroupWritableDirPath']);
    assert.deepEqual(shows(await w.expand(['g', 'o'])), ['mailbox carol', unsafe, `failed 550 5.2.4 Cannot open ${o}: unsafe directory path`]);
    w.options.dontBlame = new Set(['TrustStickyBit', 'IncludeFileInUnsafeDirPath']);
    assert.deepEqual(shows(await w.expand(['o'])), ['mailbox carol', unsafe]);
    w.options.dontBlame = new Set(['TrustStickyBit', 'IncludeFileInUnsafeDirPath', 'IncludeFileInUnsafeDirPathSafe']);
    assert.deepEqual(shows(await w.expand(['o'])), ['mailbox carol', 'program /bin/p as nobody']);
    // GroupWritableDirPathSafe: only world-writable directories are unsafe.
    w.options.dontBlame = new Set(['TrustStickyBit', 'GroupWritableDirPathSafe']);
    assert.deepEqual(shows(await w.expand(['g'])), ['mailbox carol', 'program /bin/p as nobody']);
  }));

test('safety: a symbolic link in a directory writable by others (LinkedIncludeFileInWritableDir)', () =>
  withWorld(async (w) => {
    const target = await w.file(join(await dir(w, 'lists'), 'real'), 'carol\n', 'root');
    // Sticky and world-writable, like /tmp: the path is safe under TrustStickyBit, the link is not.
    const drop = await dir(w, 'drop', 0, 0o1777);
    const link = join(drop, 'list');
    await symlink(target, link);
    const safeLink = join(w.dir, 'lists', 'alias-link');
    await symlink(target, safeLink);
    await w.setAliases(`l: :include:${link}\ns: :include:${safeLink}\n`);
    assert.deepEqual(shows(await w.expand(['l', 's'])), [`failed 550 5.2.4 Cannot open ${link}: symbolic link in a writable directory`, 'mailbox carol']);
    w.options.dontBlame = new Set(['TrustStickyBit', 'LinkedIncludeFileInWritableDir']);
    assert.deepEqual(shows(await w.expand(['l'])), ['mailbox carol']);
  }));

test('marks are inherited: a list read from an unsafe .forward has unsafe entries', () =>
  withWorld(async (w) => {
    const list = await w.file(join(await dir(w, 'lists'), 'l'), '"|/usr/bin/prog"\n', 'root');
    await w.forward('bob', `:include:${list}\n`, 0o664);
    w.options.dontBlame = new Set(['TrustStickyBit', 'GroupWritableForwardFile']);
    assert.deepEqual(shows(await w.expand(['bob@example.com'])), ['failed 550 5.7.1 Address |/usr/bin/prog is unsafe for mailing to programs']);
    // And from dave's .forward, the bogus shell mark.
    await w.forward('dave', `:include:${list}\n`);
    assert.deepEqual(shows(await w.expand(['dave@example.com'])), [`failed 550 5.7.1 User dave@${J} doesn't have a valid shell for mailing to programs`]);
  }));

test('a list that includes itself is a loop', () =>
  withWorld(async (w) => {
    const path = join(await dir(w, 'lists'), 'self');
    await w.file(path, `:include:${path}\n`, 'root');
    await w.setAliases(`self: :include:${path}\n`);
    assert.deepEqual(shows(await w.expand(['self@example.com'])), [`failed 554 5.4.6 aliasing/forwarding loop for :include:${path} broken`]);
  }));
