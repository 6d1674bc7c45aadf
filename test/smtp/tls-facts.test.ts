// The TLS facts of the Received header and the STARTTLS log line (smtp-session.md §8.5): key bits from
// the cipher name, never from its digest part.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cipherBits, tlsFactsText } from '../../src/smtp/tls-facts.js';

test('cipher bits: AES-128 with SHA256 is 128, AES-256 and ChaCha20 are 256', () => {
  assert.equal(cipherBits('TLS_AES_128_GCM_SHA256'), 128);
  assert.equal(cipherBits('ECDHE-RSA-AES128-GCM-SHA256'), 128);
  assert.equal(cipherBits('TLS_AES_256_GCM_SHA384'), 256);
  assert.equal(cipherBits('ECDHE-RSA-AES256-GCM-SHA384'), 256);
  assert.equal(cipherBits('TLS_CHACHA20_POLY1305_SHA256'), 256);
  assert.equal(cipherBits('NULL-SHA256'), 0);
  assert.equal(tlsFactsText({ version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', bits: 256, verify: 'NO' }), 'version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 bits=256 verify=NO');
});
