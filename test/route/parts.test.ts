// The small pieces of routing: ForwardPath expansion, DefaultUser, the pure safety judgement.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePasswd } from '../../src/maps/users.js';
import type { FileRead } from '../../src/route/file-access.js';
import { directoryPathProblem, judgeForward, judgeInclude } from '../../src/route/file-safety.js';
import { forwardCandidates } from '../../src/route/forward-path.js';
import { resolveDefaultUser, userLookup } from '../../src/route/users.js';

test('§5.2 ForwardPath: $z $u $w $h; candidates with $h only for a +detail', () => {
  const path = ['$z/.forward.$w+$h', '$z/.forward+$h', '$z/.forward.$w', '$z/.forward', 'relative/$u'];
  assert.deepEqual(forwardCandidates(path, { home: '/home/bob', user: 'bob', w: 'mx' }), ['/home/bob/.forward.mx', '/home/bob/.forward']);
  assert.deepEqual(forwardCandidates(path, { home: '/home/bob', user: 'bob', w: 'mx', detail: 'lists' }), [
    '/home/bob/.forward.mx+lists',
    '/home/bob/.forward+lists',
    '/home/bob/.forward.mx',
    '/home/bob/.forward',
  ]);
  assert.deepEqual(forwardCandidates(['/var/forward/$u'], { home: '/home/bob', user: 'bob', w: 'mx' }), ['/var/forward/bob']);
  assert.deepEqual(forwardCandidates(path, { home: '', user: 'bob', w: 'mx' }), []);
});

test('DefaultUser: a name, name:gid or uid:gid; never root', () => {
  const users = userLookup(parsePasswd('root:x:0:0::/root:/bin/sh\nnobody:x:65534:65534::/nonexistent:/usr/sbin/nologin\nmail:x:8:8::/var/mail:/usr/sbin/nologin\n', 'passwd'));
  assert.deepEqual(resolveDefaultUser('nobody', users), { name: 'nobody', uid: 65534, gid: 65534, home: '/nonexistent', shell: '/usr/sbin/nologin' });
  assert.deepEqual(resolveDefaultUser('mail:12', users), { name: 'mail', uid: 8, gid: 12, home: '/var/mail', shell: '/usr/sbin/nologin' });
  assert.deepEqual(resolveDefaultUser('1:1', users), { name: '#1', uid: 1, gid: 1, home: '/', shell: '' });
  assert.equal(resolveDefaultUser('root', users), 'DefaultUser root: must not be root');
  assert.equal(resolveDefaultUser('0:0', users), 'DefaultUser 0:0: must not be root');
  assert.equal(resolveDefaultUser('ghost', users), 'DefaultUser ghost: no such user');
  assert.equal(users.byUid(8)?.name, 'mail');
  assert.equal(users.byName('MAIL')?.uid, 8);
});

const rules = (...flags: string[]) => ({ dontBlame: new Set(flags), unsafeGroupWrites: true });
type Ok = Extract<FileRead, { status: 'ok' }>;
const facts = (over: Partial<Ok> = {}): Ok => ({
  status: 'ok',
  content: '',
  file: { dev: 1, ino: 2, mode: 0o100644, uid: 1000, gid: 1000, nlink: 1, size: 0 },
  symlink: false,
  linkDirWritableByOthers: false,
  dirs: [
    { path: '/', uid: 0, mode: 0o40755 },
    { path: '/home', uid: 0, mode: 0o40755 },
    { path: '/home/bob', uid: 1000, mode: 0o40755 },
  ],
  ...over,
});

test('the safety judgement is a function of the facts alone', () => {
  const bob = { name: 'bob', uid: 1000 };
  assert.deepEqual(judgeForward(facts(), bob, rules()), { use: true, unsafe: false });
  const sticky = facts({ dirs: [{ path: '/', uid: 0, mode: 0o40755 }, { path: '/tmp', uid: 0, mode: 0o41777 }] });
  assert.deepEqual(judgeForward(sticky, bob, rules()), { use: false, reason: 'unsafe directory path' });
  assert.deepEqual(judgeForward(sticky, bob, rules('TrustStickyBit')), { use: true, unsafe: false });
  // A world-writable directory without the sticky bit stays unsafe with TrustStickyBit.
  const open = facts({ dirs: [{ path: '/', uid: 0, mode: 0o40777 }] });
  assert.equal(directoryPathProblem(open.dirs, new Set([0]), rules('TrustStickyBit')), 'any');
  assert.equal(directoryPathProblem(facts({ dirs: [{ path: '/', uid: 0, mode: 0o40775 }] }).dirs, new Set([0]), rules()), 'group');
  // Include: the directories may belong to the file's owner or to the reader.
  assert.deepEqual(judgeInclude(facts({ file: { ...facts().file, uid: 0 } }), 1000, rules()), { use: true, unsafe: false });
  assert.deepEqual(judgeInclude(facts({ file: { ...facts().file, uid: 0 } }), 65534, rules()), { use: false, reason: 'unsafe directory path' });
  assert.deepEqual(judgeInclude(facts({ file: { ...facts().file, mode: 0o20644 } }), 1000, rules()), { use: false, reason: 'not a regular file' });
});
