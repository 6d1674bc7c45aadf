import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkEnvelope, decodeEnvelope, encodeEnvelope, EnvelopeFormatError } from '../../src/queue/envelope.js';
import { sampleEnvelope } from './helpers.js';

test('an envelope survives encoding and decoding unchanged', () => {
  const e = sampleEnvelope('0123456789abcd', 10, {
    bodyType: '8BITMIME',
    ret: 'HDRS',
    envid: 'QQ314159',
    auth: '<>',
    smtputf8: true,
    eightBit: true,
    precedence: 'bulk',
    recipients: [
      { address: 'bob@example.net', orcpt: 'rfc822;bob@example.net', notify: ['SUCCESS', 'DELAY'], primary: true },
      { address: 'carol', notify: ['NEVER'], primary: false },
    ],
  });
  assert.deepEqual(decodeEnvelope(encodeEnvelope(e)), e);
});

test('envelopes of another shape or version are refused', () => {
  const good = sampleEnvelope('0123456789abcd', 10);
  const bad: [string, unknown][] = [
    ['not JSON', undefined],
    ['version 2', { ...good, version: 2 }],
    ['bad id', { ...good, id: '../../etc/pwd' }],
    ['no recipients', { ...good, recipients: [] }],
    ['recipient without address', { ...good, recipients: [{ primary: true }] }],
    ['unknown NOTIFY word', { ...good, recipients: [{ address: 'a', primary: true, notify: ['ALWAYS'] }] }],
    ['NEVER with others', { ...good, recipients: [{ address: 'a', primary: true, notify: ['NEVER', 'DELAY'] }] }],
    ['bad body type', { ...good, bodyType: 'BINARYMIME' }],
    ['negative size', { ...good, size: -1 }],
    ['sender not a string', { ...good, sender: null }],
  ];
  for (const [what, v] of bad) {
    const bytes = v === undefined ? Buffer.from('{"version":1,') : Buffer.from(JSON.stringify(v));
    assert.throws(() => decodeEnvelope(bytes), EnvelopeFormatError, what);
  }
  assert.equal(checkEnvelope(good), good);
});
