// The per-client AUTH failure count (docs/auth.md): counted per address, forgotten after the window.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AuthFailures } from '../../src/policy/auth-failures.js';

test('failures per address within the window; the window starts at the first failure', () => {
  const f = new AuthFailures(60_000);
  assert.equal(f.count('192.0.2.1', 0), 0);
  assert.equal(f.add('192.0.2.1', 0), 1);
  assert.equal(f.add('192.0.2.1', 30_000), 2);
  assert.equal(f.add('192.0.2.2', 30_000), 1);
  assert.equal(f.count('192.0.2.1', 59_999), 2);
  assert.equal(f.count('192.0.2.1', 60_000), 0);
  assert.equal(f.add('192.0.2.1', 60_001), 1);
});

test('a scan from many addresses stays bounded: expired entries are swept', () => {
  const f = new AuthFailures(1000);
  for (let i = 0; i < 10_000; i++) f.add(`10.0.${i >> 8}.${i & 255}`, 0);
  f.add('192.0.2.9', 5000);
  assert.equal(f.size, 1);
});
