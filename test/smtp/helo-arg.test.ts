import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkHeloArg } from '../../src/smtp/helo-arg.js';
import { REPLIES, render } from '../../src/smtp/replies.js';

function refused(verb: string, arg: string): string {
  const r = checkHeloArg(verb, arg, false);
  if (r.ok) assert.fail(`expected ${verb} ${arg} to be refused`);
  return r.reply.lines[0];
}

test('§5 step 1: empty argument, the verb echoed as typed', () => {
  assert.equal(refused('HELO', ''), render(REPLIES.heloNeedsDomain, { verb: 'HELO' }));
  assert.equal(refused('ehlo', ''), '501 5.0.0 ehlo requires domain address');
  assert.equal(refused('EhLo', ''), '501 5.0.0 EhLo requires domain address');
  assert.deepEqual(checkHeloArg('HELO', '', true), { ok: true, name: '', bogus: false });
});

test('§5 steps 2-3: length and characters (observed sendmail cases)', () => {
  const accepted = ['-host.example.net', '..', 'host.example.net.', '[192.0.2.1]', '[IPv6:2001:db8::1]', 'my_host#1', 'x'.repeat(256)];
  for (const a of accepted) assert.deepEqual(checkHeloArg('EHLO', a, false), { ok: true, name: a, bogus: false }, a);
  assert.deepEqual(checkHeloArg('EHLO', 'host.example.net   ', false), { ok: true, name: 'host.example.net', bogus: false });
  assert.deepEqual(checkHeloArg('EHLO', 'host.example.net\t', false), { ok: true, name: 'host.example.net', bogus: false });
  const invalid = ['user@host.example.net', 'host example', 'host.example.net x', 'h\u00f6st', 'a/b', 'x'.repeat(257), 'a\rb'];
  for (const a of invalid) assert.equal(refused('EHLO', a), render(REPLIES.heloInvalid), a);
  assert.equal(refused('HELO', 'host example'), '501 5.0.0 Invalid domain name');
});

test('AllowBogusHELO accepts an invalid name, cut at its first space', () => {
  assert.deepEqual(checkHeloArg('HELO', 'host example', true), { ok: true, name: 'host', bogus: true });
  assert.deepEqual(checkHeloArg('HELO', 'user@host.example', true), { ok: true, name: 'user@host.example', bogus: true });
  assert.deepEqual(checkHeloArg('HELO', 'a\x01b', true), { ok: true, name: 'a?b', bogus: true });
  assert.equal(checkHeloArg('HELO', 'x'.repeat(257), true).ok, false, 'the length limit holds even then');
});
