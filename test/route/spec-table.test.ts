// aliases-forward.md §10: every delivery-time row, through expandRecipients() with real files.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import { J, World, shows } from './fixture.js';

async function withWorld(fn: (w: World) => Promise<void>, aliases?: string): Promise<void> {
  const w = await World.create(aliases);
  try {
    await fn(w);
  } finally {
    await w.cleanup();
  }
}

test('§10 mail to list: one copy each to bob and carol, sender list-request@<j>', () =>
  withWorld(async (w) => {
    const r = await w.expand(['list@example.com']);
    assert.deepEqual(shows(r), ['mailbox bob', 'mailbox carol']);
    for (const e of r) {
      assert.equal(e.envelopeSender, `list-request@${J}`);
      assert.equal(e.finalRecipient, 'list@example.com');
      assert.equal(e.recipient, 0);
      assert.equal(e.expanded, true);
    }
    assert.deepEqual(r.map((e) => e.actualRecipient), [`bob@${J}`, `carol@${J}`]);
  }));

test('§10 mail to loop1: 554 5.4.6 aliasing/forwarding loop broken', () =>
  withWorld(async (w) => {
    const r = await w.expand(['loop1@example.com']);
    assert.equal(r.length, 1);
    assert.ok(['failed 554 5.4.6 aliasing/forwarding loop for loop1 broken', 'failed 554 5.4.6 aliasing/forwarding loop for loop2 broken'].includes(shows(r)[0]!));
    assert.equal(r[0]!.finalRecipient, 'loop1@example.com');
  }));

test('§10 mail to erin: her mailbox (self-reference) and a copy to erin@remote.example', () =>
  withWorld(async (w) => {
    // A .forward that would send everything away: a self-reference is not expanded again (§5.1).
    await w.forward('erin', 'erin@elsewhere.example\n');
    assert.deepEqual(shows(await w.expand(['erin@example.com'])), ['mailbox erin', 'remote erin@remote.example']);
  }));

test('§10 mail to direct: bob’s mailbox even if bob has a .forward', () =>
  withWorld(async (w) => {
    await w.forward('bob', 'bob@elsewhere.example\n');
    assert.deepEqual(shows(await w.expand(['direct@example.com'])), ['mailbox bob']);
    // Without the backslash bob's .forward is honoured.
    assert.deepEqual(shows(await w.expand(['bob@example.com'])), ['remote bob@elsewhere.example']);
  }));

const BOB_FORWARD = '\\bob, "|/usr/bin/vacation bob"\n';

test('§10 bob’s .forward (0644, his): his mailbox and vacation as bob', () =>
  withWorld(async (w) => {
    await w.forward('bob', BOB_FORWARD, 0o644);
    const r = await w.expand(['bob@example.com']);
    assert.deepEqual(shows(r), ['mailbox bob', 'program /usr/bin/vacation bob as bob']);
    const prog = r[1]!.delivery;
    assert.ok(prog?.kind === 'program');
    assert.deepEqual([prog.as.uid, prog.as.gid], [41001, 41001]);
    assert.equal(r[1]!.actualRecipient, '|/usr/bin/vacation bob');
  }));

test('§10 the same .forward group-writable (0664): ignored and logged, mailbox only', () =>
  withWorld(async (w) => {
    const path = await w.forward('bob', BOB_FORWARD, 0o664);
    assert.deepEqual(shows(await w.expand(['bob@example.com'])), ['mailbox bob']);
    assert.deepEqual(w.logs.map((l) => l.message), [`${path}: group writable file`]);
  }));

test('§10 with GroupWritableForwardFile: mailbox, and the program fails as unsafe', () =>
  withWorld(async (w) => {
    await w.forward('bob', BOB_FORWARD, 0o664);
    w.options.dontBlame = new Set(['TrustStickyBit', 'GroupWritableForwardFile']);
    const r = await w.expand(['bob@example.com']);
    assert.deepEqual(shows(r), ['mailbox bob', 'failed 550 5.7.1 Address |/usr/bin/vacation bob is unsafe for mailing to programs']);
    assert.equal(r[1]!.actualRecipient, '|/usr/bin/vacation bob');
  }));

test('§10 bob’s home directory mode 0775: .forward ignored, mailbox delivery', () =>
  withWorld(async (w) => {
    const path = await w.forward('bob', BOB_FORWARD, 0o644);
    await chmod(w.home('bob'), 0o775);
    assert.deepEqual(shows(await w.expand(['bob@example.com'])), ['mailbox bob']);
    assert.deepEqual(w.logs.map((l) => l.message), [`${path}: unsafe directory path`]);
  }));

test('§10 dave (shell /usr/sbin/nologin): the remote copy goes, the program fails', () =>
  withWorld(async (w) => {
    await w.forward('dave', '"|/usr/bin/vacation dave", dave@remote.example\n');
    assert.deepEqual(shows(await w.expand(['dave@example.com'])), [
      `failed 550 5.7.1 User dave@${J} doesn't have a valid shell for mailing to programs`,
      'remote dave@remote.example',
    ]);
  }));

test('§10 dave with /SENDMAIL/ANY/SHELL/ in /etc/shells: the program runs as dave', () =>
  withWorld(async (w) => {
    await w.forward('dave', '"|/usr/bin/vacation dave", dave@remote.example\n');
    await writeFile(w.shellsPath, '/bin/sh\n/SENDMAIL/ANY/SHELL/\n');
    assert.deepEqual(shows(await w.expand(['dave@example.com'])), ['program /usr/bin/vacation dave as dave', 'remote dave@remote.example']);
  }));

test('§10 twelve aliases chained a1 → … → a12 → bob: 11 aliases deep; 10 max', () => {
  const chain = Array.from({ length: 12 }, (_, i) => `a${i + 1}: ${i === 11 ? 'bob' : `a${i + 2}`}`).join('\n');
  return withWorld(async (w) => {
    const r = await w.expand(['a1@example.com']);
    assert.deepEqual(shows(r), ['failed 554 5.4.6 aliasing/forwarding loop broken (11 aliases deep; 10 max)']);
    // From a3 the chain is ten deep (a3 … a12 expanded, bob at depth 10): within the limit.
    const r10 = await w.expand(['a3@example.com']);
    assert.deepEqual(shows(r10), ['mailbox bob']);
  }, `${chain}\n`);
});

test('§10 RCPT-time rows at delivery: TEAM, gone, nobody-here, a program typed as a recipient', () =>
  withWorld(async (w) => {
    assert.deepEqual(shows(await w.expand(['TEAM@example.com'])), ['mailbox bob', 'mailbox carol']);
    assert.deepEqual(shows(await w.expand(['gone@example.com'])), ['failed 550 5.1.1 <gone@example.com>... This address is no longer in use']);
    assert.deepEqual(shows(await w.expand(['nobody-here@example.com'])), ['failed 550 5.1.1 <nobody-here@example.com>... User unknown']);
    assert.deepEqual(shows(await w.expand(['"|/bin/sh -c id"@example.com'])), [
      'failed 550 5.7.1 <"|/bin/sh -c id"@example.com>... Cannot mail directly to programs',
    ]);
    // Command-line submissions show the address as typed, without angle brackets (cli.md §8).
    assert.deepEqual(shows(await w.expand(['|/bin/sh'], { protocol: 'local' })), ['failed 550 5.7.1 |/bin/sh... Cannot mail directly to programs']);
  }));

test('§10 the other entries: postmaster, MAILER-DAEMON, prog and archive as DefaultUser', () =>
  withWorld(async (w) => {
    assert.deepEqual(shows(await w.expand(['postmaster@example.com', 'MAILER-DAEMON@example.com'])), ['mailbox root']);
    assert.deepEqual(shows(await w.expand(['prog@example.com', 'archive@example.com'])), [
      'program /usr/bin/vacation bob as nobody',
      'file /var/mail-archive/team as nobody',
    ]);
  }));
