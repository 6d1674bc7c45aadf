import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeXtext, encodeXtext, isXtext } from '../../src/smtp/xtext.js';

test('RFC 3461 §4: xtext decoding', () => {
  const rows: [string, string | undefined][] = [
    ['', ''],
    ['abc', 'abc'],
    ['rfc822+3Bx', 'rfc822;x'],
    ['a+2Bb+3Dc', 'a+b=c'],
    ['a+2bb', 'a+b'],
    ['<>', '<>'],
    ['!~', '!~'],
    ['a=b', undefined],
    ['a b', undefined],
    ['a+', undefined],
    ['a+2', undefined],
    ['a+G0', undefined],
    ['\xe9', undefined],
    ['a\x7f', undefined],
  ];
  for (const [input, out] of rows) {
    assert.equal(decodeXtext(input), out, JSON.stringify(input));
    assert.equal(isXtext(input), out !== undefined);
  }
});

test('xtext encoding escapes +, =, spaces, controls and 8-bit octets, and round-trips', () => {
  assert.equal(encodeXtext('a+b=c d'), 'a+2Bb+3Dc+20d');
  assert.equal(encodeXtext('plain@example.com'), 'plain@example.com');
  assert.equal(encodeXtext('\u00e9'), '+E9');
  assert.equal(encodeXtext('\u4e2d'), '+E4+B8+AD');
  for (const s of ['x+y', 'x=y', 'tab\there', '~!']) assert.equal(decodeXtext(encodeXtext(s)), s);
});
