import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalize, normalizeDomain, unquote, type CanonicalOptions } from '../../src/policy/canonical.js';
import { parseAddress } from '../../src/smtp/address.js';

// The setup of relay-and-access.md §11: $j = mx.example.com, class w = {localhost, mx.example.com,
// example.com, [192.0.2.10]}.
const W = new Set(['localhost', 'mx.example.com', 'example.com', '[192.0.2.10]']);
const base: CanonicalOptions = { isLocalDomain: (d) => W.has(d), j: 'mx.example.com', m: 'example.com' };

/** The address as the session hands it over: parsed from the RCPT path first. */
function canon(typed: string, opts: CanonicalOptions = base): { local: string; domain: string | undefined; isLocal: boolean; rounds: number; rejected?: string } {
  const a = parseAddress(typed, { role: 'RCPT' });
  if (!a.ok) assert.fail(`${typed}: ${a.reply.lines[0]}`);
  return canonicalize(a.address, opts);
}

test('relay-and-access.md §3 table: each relay trick is turned into its real destination', () => {
  const rows: [string, string, string | undefined, boolean, number][] = [
    ['<user%evil.example@example.com>', 'user', 'evil.example', false, 1],
    ['<"user@evil.example"@example.com>', 'user', 'evil.example', false, 1],
    ['<"user@evil.example">', 'user', 'evil.example', false, 1],
    ['<"user%evil.example">', 'user', 'evil.example', false, 1],
    ['<user%evil.example>', 'user', 'evil.example', false, 0],
    ['<user%evil.example%example.com@example.com>', 'user', 'evil.example', false, 2],
    ['<user@evil.example%example.com>', 'user', 'evil.example%example.com', false, 0],
    ['<user\\@evil.example@example.com>', 'user\\@evil.example', 'example.com', true, 0],
    ['<evil.example!user@example.com>', 'user', 'evil.example', false, 1],
    ['<@example.com:user@evil.example>', 'user', 'evil.example', false, 0],
    ['<@mx.example.com,@evil.example:user@evil.example>', 'user', 'evil.example', false, 0],
    ['<example.com!evil.example!user>', 'user', 'evil.example', false, 1],
    ['<user@evil.example.>', 'user', 'evil.example', false, 0],
    ['<user@EVIL.EXAMPLE>', 'user', 'evil.example', false, 0],
    ['<@evil.example:user@example.com>', 'user', 'example.com', true, 0],
    ['<user@[203.0.113.5]>', 'user', '[203.0.113.5]', false, 0],
    ['<user@[192.0.2.10]>', 'user', '[192.0.2.10]', true, 0],
    ['<user%evil.example@friend.example>', 'user%evil.example', 'friend.example', false, 0],
  ];
  for (const [typed, local, domain, isLocal, rounds] of rows) {
    assert.deepEqual(canon(typed), { local, domain, isLocal, rounds }, typed);
  }
});

test('step 3: localhost and localhost.$m become $j; step 5: local parts of local addresses are unquoted', () => {
  assert.deepEqual(canon('<bob@localhost>'), { local: 'bob', domain: 'mx.example.com', isLocal: true, rounds: 0 });
  assert.deepEqual(canon('<bob@LocalHost.Example.COM.>'), { local: 'bob', domain: 'mx.example.com', isLocal: true, rounds: 0 });
  assert.deepEqual(canon('<"john.doe"@example.com>'), { local: 'john.doe', domain: 'example.com', isLocal: true, rounds: 0 });
  assert.deepEqual(canon('<"john.doe"@remote.example>'), { local: '"john.doe"', domain: 'remote.example', isLocal: false, rounds: 0 });
  assert.deepEqual(canon('<postmaster>'), { local: 'postmaster', domain: undefined, isLocal: true, rounds: 0 });
});

test('UUCP forms: single-label hosts get .UUCP; nouucp leaves ! alone', () => {
  assert.deepEqual(canon('<host!user>'), { local: 'user', domain: 'host.uucp', isLocal: false, rounds: 0 });
  assert.deepEqual(canon('<a.b!user>'), { local: 'user', domain: 'a.b', isLocal: false, rounds: 0 });
  assert.deepEqual(canon('<evil.example!user@example.com>', { ...base, nouucp: true }), {
    local: 'evil.example!user',
    domain: 'example.com',
    isLocal: true,
    rounds: 0,
  });
  assert.deepEqual(canon('<evil.example!user@example.com>', { ...base, nouucp: 'reject' }), {
    local: 'evil.example!user',
    domain: 'example.com',
    isLocal: false,
    rounds: 0,
    rejected: 'uucp',
  });
});

test('FEATURE(nopercenthack): reject marks the address bogus, nospecial makes % an ordinary character', () => {
  assert.deepEqual(canon('<user%x@example.com>', { ...base, nopercenthack: 'reject' }), {
    local: 'user%x',
    domain: 'example.com',
    isLocal: false,
    rounds: 0,
    rejected: 'percent',
  });
  assert.deepEqual(canon('<user%example.com@example.com>', { ...base, nopercenthack: 'reject' }).rejected, 'percent');
  assert.deepEqual(canon('<user%x@example.com>', { ...base, nopercenthack: 'nospecial' }), {
    local: 'user%x',
    domain: 'example.com',
    isLocal: true,
    rounds: 0,
  });
  assert.deepEqual(canon('<user%evil.example>', { ...base, nopercenthack: 'nospecial' }), {
    local: 'user%evil.example',
    domain: undefined,
    isLocal: true,
    rounds: 0,
  });
});

test('a routing loop through local domains ends', () => {
  const deep = `${'a%'.repeat(40)}example.com`;
  const r = canonicalize(deep, base);
  assert.ok(r.rounds <= 32);
});

test('helpers: normalizeDomain and unquote', () => {
  assert.equal(normalizeDomain('Example.COM.'), 'example.com');
  assert.equal(unquote('"a b"'), 'a b');
  assert.equal(unquote('"a\\"b"'), 'a\\"b');
  assert.equal(unquote('user\\@host'), 'user\\@host');
});
