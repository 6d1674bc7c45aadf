// Standard input as a message (cli.md §5.1) and address lists (To:/Cc:/Bcc: and arguments).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readMessageText } from '../../src/submit/message-text.js';
import { parseAddressList } from '../../src/submit/address-list.js';

const text = (s: string, i = false): string => readMessageText(Buffer.from(s, 'latin1'), i).data.toString('latin1');

test('line ends, bare CR, the last line without LF', () => {
  assert.equal(text('a\nb\r\nc'), 'a\r\nb\r\nc\r\n');
  assert.equal(text('a\rb\n'), 'a b\r\n');
  assert.equal(text(''), '');
});

test('the dot convention without -i; none with -i', () => {
  assert.equal(text('a\n.\nb\n'), 'a\r\n');
  assert.equal(text('..x\n.y\n'), '.x\r\ny\r\n');
  assert.equal(text('a\n.\nb\n', true), 'a\r\n.\r\nb\r\n');
  assert.equal(text('a\r\n.\r\nb\r\n'), 'a\r\n');
});

test('a leading From line is taken off and its address kept; NUL and 8-bit octets are noted', () => {
  const m = readMessageText(Buffer.from('From bob@example.com Mon Jan  1 00:00:00 2024\nSubject: x\n\n\u00e9\u0000\n', 'latin1'), false);
  assert.equal(m.fromLine, 'bob@example.com');
  assert.ok(m.data.toString('latin1').startsWith('Subject: x\r\n'));
  assert.deepEqual([m.hasNul, m.eightBit], [true, true]);
  assert.equal(readMessageText(Buffer.from('Subject: From here\n'), false).fromLine, undefined);
});

test('address lists: names, comments, quotes, groups; arguments keep :include:', () => {
  assert.deepEqual(parseAddressList('Bob <bob@x>, "Smith, Carol" <carol@y> (work), dave'), ['bob@x', 'carol@y', 'dave']);
  assert.deepEqual(parseAddressList('undisclosed-recipients:;'), []);
  assert.deepEqual(parseAddressList('team: a@x, b@y;, c@z'), ['a@x', 'b@y', 'c@z']);
  assert.deepEqual(parseAddressList(':include:/etc/list', false), [':include:/etc/list']);
  assert.deepEqual(parseAddressList('bob,carol', false), ['bob', 'carol']);
});
