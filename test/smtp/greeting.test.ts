import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildGreeting, greetingReply } from '../../src/smtp/greeting.js';
import { lookupIn } from '../../src/smtp/macros.js';
import { wire } from '../../src/smtp/replies.js';

const macros = lookupIn({ j: 'mx.example.com', b: 'Mon, 1 Jan 2024 12:00:00 +0000', v: '1.2.0', Z: '1.2.0' });

test('§2.2 example table', () => {
  const rows: [string, string[]][] = [
    ['$j Postern; $b', ['220 mx.example.com ESMTP Postern; Mon, 1 Jan 2024 12:00:00 +0000']],
    ['$j', ['220 mx.example.com ESMTP']],
    [
      '$j Sendmail $v/$Z; $b NO UCE C=xx L=xx',
      ['220 mx.example.com ESMTP Sendmail 1.2.0/1.2.0; Mon, 1 Jan 2024 12:00:00 +0000 NO UCE C=xx L=xx'],
    ],
    ['$j hello\\nsecond line', ['220-mx.example.com ESMTP hello', '220 second line']],
  ];
  for (const [option, lines] of rows) {
    const r = buildGreeting(option, macros);
    assert.equal(r.code, 220);
    assert.deepEqual(r.lines, lines, option);
  }
});

test('§2.2 construction: later lines drop one leading blank; real newlines split too', () => {
  assert.deepEqual(greetingReply('mx.example.com one\\n  two\\n\tthree\nfour').lines, [
    '220-mx.example.com ESMTP one',
    '220- two',
    '220-three',
    '220 four',
  ]);
  assert.deepEqual(greetingReply('mx.example.com  two  spaces').lines, ['220 mx.example.com ESMTP  two  spaces']);
  assert.equal(wire(greetingReply('a\\nb')), '220-a ESMTP\r\n220 b\r\n');
});

test('a carriage return that reached the text never reaches the wire', () => {
  assert.deepEqual(greetingReply('mx.example.com hi\rthere').lines, ['220 mx.example.com ESMTP hi?there']);
});
