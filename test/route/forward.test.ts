// aliases-forward.md §5: which .forward is read (ForwardPath, $z $u $w $h), what its failures do, every
// safety check of §5.3 with its DontBlameSendmail relaxation, and what its content means.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, chown, mkdir, rm, symlink } from 'node:fs/promises';
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

const messages = (w: World): string[] => w.logs.map((l) => l.message);

test('§5.2 candidates in order: a missing one is skipped, the first that opens is used', () =>
  withWorld(async (w) => {
    w.options.forwardPath = ['$z/.forward.$w', '$z/.forward.$u', '$z/.forward'];
    await w.forward('bob', 'carol\n');
    assert.deepEqual(shows(await w.expand(['bob'])), ['mailbox carol']);
    await w.file(join(w.home('bob'), '.forward.bob'), 'erin\n', 'bob');
    assert.deepEqual(shows(await w.expand(['bob'])), ['mailbox erin']);
    await w.file(join(w.home('bob'), '.forward.mx'), 'frank\n', 'bob');
    assert.deepEqual(shows(await w.expand(['bob'])), ['mailbox frank']);
  }));

test('§5.2 a candidate that gives EACCES (read as the user) is logged and the next one used', () =>
  withWorld(async (w) => {
    w.options.forwardPath = ['$z/locked/.forward', '$z/.forward'];
    const locked = join(w.home('bob'), 'locked');
    await mkdir(locked, { mode: 0o700 });
    await w.file(join(locked, '.forward'), 'frank@remote.example\n', 'bob');
    await w.forward('bob', 'carol@remote.example\n');
    const reader = new AsUserFileAccess();
    w.files = reader;
    assert.deepEqual(shows(await w.expand(['bob'])), ['remote carol@remote.example']);
    assert.deepEqual(messages(w), [`${locked}/.forward: Permission denied`]);
    assert.deepEqual(reader.reads.map((r) => r.uid), [41001, 41001]);
  }));

test('§5.2 a candidate that fails a safety check is logged and the next one used', () =>
  withWorld(async (w) => {
    w.options.forwardPath = ['$z/.forward.first', '$z/.forward'];
    const first = await w.file(join(w.home('bob'), '.forward.first'), 'frank\n', 'bob', 0o666);
    await w.forward('bob', 'carol\n');
    assert.deepEqual(shows(await w.expand(['bob'])), ['mailbox carol']);
    assert.deepEqual(messages(w), [`${first}: world writable file`]);
  }));

test('§5.2 a timeout or a transient error defers the recipient (451 4.4.1)', () =>
  withWorld(async (w) => {
    const path = join(w.home('bob'), '.forward');
    w.files = new ScriptedFailures(new Map([[path, { status: 'transient', reason: 'open timeout', timeout: true }]]));
    assert.deepEqual(shows(await w.expand(['bob', 'carol'])), [`deferred 451 4.4.1 open timeout on ${path}`, 'mailbox carol']);
    w.files = new ScriptedFailures(new Map([[path, { status: 'transient', reason: 'Stale file handle' }]]));
    assert.deepEqual(shows(await w.expand(['bob'])), ['deferred 451 4.4.1 transient .forward open error: Stale file handle']);
  }));

test('§5.2 an empty or missing home directory: no .forward, the mailbox', () =>
  withWorld(async (w) => {
    await rm(w.home('bob'), { recursive: true });
    assert.deepEqual(shows(await w.expand(['bob'])), ['mailbox bob']);
    const reader = new AsUserFileAccess();
    w.files = reader;
    const ctx = await w.context();
    const noHome = { ...w.user('carol'), home: '' };
    const { expandRecipients } = await import('../../src/route/expand.js');
    const users = { byName: (n: string) => (n === 'carol' ? noHome : ctx.users.byName(n)), byUid: ctx.users.byUid };
    const r = await expandRecipients({ sender: 'a@b.example', recipients: [{ address: 'carol', primary: true }] }, { ...ctx, users });
    assert.deepEqual(shows(r), ['mailbox carol']);
    assert.deepEqual(reader.reads, []);
  }));

test('§5.3 check 1: the directory path (owner, group/other write, sticky only with TrustStickyBit)', () =>
  withWorld(async (w) => {
    const path = await w.forward('bob', 'carol, "|/bin/p"\n');
    const unsafe = 'failed 550 5.7.1 Address |/bin/p is unsafe for mailing to programs';
    // Under /tmp (sticky, world-writable): refused unless sticky directories are trusted.
    w.options.dontBlame = new Set();
    assert.deepEqual(shows(await w.expand(['bob'])), ['mailbox bob']);
    assert.deepEqual(messages(w), [`${path}: unsafe directory path`]);
    assert.equal(w.logs[0]!.level, 'warning');
    // DontWarnForwardFileInUnsafeDirPath: still ignored, logged without the warning level.
    w.options.dontBlame = new Set(['DontWarnForwardFileInUnsafeDirPath']);
    assert.deepEqual(shows(await w.expand(['bob'])), ['mailbox bob']);
    assert.equal(w.logs[1]!.level, 'info');
    w.options.dontBlame = new Set(['TrustStickyBit']);
    assert.deepEqual(shows(await w.expand(['bob'])), ['mailbox carol', 'program /bin/p as bob']);
    // A home owned by someone else.
    await chown(w.home('bob'), 41002, 41002);
    assert.deepEqual(shows(await w.expand(['bob'])), ['mailbox bob']);
    await chown(w.home('bob'), 41001, 41001);
    // Group-writable home: ignored; ForwardFileInGroupWritableDirPath reads it unsafe; …Safe trusts it.
    await chmod(w.home('bob'), 0o775);
    assert.deepEqual(shows(await w.expand(['bob'])), ['mailbox bob']);
    w.options.dontBlame = new Set(['TrustStickyBit', 'ForwardFileInGroupWritableDirPath']);
    assert.deepEqual(shows(await w.expand(['bob'])), ['mailbox carol', unsafe]);
    w.options.dontBlame = new Set(['TrustStickyBit', 'ForwardFileInGroupWritableDirPath', 'ForwardFileInUnsafeDirPathSafe']);
    assert.deepEqual(shows(await w.expand(['bob'])), ['mailbox carol', 'program /bin/p as bob']);
    w.options.dontBlame = new Set(['TrustStickyBit', 'GroupWritableDirPathSafe']);
    assert.deepEqual(shows(await w.expand(['bob'])), ['mailbox carol', 'program /bin/p as bob']);
    // World-writable home: only ForwardFileInUnsafeDirPath.
    await chmod(w.home('bob'), 0o777);
    w.options.dontBlame = new Set(['TrustStickyBit', 'ForwardFileInGroupWritableDirPath']);
    assert.deepEqual(shows(await w.expand(['bob'])), ['mailbox bob']);
    w.options.dontBlame = new Set(['TrustStickyBit', 'ForwardFileInUnsafeDirPath']);
    assert.deepEqual(shows(await w.expand(['bob'])), ['mailbox carol', unsafe]);
  }));

test('§5.3 check 2: a regular file owned by the user or by root', () =>
  withWorld(async (w) => {
    const path = await w.forward('bob', 'carol\n', 0o644, 'carol');
    assert.deepEqual(shows(await w.expand(['bob'])), ['mailbox bob']);
    assert.deepEqual(messages(w), [`${path}: owned by uid 41002, not by bob or root`]);
    await w.forward('bob', 'carol\n', 0o644, 'root');
    assert.deepEqual(shows(await w.expand(['bob'])), ['mailbox carol']);
    await rm(path);
    await mkdir(path);
    assert.deepEqual(shows(await w.expand(['bob'])), ['mailbox bob']);
    assert.equal(messages(w)[1], `${path}: not a regular file`);
  }));

test('§5.3 check 3: a symbolic link is followed unless its directory is writable by others', () =>
  withWorld(async (w) => {
    const target = await w.file(join(w.home('bob'), 'my-forward'), 'carol\n', 'bob');
    await symlink(target, join(w.home('bob'), '.forward'));
    assert.deepEqual(shows(await w.expand(['bob'])), ['mailbox carol']);
    // A sticky world-writable home passes the path check under TrustStickyBit, but not the link check.
    await chmod(w.home('bob'), 0o1777);
    assert.deepEqual(shows(await w.expand(['bob'])), ['mailbox bob']);
    assert.deepEqual(messages(w), [`${join(w.home('bob'), '.forward')}: symbolic link in a writable directory`]);
    w.options.dontBlame = new Set(['TrustStickyBit', 'LinkedForwardFileInWritableDir']);
    assert.deepEqual(shows(await w.expand(['bob'])), ['mailbox carol']);
  }));

test('§5.3 checks 4 and 5: group- and world-writable files', () =>
  withWorld(async (w) => {
    await w.forward('bob', 'carol, /tmp/bob-archive\n', 0o664);
    const unsafeFile = 'failed 550 5.7.1 Address /tmp/bob-archive is unsafe for mailing to files';
    w.options.dontBlame = new Set(['TrustStickyBit', 'GroupWritableForwardFile', 'GroupWritableForwardFileSafe']);
    assert.deepEqual(shows(await w.expand(['bob'])), ['mailbox carol', 'file /tmp/bob-archive as bob']);
    w.options.dontBlame = new Set(['TrustStickyBit', 'GroupWritableForwardFile']);
    w.options.unsafeGroupWrites = false;
    assert.deepEqual(shows(await w.expand(['bob'])), ['mailbox carol', 'file /tmp/bob-archive as bob']);
    w.options.unsafeGroupWrites = true;
    assert.deepEqual(shows(await w.expand(['bob'])), ['mailbox carol', unsafeFile]);
    await chmod(join(w.home('bob'), '.forward'), 0o666);
    assert.deepEqual(shows(await w.expand(['bob'])), ['mailbox bob']);
    w.options.dontBlame = new Set(['TrustStickyBit', 'WorldWritableForwardfile', 'GroupWritableForwardFileSafe', 'ForwardFileInUnsafeDirPathSafe']);
    assert.deepEqual(shows(await w.expand(['bob'])), ['mailbox carol', unsafeFile]);
  }));

test('§5.3 check 6: an invalid shell marks programs and files, not addresses', () =>
  withWorld(async (w) => {
    await w.forward('dave', '/tmp/dave-archive, carol, \\dave\n');
    assert.deepEqual(shows(await w.expand(['dave'])), [
      `failed 550 5.7.1 User dave@${J} doesn't have a valid shell for mailing to files`,
      'mailbox carol',
      'mailbox dave',
    ]);
  }));

test('§5.4 content: comments, several per line, empty file means the mailbox, bad entries are logged', () =>
  withWorld(async (w) => {
    await w.forward('bob', '# only a comment\n\n');
    assert.deepEqual(shows(await w.expand(['bob'])), ['mailbox bob']);
    const path = await w.forward('bob', '# forward\ncarol, erin\nfrank@remote.example\nnot valid\ncarol%far.example@example.com\n');
    assert.deepEqual(shows(await w.expand(['bob'])), ['mailbox carol', 'mailbox erin', 'remote frank@remote.example', 'remote carol@far.example']);
    assert.deepEqual(messages(w), [`${path}: line 4: not valid... invalid address`]);
  }));

test('§5.4 \\user keeps a copy without reading the .forward again; aliases named in a .forward are expanded', () =>
  withWorld(async (w) => {
    await w.setAliases('team: carol, erin\n');
    await w.forward('bob', '\\bob, team\n');
    const r = await w.expand([{ address: 'bob', notify: ['SUCCESS', 'DELAY'] }]);
    assert.deepEqual(shows(r), ['mailbox bob', 'mailbox carol', 'mailbox erin']);
    assert.deepEqual(r.map((e) => e.notify), [['DELAY'], ['DELAY'], ['DELAY']]);
    assert.ok(r.every((e) => e.finalRecipient === 'bob' && e.expanded === true));
  }));
