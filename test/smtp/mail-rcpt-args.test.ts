import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMailRcptArg } from '../../src/smtp/mail-rcpt-args.js';
import { REPLIES, render } from '../../src/smtp/replies.js';

function errorLine(arg: string, kw: 'FROM' | 'TO'): string {
  const r = parseMailRcptArg(arg, kw);
  assert.equal(r.ok, false, `expected a rejection for ${JSON.stringify(arg)}`);
  if (r.ok) throw new Error('unreachable');
  assert.equal(r.reply.lines.length, 1);
  return r.reply.lines[0];
}

test('§6 step 4 / §7 step 3: the scanning "<word>" rejections', () => {
  const cases: [string, 'FROM' | 'TO', string][] = [
    ['FROM', 'FROM', 'FROM'],
    ['FROM:', 'FROM', 'FROM'],
    ['FROM: ', 'FROM', 'FROM'],
    ['TO:<a@b>', 'FROM', 'TO'],
    ['', 'FROM', ''],
    ['FROMX:<a@b>', 'FROM', 'FROMX'],
    ['FROM <a@b>', 'FROM', 'FROM'],
    ['TO:', 'TO', 'TO'],
    ['TO:   ', 'TO', 'TO'],
    ['FROM:<a@b.example>', 'TO', 'FROM'],
    ['T\x01O:<a@b>', 'TO', 'T?O'],
  ];
  for (const [arg, kw, word] of cases) {
    assert.equal(errorLine(arg, kw), render(REPLIES.syntaxScanning, { word }), arg);
  }
  assert.equal(errorLine('FROM:', 'FROM'), '501 5.5.2 Syntax error in parameters scanning "FROM"');
  assert.equal(errorLine('TO:<a@b>', 'FROM'), '501 5.5.2 Syntax error in parameters scanning "TO"');
});

test('the path is returned as typed and parameters follow it', () => {
  const cases: [string, 'FROM' | 'TO', string, string[]][] = [
    ['FROM:<a@b.example>', 'FROM', '<a@b.example>', []],
    ['from:<a@b.example>', 'FROM', '<a@b.example>', []],
    ['FROM : <a@b.example>', 'FROM', '<a@b.example>', []],
    ['FROM:   <a@b.example>  SIZE=10   BODY=8BITMIME', 'FROM', '<a@b.example>', ['SIZE=10', 'BODY=8BITMIME']],
    ['FROM:user@example.net', 'FROM', 'user@example.net', []],
    ['FROM:<<user@example.net>>', 'FROM', '<<user@example.net>>', []],
    ['FROM:<>', 'FROM', '<>', []],
    ['FROM:<a@b.example> <c@d.example>', 'FROM', '<a@b.example>', ['<c@d.example>']],
    ['TO:<"john doe"@example.com> NOTIFY=NEVER', 'TO', '<"john doe"@example.com>', ['NOTIFY=NEVER']],
    ['TO:"|/bin/sh -c id"@example.com', 'TO', '"|/bin/sh -c id"@example.com', []],
    ['TO:<a b@c> X', 'TO', '<a b@c>', ['X']],
    ['TO:<a@b (a comment) > X', 'TO', '<a@b (a comment) >', ['X']],
    ['TO:<a@b\tX=1', 'TO', '<a@b\tX=1', []],
    ['TO:<a@b>\tX=1', 'TO', '<a@b>', ['X=1']],
  ];
  for (const [arg, kw, path, params] of cases) {
    const r = parseMailRcptArg(arg, kw);
    assert.deepEqual(r, { ok: true, path, params }, arg);
  }
});

test('§3.2: at most 20 parameters', () => {
  const twenty = Array.from({ length: 20 }, (_, i) => `X${i}=1`).join(' ');
  const ok = parseMailRcptArg(`FROM:<a@b> ${twenty}`, 'FROM');
  assert.equal(ok.ok, true);
  assert.equal(errorLine(`FROM:<a@b> ${twenty} X20=1`, 'FROM'), render(REPLIES.tooManyParams));
  assert.equal(errorLine(`FROM:<a@b> ${twenty} X20=1`, 'FROM'), '501 5.5.4 Too many parameters');
});
