// The DATA payload (RFC 5321 §4.5.2): dot-stuffing, CR LF, the final dot, and no copy of a body that
// needs no change.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dataPayload } from '../../../src/outbound/client/body.js';

const sent = (s: string): string => Buffer.concat(dataPayload(Buffer.from(s, 'latin1'))).toString('latin1');

test('a body that needs nothing is sent as the same octets (a slice, not a copy) and the final dot', () => {
  const body = Buffer.from('Subject: x\r\n\r\nline\r\n');
  const parts = dataPayload(body);
  assert.equal(parts.length, 2);
  assert.equal(parts[0]!.buffer, body.buffer);
  assert.equal(parts[1]!.toString(), '.\r\n');
});

test('leading dots are doubled on every line, including the first and a lone dot', () => {
  assert.equal(sent('.a\r\nb\r\n.\r\n..c\r\n'), '..a\r\nb\r\n..\r\n...c\r\n.\r\n');
  assert.equal(sent('x\r\n.'), 'x\r\n..\r\n.\r\n');
});

test('bare LF becomes CR LF; a dot after a bare LF is stuffed too; a missing last line end is added', () => {
  assert.equal(sent('a\nb\n.c\nd'), 'a\r\nb\r\n..c\r\nd\r\n.\r\n');
  assert.equal(sent('\n\n'), '\r\n\r\n.\r\n');
});

test('an empty body is just the final dot', () => {
  assert.equal(sent(''), '.\r\n');
});
