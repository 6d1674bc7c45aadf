// aliases-forward.md §8 rules 1–13 (and §2.4 error:, relay-and-access.md §10 redirect).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { J, World, shows } from './fixture.js';

async function withWorld(aliases: string | undefined, fn: (w: World) => Promise<void>): Promise<void> {
  const w = await World.create(aliases);
  try {
    await fn(w);
  } finally {
    await w.cleanup();
  }
}

test('rule 1: remote addresses are never aliased; unqualified and class w addresses are', () =>
  withWorld('bob: carol\neric@prep.ai.mit.edu: bob\n', async (w) => {
    assert.deepEqual(shows(await w.expand(['bob@remote.example', 'eric@prep.ai.mit.edu'])), ['remote bob@remote.example', 'remote eric@prep.ai.mit.edu']);
    assert.deepEqual(shows(await w.expand(['bob'])), ['mailbox carol']);
    assert.deepEqual(shows(await w.expand(['bob@MX.Example.COM.'])), ['mailbox carol']);
    // relay-and-access.md §3: a route through a local domain is followed to where it really goes.
    assert.deepEqual(shows(await w.expand(['user%elsewhere.example@example.com'])), ['remote user@elsewhere.example']);
    const r = await w.expand(['Bob@Remote.Example']);
    assert.equal(r[0]!.key, 'remote:Bob@remote.example');
  }));

test('rule 2: user+detail, then user+*, then user; a plussed user without alias is the user', () =>
  withWorld('bob+news: carol\nbob+*: erin\nfrank: dave\n', async (w) => {
    assert.deepEqual(shows(await w.expand(['bob+news@example.com'])), ['mailbox carol']);
    assert.deepEqual(shows(await w.expand(['bob+other@example.com'])), ['mailbox erin']);
    assert.deepEqual(shows(await w.expand(['frank+x@example.com'])), ['mailbox dave']);
    assert.deepEqual(shows(await w.expand(['carol+x@example.com'])), ['mailbox carol']);
    assert.deepEqual(shows(await w.expand(['nobody-here+x@example.com'])), ['failed 550 5.1.1 <nobody-here+x@example.com>... User unknown']);
  }));

test('rule 2 and §5.2: the +detail selects a ForwardPath candidate with $h', () =>
  withWorld('', async (w) => {
    w.options.forwardPath = ['$z/.forward+$h', '$z/.forward'];
    await w.file(`${w.home('bob')}/.forward+lists`, 'carol\n', 'bob');
    await w.forward('bob', 'erin\n');
    assert.deepEqual(shows(await w.expand(['bob+lists@example.com'])), ['mailbox carol']);
    assert.deepEqual(shows(await w.expand(['bob+other@example.com'])), ['mailbox erin']);
    assert.deepEqual(shows(await w.expand(['bob@example.com'])), ['mailbox erin']);
  }));

test('rule 3: elements are processed again (aliases of aliases, .forward of the users reached)', () =>
  withWorld('staff: team, frank@remote.example\nteam: bob, carol\n', async (w) => {
    await w.forward('carol', 'carol@home.example\n');
    assert.deepEqual(shows(await w.expand(['staff@example.com'])), ['mailbox bob', 'remote carol@home.example', 'remote frank@remote.example']);
  }));

test('rule 4: a self-reference in an alias or a .forward is the mailbox, not expanded again', () =>
  withWorld('bob: bob, bob@other.example\n', async (w) => {
    assert.deepEqual(shows(await w.expand(['bob@example.com'])), ['mailbox bob', 'remote bob@other.example']);
    await w.forward('carol', 'carol, carol@other.example\n');
    assert.deepEqual(shows(await w.expand(['carol@example.com'])), ['mailbox carol', 'remote carol@other.example']);
  }));

test('rule 5: the depth limit counts .forward and :include: levels too', () =>
  withWorld('a1: a2\na2: a3\na3: bob\n', async (w) => {
    w.options.maxAliasRecursion = 4;
    // a1 (0) → a2 → a3 → bob (3) → bob's .forward: carol (4).
    await w.forward('bob', 'carol\n');
    assert.deepEqual(shows(await w.expand(['a1@example.com'])), ['mailbox carol']);
    // … → bob (3) → erin (4) → erin's .forward: erin@remote.example (5).
    await w.forward('bob', 'erin\n');
    await w.forward('erin', 'erin@remote.example\n');
    assert.deepEqual(shows(await w.expand(['a1@example.com'])), ['failed 554 5.4.6 aliasing/forwarding loop broken (5 aliases deep; 4 max)']);
    // inc (0) → :include: (1) → a1 (2) → a2 → a3 (4) → bob (5).
    const list = await w.file(`${w.dir}/list`, 'a1\n', 'root');
    await w.setAliases(`a1: a2\na2: a3\na3: bob\ninc: :include:${list}\n`);
    assert.deepEqual(shows(await w.expand(['inc@example.com'])), ['failed 554 5.4.6 aliasing/forwarding loop broken (5 aliases deep; 4 max)']);
    w.options.maxAliasRecursion = 10;
    assert.deepEqual(shows(await w.expand(['inc@example.com'])), ['remote erin@remote.example']);
  }));

test('rule 6: loops fail; a loop beside real members only drops the looping member', () =>
  withWorld('a: b\nb: c\nc: a\nx: y, bob\ny: x\n', async (w) => {
    assert.deepEqual(shows(await w.expand(['a@example.com'])), ['failed 554 5.4.6 aliasing/forwarding loop for a broken']);
    assert.deepEqual(shows(await w.expand(['x@example.com'])), ['failed 554 5.4.6 aliasing/forwarding loop for x broken', 'mailbox bob']);
    // Through .forward files: bob → carol → bob.
    await w.forward('bob', 'carol\n');
    await w.forward('carol', 'bob\n');
    assert.deepEqual(shows(await w.expand(['bob@example.com'])), ['failed 554 5.4.6 aliasing/forwarding loop for bob broken']);
  }));

test('rule 7: each mailbox, address, file and program (per controlling user) is delivered once', () =>
  withWorld('team: bob, carol\nall: team, bob, BOB@example.com, x@Remote.Example, x@remote.example, X@remote.example\np1: "|/bin/prog"\np2: "|/bin/prog", /tmp/f, /tmp/f\n', async (w) => {
    const r = await w.expand(['bob@example.com', 'all@example.com']);
    assert.deepEqual(shows(r), ['mailbox bob', 'mailbox carol', 'remote x@remote.example', 'remote X@remote.example']);
    assert.deepEqual(r.map((e) => e.recipient), [0, 1, 1, 1]);
    assert.deepEqual(r.map((e) => e.key), ['mailbox:bob', 'mailbox:carol', 'remote:x@remote.example', 'remote:X@remote.example']);
    // The same program from bob's .forward runs as bob: a different delivery.
    await w.forward('bob', '\\bob, "|/bin/prog"\n');
    const p = await w.expand(['p1@example.com', 'p2@example.com', 'bob@example.com']);
    assert.deepEqual(shows(p), ['program /bin/prog as nobody', 'file /tmp/f as nobody', 'mailbox bob', 'program /bin/prog as bob']);
  }));

test('rule 8: MeToo=False leaves the sender out of a list; True (default) sends them a copy', () =>
  withWorld('team: bob, carol\nsolo: bob\n', async (w) => {
    assert.deepEqual(shows(await w.expand(['team@example.com'], { sender: 'bob@example.com' })), ['mailbox bob', 'mailbox carol']);
    w.options.meToo = false;
    assert.deepEqual(shows(await w.expand(['team@example.com'], { sender: 'bob@example.com' })), ['mailbox carol']);
    assert.deepEqual(shows(await w.expand(['team@example.com'], { sender: 'BOB' })), ['mailbox carol']);
    // Not a list (one element): the sender gets it.
    assert.deepEqual(shows(await w.expand(['solo@example.com'], { sender: 'bob@example.com' })), ['mailbox bob']);
    // A remote sender of the same local part is someone else.
    assert.deepEqual(shows(await w.expand(['team@example.com'], { sender: 'bob@remote.example' })), ['mailbox bob', 'mailbox carol']);
  }));

test('rule 9: owner-X changes the sender of what X delivers, only there', () =>
  withWorld('list: bob, carol\nowner-list: list-request\nlist-request: carol\nother: erin, list\nowner-other: dave, frank\nplain: frank\nowner-remote: someone@remote.example\nremote: bob\n', async (w) => {
    const r = await w.expand(['other@example.com', 'plain@example.com']);
    assert.deepEqual(shows(r), ['mailbox erin', 'mailbox bob', 'mailbox carol', 'mailbox frank']);
    assert.deepEqual(r.map((e) => e.envelopeSender), [`owner-other@${J}`, `list-request@${J}`, `list-request@${J}`, undefined]);
    const rr = await w.expand(['remote@example.com']);
    assert.equal(rr[0]!.envelopeSender, 'someone@remote.example');
    // A bounce (null sender) stays a bounce.
    const b = await w.expand(['list@example.com'], { sender: '' });
    assert.deepEqual(b.map((e) => e.envelopeSender), [undefined, undefined]);
  }));

test('rule 10: programs and files of the system alias file run as DefaultUser, never root', () =>
  withWorld('p: "|/bin/prog", /var/log/x\n', async (w) => {
    const r = await w.expand(['p@example.com']);
    for (const e of r) {
      const d = e.delivery!;
      assert.ok(d.kind === 'program' || d.kind === 'file');
      assert.equal(d.as.uid, 65534);
    }
    // Root's own .forward: its programs run as DefaultUser too (program-and-file-delivery.md §3.1).
    await w.forward('root', '\\root, "|/bin/prog root"\n', 0o644, 'root');
    assert.deepEqual(shows(await w.expand(['root@example.com'])), ['mailbox root', 'program /bin/prog root as nobody']);
  }));

test('rule 11: programs, files and :include: typed as recipients are refused', () =>
  withWorld('', async (w) => {
    assert.deepEqual(shows(await w.expand(['"/etc/passwd"@example.com', '":include:/etc/mail/list"@example.com', '"|cat"'])), [
      'failed 550 5.7.1 <"/etc/passwd"@example.com>... Cannot mail directly to files',
      'failed 550 5.7.1 <":include:/etc/mail/list"@example.com>... Cannot mail directly to :include:s',
      'failed 550 5.7.1 <"|cat">... Cannot mail directly to programs',
    ]);
    assert.deepEqual(shows(await w.expand(['/tmp/x', ':include:/tmp/y'], { protocol: 'local' })), [
      'failed 550 5.7.1 /tmp/x... Cannot mail directly to files',
      'failed 550 5.7.1 :include:/tmp/y... Cannot mail directly to :include:s',
    ]);
  }));

test('rule 12: an alias or include that expands to nothing is logged; no delivery, no DSN', () =>
  withWorld('', async (w) => {
    const path = await w.file(`${w.dir}/empty-list`, '# nobody yet\n\n', 'root');
    await w.setAliases(`empty: :include:${path}\nmine: bob, bob@example.com\n`);
    assert.deepEqual(await w.expand(['empty@example.com']), []);
    assert.deepEqual(w.logs.map((l) => l.message), [`:include:${path}... expanded to no recipients`]);
    w.options.meToo = false;
    assert.deepEqual(await w.expand(['mine@example.com'], { sender: 'bob@example.com' }), []);
    assert.equal(w.logs[1]!.message, 'mine... expanded to no recipients');
  }));

test('rule 13: unknown users; postmaster always exists (root’s mailbox without alias or user)', () =>
  withWorld('ghost: casper\n', async (w) => {
    assert.deepEqual(shows(await w.expand(['ghost@example.com'])), ['failed 550 5.1.1 casper... User unknown']);
    assert.deepEqual(shows(await w.expand(['Postmaster@example.com', 'postmaster'])), ['mailbox root']);
    assert.deepEqual(shows(await w.expand(['\\nobody-here'], { protocol: 'local' })), ['failed 550 5.1.1 \\nobody-here... User unknown']);
  }));

test('§2.4 error: values — 5xx fails, 4xx defers, the class default enhanced code', () =>
  withWorld('gone: error:5.1.1:550 This address is no longer in use\nlater: error:450 Mailbox busy; try later\nplain: error:550 Go away\n', async (w) => {
    assert.deepEqual(shows(await w.expand(['gone', 'later', 'plain'], { protocol: 'local' })), [
      'failed 550 5.1.1 gone... This address is no longer in use',
      'deferred 450 4.0.0 later... Mailbox busy; try later',
      'failed 550 5.0.0 plain... Go away',
    ]);
  }));

test('redirect: an alias to new@domain.REDIRECT fails with 551 User has moved (with FEATURE(redirect))', () =>
  withWorld('olduser: new@Example.NET.REDIRECT\n', async (w) => {
    assert.deepEqual(shows(await w.expand(['olduser@example.com'])), ['remote new@example.net.redirect']);
    w.options.redirect = true;
    assert.deepEqual(shows(await w.expand(['olduser@example.com'])), ['failed 551 5.1.1 User has moved; please try <new@Example.NET>']);
    assert.deepEqual(shows(await w.expand(['someone@elsewhere.example.REDIRECT'], { protocol: 'local' })), [
      'failed 551 5.1.1 User has moved; please try <someone@elsewhere.example>',
    ]);
  }));

test('NOTIFY: members of an expanded list lose SUCCESS; a one-element alias keeps it', () =>
  withWorld('team: bob, carol\nsolo: erin\n', async (w) => {
    const r = await w.expand([
      { address: 'team@example.com', notify: ['SUCCESS', 'FAILURE'] },
      { address: 'solo@example.com', notify: ['SUCCESS'] },
      { address: 'frank@example.com' },
    ]);
    assert.deepEqual(r.map((e) => [e.notify, e.expanded]), [
      [['FAILURE'], true],
      [['FAILURE'], true],
      [['SUCCESS'], undefined],
      [undefined, undefined],
    ]);
    await w.forward('frank', 'frank@remote.example\n');
    const f = await w.expand([{ address: 'frank@example.com', notify: ['SUCCESS'] }]);
    assert.deepEqual(f.map((e) => [e.notify, e.expanded]), [[['NEVER'], true]]);
  }));

test('sendmail -n: no aliasing and no .forward', () =>
  withWorld('bob: carol\n', async (w) => {
    await w.forward('erin', 'erin@remote.example\n');
    assert.deepEqual(shows(await w.expand(['bob@example.com', 'erin@example.com'], { extra: { noAliasing: true } })), ['mailbox bob', 'mailbox erin']);
  }));

test('only the recipients asked for are expanded (the runner skips those already done)', async () => {
  const w = await World.create('team: bob, carol\n');
  try {
    const env = { sender: 'a@b.example', recipients: [{ address: 'team', primary: true }, { address: 'erin', primary: true }] };
    const { expandRecipients } = await import('../../src/route/expand.js');
    const r = await expandRecipients(env, await w.context(), [1]);
    assert.deepEqual(shows(r), ['mailbox erin']);
    assert.equal(r[0]!.recipient, 1);
  } finally {
    await w.cleanup();
  }
});

test('an alias, a .forward or a :include: reached by many paths is expanded once (linear work)', () =>
  withWorld('', async (w) => {
    // l0 names l1 three times, l1 names l2 three times, …: 3^7 paths to l7, one expansion each.
    const lines = Array.from({ length: 7 }, (_, i) => `l${i}: l${i + 1}, l${i + 1}, l${i + 1}`);
    const list = await w.file(`${w.dir}/shared-list`, 'carol\n', 'root');
    await w.setAliases(`${lines.join('\n')}\nl7: bob, :include:${list}\nfan: ${Array.from({ length: 50 }, () => `:include:${list}`).join(', ')}\n`);
    await w.forward('bob', '\\bob, erin\n');
    const counted: string[] = [];
    const inner = w.files;
    w.files = { read: (path, as, ms) => (counted.push(path), inner.read(path, as, ms)) };
    assert.deepEqual(shows(await w.expand(['l0@example.com', 'fan@example.com'])), ['mailbox bob', 'mailbox erin', 'mailbox carol']);
    assert.deepEqual(counted.filter((p) => p === list).length, 1);
    assert.deepEqual(counted.filter((p) => p.endsWith('/.forward')).length, 3);
  }));
