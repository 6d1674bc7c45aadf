import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_IDLE, parseOptions, parseTarget } from '../../bench/options.js';
import { parseCommand } from '../../bench/spawn.js';

test('no arguments: Postern, the standard scenario and the idle test', () => {
  const o = parseOptions([]);
  assert.deepEqual(o.targets, [{ kind: 'postern' }]);
  assert.equal(o.sessions, 50);
  assert.equal(o.size, 10240);
  assert.equal(o.rcpts, 1);
  assert.equal(o.pipelining, true);
  assert.equal(o.idle, DEFAULT_IDLE);
  assert.equal(o.messages, undefined);
});

test('--compare adds a second target; a bare host:port without pids gets no idle test', () => {
  assert.deepEqual(parseOptions(['--compare', 'postfix']).targets, [{ kind: 'postern' }, { kind: 'postfix' }]);
  const o = parseOptions(['--target', '127.0.0.1:2525']);
  assert.deepEqual(o.targets, [{ kind: 'address', host: '127.0.0.1', port: 2525, pids: [] }]);
  assert.equal(o.idle, 0);
  assert.deepEqual(parseTarget('[::1]:25'), { kind: 'address', host: '::1', port: 25, pids: [] });
});

test('--spawn takes an argv (words or JSON) and needs a port; --server-pid is repeatable', () => {
  const o = parseOptions(['--port', '2600', '--spawn', 'node server.js --port 2600', '--server-pid', '10', '--server-pid', '11']);
  assert.deepEqual(o.targets, [{ kind: 'address', host: '127.0.0.1', port: 2600, pids: [10, 11], spawn: ['node', 'server.js', '--port', '2600'] }]);
  assert.deepEqual(parseCommand('["/usr/bin/my server", "-x"]'), ['/usr/bin/my server', '-x']);
  assert.throws(() => parseOptions(['--spawn', 'x']), /--spawn needs --port/);
  assert.throws(() => parseOptions(['--target', 'postfix', '--spawn', 'x']), /cannot be combined/);
});

test('bad values are refused with the option named', () => {
  assert.throws(() => parseOptions(['--sessions', '0']), /--sessions: expected an integer >= 1/);
  assert.throws(() => parseOptions(['--target', 'nowhere']), /expected postern, postfix or HOST:PORT/);
  assert.throws(() => parseOptions(['--rcpts', '2', '--to', 'a@b']), /needs a --to pattern with \{n\}/);
  assert.throws(() => parseOptions(['--bogus']), /bogus/);
});

test('--local: a fresh filesystem per run unless --local-fs tmpdir; --rounds repeats each run', () => {
  const o = parseOptions(['--local', '--formats', 'maildir', '--rounds', '3']);
  assert.equal(o.local, true);
  assert.deepEqual(o.localFormats, ['maildir']);
  assert.equal(o.localFs, 'fresh');
  assert.equal(o.rounds, 3);
  assert.equal(parseOptions(['--local', '--local-fs', 'tmpdir']).localFs, 'tmpdir');
  assert.throws(() => parseOptions(['--local', '--local-fs', 'ramdisk']), /--local-fs: expected fresh or tmpdir/);
});
