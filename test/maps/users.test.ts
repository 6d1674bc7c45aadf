import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPasswd, parsePasswd } from '../../src/maps/users.js';
import { formatDiagnostic } from '../../src/util/diagnostics.js';

const PASSWD = [
  'root:x:0:0:root:/root:/bin/bash',
  'bob:x:1000:1000:Bob Builder,Room 1,555-1234,:/home/bob:/bin/sh',
  'dave:x:1001:1001::/home/dave:/usr/sbin/nologin',
  'Carol:x:1002:1002:Carol C.:/home/carol:',
  '',
  '# a comment',
  'broken:x:12',
  'nouid:x::1:x:/:/bin/sh',
  'neg:x:-1:1:x:/:/bin/sh',
  'root:x:99:99:second root:/:/bin/sh',
  '+@netgroup::::::',
  'crlf:x:7:7:CR LF:/home/crlf:/bin/sh\r',
].join('\n');

test('passwd(5) lines become users; GECOS is cut at the first comma', () => {
  const t = parsePasswd(PASSWD, '/etc/passwd');
  assert.deepEqual(t.lookupUser('bob'), { name: 'bob', uid: 1000, gid: 1000, gecos: 'Bob Builder', home: '/home/bob', shell: '/bin/sh' });
  assert.deepEqual(t.lookupUser('root'), { name: 'root', uid: 0, gid: 0, gecos: 'root', home: '/root', shell: '/bin/bash' });
  assert.equal(t.lookupUser('dave')?.gecos, '');
  assert.equal(t.lookupUser('crlf')?.shell, '/bin/sh');
  assert.deepEqual([...t.users.keys()], ['root', 'bob', 'dave', 'Carol', 'crlf']);
});

test('§7 step 8: lookups fold the name to lower case (getpwnam on the folded name)', () => {
  const t = parsePasswd(PASSWD, '/etc/passwd');
  assert.equal(t.lookupUser('BOB')?.name, 'bob');
  assert.equal(t.lookupUser('Root')?.uid, 0);
  assert.equal(t.lookupUser('Carol'), undefined, 'an upper-case passwd name is never reached by a folded lookup');
  assert.equal(t.lookupUser('nobody-here'), undefined);
});

test('malformed lines are reported with their line number and left out', () => {
  const t = parsePasswd(PASSWD, '/etc/passwd');
  assert.deepEqual(t.diagnostics.map(formatDiagnostic), [
    '/etc/passwd:7: malformed passwd line: 3 fields instead of 7',
    '/etc/passwd:8: malformed passwd line: bad uid for nouid',
    '/etc/passwd:9: malformed passwd line: bad uid for neg',
    '/etc/passwd:10: warning: duplicate user root; the first entry is used',
    '/etc/passwd:11: notice: NIS compat entry ignored',
  ]);
});

test('loadPasswd reads a real file; an unreadable one is an error naming it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'postern-users-'));
  try {
    const p = join(dir, 'passwd');
    await writeFile(p, PASSWD);
    const t = await loadPasswd(p);
    assert.equal(t.lookupUser('bob')?.home, '/home/bob');
    assert.equal(t.diagnostics[0]?.file, p);
    const missing = await loadPasswd(join(dir, 'none'));
    assert.equal(missing.users.size, 0);
    assert.deepEqual(missing.diagnostics.map(formatDiagnostic), [`${join(dir, 'none')}: cannot read user database: ENOENT`]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the system passwd file loads by default', async () => {
  const t = await loadPasswd();
  assert.equal(t.lookupUser('root')?.uid, 0);
});
