import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchesPattern, parsePattern, type AnswerPattern } from '../../src/policy/dnsbl-pattern.js';

// FEATURE(enhdnsbl) answer patterns, relay-and-access.md §8.2.

function pat(s: string): AnswerPattern {
  const p = parsePattern(s);
  if (typeof p === 'string') assert.fail(p);
  return p;
}

test('an exact address, with or without the trailing dot', () => {
  assert.ok(matchesPattern(pat('127.0.0.2.'), '127.0.0.2'));
  assert.ok(!matchesPattern(pat('127.0.0.2.'), '127.0.0.3'));
  assert.ok(matchesPattern(pat('127.0.0.2'), '127.0.0.2'));
});

test('$- stands for any one octet', () => {
  assert.ok(matchesPattern(pat('127.0.$-.3.'), '127.0.1.3'));
  assert.ok(matchesPattern(pat('127.0.$-.3.'), '127.0.255.3'));
  assert.ok(!matchesPattern(pat('127.0.$-.3.'), '127.0.1.4'));
  assert.ok(matchesPattern(pat('$-.$-.$-.$-.'), '10.1.2.3'));
});

test('$+ at the end: one or more further octets; $*: zero or more', () => {
  assert.ok(matchesPattern(pat('127.1.$+'), '127.1.2.3'));
  assert.ok(matchesPattern(pat('127.0.0.$+.'), '127.0.0.9'));
  assert.ok(!matchesPattern(pat('127.1.$+'), '127.0.2.3'));
  assert.ok(matchesPattern(pat('127.$*'), '127.0.0.2'));
  assert.ok(matchesPattern(pat('127.0.0.2.$*'), '127.0.0.2'));
  assert.ok(!matchesPattern(pat('127.$*'), '128.0.0.2'));
});

test('anything else is refused', () => {
  for (const bad of ['', '.', '127.0.0', '127.0.0.2.5', '127.0.0.256.', '127.$+.0.1', '127.0.0.2.$+', 'a.b.c.d', '127.0.0.$@']) {
    assert.equal(typeof parsePattern(bad), 'string', bad);
  }
});

test('an answer that is not a dotted quad never matches', () => {
  assert.ok(!matchesPattern(pat('$-.$-.$*'), '::1'));
});
