import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasControl, hasNonAscii, octetLength, sanitizeEcho, sanitizeValue } from '../../src/smtp/sanitize.js';

test('rule 4: echoed text keeps printable ASCII and replaces everything else by ?', () => {
  assert.equal(sanitizeEcho('WHATEVER'), 'WHATEVER');
  assert.equal(sanitizeEcho(''), '');
  assert.equal(sanitizeEcho('   '), '   ');
  assert.equal(sanitizeEcho('a\tb\x00c\x7fd\xe9e'), 'a?b?c?d?e');
  assert.equal(sanitizeEcho('caf\u00e9 \u4e2d'), 'caf? ?');
});

test('rule 4: more than 100 characters are cut to 97 followed by ...', () => {
  const exactly100 = 'x'.repeat(100);
  assert.equal(sanitizeEcho(exactly100), exactly100);
  const long = `${'y'.repeat(97)}ZZZZ`;
  const out = sanitizeEcho(long);
  assert.equal(out, `${'y'.repeat(97)}...`);
  assert.equal(out.length, 100);
  assert.equal(sanitizeEcho(`${'\x01'.repeat(120)}`), `${'?'.repeat(97)}...`);
});

test('rule 5: values lose control characters only', () => {
  assert.equal(sanitizeValue('host.example [192.0.2.1]'), 'host.example [192.0.2.1]');
  assert.equal(sanitizeValue('evil\r\nRCPT\x7f'), 'evil??RCPT?');
  assert.equal(sanitizeValue('b\u00fccher.example'), 'b\u00fccher.example');
  assert.equal(sanitizeValue('x'.repeat(300)).length, 300);
});

test('helpers: control, non-ASCII and octet length', () => {
  assert.equal(hasControl('abc'), false);
  assert.equal(hasControl('a\tb'), true);
  assert.equal(hasControl('a\x7f'), true);
  assert.equal(hasNonAscii('abc~'), false);
  assert.equal(hasNonAscii('\x80'), true);
  assert.equal(octetLength('abc'), 3);
  assert.equal(octetLength('\xe9'), 1, 'latin1-decoded text: one octet per character');
  assert.equal(octetLength('\u4e2d'), 3, 'UTF-8 decoded text counts its UTF-8 length');
});
