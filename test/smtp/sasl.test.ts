// SASL PLAIN and LOGIN decoding (RFC 4616, RFC 4954 §4), without a socket.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBase64, plainCredentials, start, step } from '../../src/smtp/sasl.js';

test('strict base64: padding, "=" as the empty response, anything else refused', () => {
  assert.deepEqual(decodeBase64('YWJj'), Buffer.from('abc'));
  assert.deepEqual(decodeBase64('YWI='), Buffer.from('ab'));
  assert.deepEqual(decodeBase64('='), Buffer.alloc(0));
  assert.deepEqual(decodeBase64(''), Buffer.alloc(0));
  for (const bad of ['YWJ', 'YW=j', 'Y*Jj', 'YWJj ', 'YQ===']) assert.equal(decodeBase64(bad), undefined, bad);
});

test('PLAIN: authzid NUL authcid NUL passwd; another authzid or a missing part is no credential', () => {
  assert.deepEqual(plainCredentials(Buffer.from('\0alice\0pw')), { user: 'alice', password: Buffer.from('pw') });
  assert.deepEqual(plainCredentials(Buffer.from('alice\0alice\0pw')), { user: 'alice', password: Buffer.from('pw') });
  assert.equal(plainCredentials(Buffer.from('bob\0alice\0pw')), undefined);
  assert.equal(plainCredentials(Buffer.from('alice\0pw')), undefined);
  assert.equal(plainCredentials(Buffer.from('\0\0pw')), undefined);
  assert.equal(plainCredentials(Buffer.from('\0alice\0pw\0more')), undefined);
});

test('the exchanges: PLAIN with and without initial response, LOGIN in two steps', () => {
  assert.deepEqual(start('PLAIN', undefined), { kind: 'challenge', text: '', next: { mech: 'PLAIN' } });
  assert.deepEqual(start('PLAIN', Buffer.from('\0a\0b')), { kind: 'done', credentials: { user: 'a', password: Buffer.from('b') } });
  const s1 = start('LOGIN', undefined);
  assert.deepEqual(s1, { kind: 'challenge', text: 'VXNlcm5hbWU6', next: { mech: 'LOGIN' } });
  const s2 = step({ mech: 'LOGIN' }, Buffer.from('alice'));
  assert.deepEqual(s2, { kind: 'challenge', text: 'UGFzc3dvcmQ6', next: { mech: 'LOGIN', user: 'alice' } });
  assert.deepEqual(step({ mech: 'LOGIN', user: 'alice' }, Buffer.from('pw')), { kind: 'done', credentials: { user: 'alice', password: Buffer.from('pw') } });
  assert.deepEqual(step({ mech: 'LOGIN', user: '' }, Buffer.from('pw')), { kind: 'done', credentials: undefined });
});
