import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requireRdns, type ClientResolve } from '../../src/policy/require-rdns.js';
import { renderPolicy } from '../../src/smtp/replies.js';

// FEATURE(require_rdns), relay-and-access.md §5 step 4.

function lines(clientAddr: string, resolve: ClientResolve, clientInRelayClass = false, addr?: string): string[] | undefined {
  const r = requireRdns({ clientAddr, resolve, clientInRelayClass });
  return r === undefined ? undefined : renderPolicy(r, addr).lines.slice();
}

test('a forward-confirmed name is accepted', () => {
  assert.equal(lines('198.51.100.5', 'OK'), undefined);
});

test('no PTR, a temporary failure, a forged name: the exact replies', () => {
  assert.deepEqual(lines('198.51.100.4', 'FAIL'), ['550 5.7.1 Fix reverse DNS for 198.51.100.4']);
  assert.deepEqual(lines('198.51.100.7', 'TEMP'), ['451 4.1.8 Client IP address 198.51.100.7 does not resolve']);
  assert.deepEqual(lines('198.51.100.6', 'FORGED'), ['451 4.1.8 Possibly forged hostname for 198.51.100.6']);
  assert.deepEqual(lines('IPv6:2001:db8::4', 'FAIL'), ['550 5.7.1 Fix reverse DNS for IPv6:2001:db8::4']);
});

test('class R clients and local submissions are exempt', () => {
  for (const r of ['FAIL', 'TEMP', 'FORGED'] as const) {
    assert.equal(lines('198.51.100.4', r, true), undefined);
    assert.equal(lines('', r), undefined);
  }
});

test('with delay_checks the 550 carries the recipient prefix; 451 never does', () => {
  assert.deepEqual(lines('198.51.100.4', 'FAIL', false, '<bob@example.com>'), [
    '550 5.7.1 <bob@example.com>... Fix reverse DNS for 198.51.100.4',
  ]);
  assert.deepEqual(lines('198.51.100.7', 'TEMP', false, '<bob@example.com>'), [
    '451 4.1.8 Client IP address 198.51.100.7 does not resolve',
  ]);
});
