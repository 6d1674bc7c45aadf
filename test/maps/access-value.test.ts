import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_OPERATOR_CHARS, rebuildErrorText, specialsOf } from '../../src/maps/access-error-text.js';
import { parseAccessValue, valueGroupOf, type AccessValue } from '../../src/maps/access-value.js';

const specials = specialsOf(undefined);

function value(raw: string, group: 'action' | 'spam' | 'number' = 'action'): AccessValue {
  const r = parseAccessValue(raw, group, specials);
  assert.ok(r.ok, `expected ${raw} to parse: ${r.ok ? '' : r.message}`);
  return r.value;
}

function failure(raw: string, group: 'action' | 'spam' | 'number' = 'action'): string {
  const r = parseAccessValue(raw, group, specials);
  assert.ok(!r.ok, `expected ${raw} to be refused`);
  return r.message;
}

test('§2.2 plain actions, any case, keep the value as written', () => {
  assert.deepEqual(value('OK'), { kind: 'ok', raw: 'OK' });
  assert.deepEqual(value('RELAY'), { kind: 'relay', raw: 'RELAY' });
  assert.deepEqual(value('REJECT'), { kind: 'reject', raw: 'REJECT' });
  assert.deepEqual(value('DISCARD'), { kind: 'discard', raw: 'DISCARD' });
  assert.deepEqual(value('SKIP'), { kind: 'skip', raw: 'SKIP' });
  assert.deepEqual(value('reject'), { kind: 'reject', raw: 'reject' });
});

test('§2.2 QUARANTINE:reason keeps the reason as written; an empty reason is refused', () => {
  assert.deepEqual(value('QUARANTINE:Held for Review'), { kind: 'quarantine', raw: 'QUARANTINE:Held for Review', reason: 'Held for Review' });
  assert.match(failure('QUARANTINE:'), /needs a reason/);
});

test('§2.2 ERROR:ddd text: class default enhanced code (smtp-session.md §1 rule 2)', () => {
  assert.deepEqual(value('ERROR:550 go away'), {
    kind: 'error',
    raw: 'ERROR:550 go away',
    code: 550,
    enhanced: '5.0.0',
    enhancedGiven: false,
    text: 'go away',
    quoted: false,
    closes: false,
    deprecatedForm: false,
  });
  const v = value('ERROR:450 mailbox full');
  assert.ok(v.kind === 'error');
  assert.equal(v.code, 450);
  assert.equal(v.enhanced, '4.0.0');
  assert.equal(v.text, 'mailbox full');
});

test('§2.2 ERROR:D.S.N:ddd text', () => {
  const v = value('ERROR:5.7.1:550 Mail refused');
  assert.ok(v.kind === 'error');
  assert.deepEqual([v.code, v.enhanced, v.enhancedGiven, v.text], [550, '5.7.1', true, 'Mail refused']);
});

test('§2.2 quoted ERROR text: quotes removed, text kept exactly', () => {
  const v = value('ERROR:5.7.1:"550 go away"');
  assert.ok(v.kind === 'error');
  assert.deepEqual([v.code, v.enhanced, v.text, v.quoted], [550, '5.7.1', 'go away', true]);
  const spaced = value('ERROR:5.7.0:"550 We do not like you,  really. See http://x.example/"');
  assert.ok(spaced.kind === 'error');
  assert.equal(spaced.text, 'We do not like you,  really. See http://x.example/');
  const textOnly = value('ERROR:550 "Refused. See http://x.example/"');
  assert.ok(textOnly.kind === 'error');
  assert.deepEqual([textOnly.code, textOnly.text, textOnly.quoted], [550, 'Refused. See http://x.example/', true]);
});

test('§2.2 unquoted ERROR texts are rebuilt as sendmail sends them (both examples of the spec)', () => {
  const a = value('ERROR:5.7.1:550 Mail refused, ask postmaster');
  assert.ok(a.kind === 'error');
  assert.equal(a.text, 'Mail refused,ask postmaster');
  assert.equal(`${a.code} ${a.enhanced} <spam@bad.example>... ${a.text}`, '550 5.7.1 <spam@bad.example>... Mail refused,ask postmaster');
  const b = value('ERROR:550 Refused. See http://x.example/');
  assert.ok(b.kind === 'error');
  assert.equal(b.text, 'Refused.See http://x.example/');
});

test('§11 rows: quoted From: text and the To:bob@ blocklist text', () => {
  const q = value('ERROR:5.7.0:"550 We do not like you"');
  assert.ok(q.kind === 'error');
  assert.equal(`${q.code} ${q.enhanced} <x@bad.example>... ${q.text}`, '550 5.7.0 <x@bad.example>... We do not like you');
  const b = value('ERROR:550 Mailbox disabled for bob');
  assert.ok(b.kind === 'error');
  assert.equal(`${b.code} ${b.enhanced} <bob@example.com>... ${b.text}`, '550 5.0.0 <bob@example.com>... Mailbox disabled for bob');
});

test('§2.2 an ERROR code 421 closes the session; others do not', () => {
  const v = value('ERROR:4.7.0:421 Go away now');
  assert.ok(v.kind === 'error');
  assert.equal(v.closes, true);
  const w = value('ERROR:451 later');
  assert.ok(w.kind === 'error');
  assert.equal(w.closes, false);
});

test('§2.2 deprecated `ddd text` is an ERROR, marked for audit', () => {
  const v = value('550 go away');
  assert.ok(v.kind === 'error');
  assert.deepEqual([v.code, v.enhanced, v.text, v.deprecatedForm], [550, '5.0.0', 'go away', true]);
});

test('an enhanced code written at the front of the text is taken as the enhanced code', () => {
  const v = value('ERROR:550 5.7.1 Relay access denied');
  assert.ok(v.kind === 'error');
  assert.deepEqual([v.enhanced, v.enhancedGiven, v.text], ['5.7.1', true, 'Relay access denied']);
});

test('FRIEND and HATER only for Spam:, which takes nothing else', () => {
  assert.deepEqual(value('FRIEND', 'spam'), { kind: 'friend', raw: 'FRIEND' });
  assert.deepEqual(value('HATER', 'spam'), { kind: 'hater', raw: 'HATER' });
  assert.match(failure('FRIEND'), /only valid for Spam: keys/);
  assert.match(failure('REJECT', 'spam'), /FRIEND or HATER/);
});

test('numbers for GreetPause:, ClientRate:, ClientConn:', () => {
  assert.deepEqual(value('5000', 'number'), { kind: 'number', raw: '5000', value: 5000 });
  assert.deepEqual(value('0', 'number'), { kind: 'number', raw: '0', value: 0 });
  assert.match(failure('five', 'number'), /not a number/);
  assert.equal(valueGroupOf('GreetPause'), 'number');
  assert.equal(valueGroupOf('ClientRate'), 'number');
  assert.equal(valueGroupOf('ClientConn'), 'number');
  assert.equal(valueGroupOf('Spam'), 'spam');
  assert.equal(valueGroupOf('Connect'), 'action');
  assert.equal(valueGroupOf(undefined), 'action');
});

test('any other value is refused with a reason', () => {
  assert.match(failure('ACCEPT'), /"ACCEPT" is not an access value/);
  assert.match(failure('REJECT # spammer'), /a # comment must be on a line of its own/);
  assert.match(failure('ERROR:go away'), /does not give a reply code/);
  assert.match(failure('ERROR:250 fine'), /not 4xx or 5xx/);
  assert.match(failure('ERROR:550'), /no text/);
  assert.match(failure('ERROR:9.9.9:550 x'), /invalid enhanced status code/);
  assert.match(failure('250 ok'), /not 4xx or 5xx/);
  assert.equal(failure('ERROR:550 bad\rtext'), '"ERROR:550 bad?text" contains a control character');
  assert.match(failure('QUARANTINE:x\x00y'), /control character/);
});

test('an enhanced code of another class than the reply code is kept, with a warning', () => {
  const r = parseAccessValue('ERROR:5.7.1:450 later', 'action', specials);
  assert.ok(r.ok);
  assert.match(r.warning ?? '', /does not match reply code 450/);
});

test('the ERROR text rebuild: one space between words, none next to specials', () => {
  assert.equal(rebuildErrorText('  Mail   refused ,  ask\tpostmaster  ', specials), 'Mail refused,ask postmaster');
  assert.equal(rebuildErrorText('see <postmaster@example.com> (or call) ; thanks', specials), 'see<postmaster@example.com>(or call);thanks');
  assert.equal(rebuildErrorText('50% off! ^_^ a + b [x]', specials), '50%off!^_^a+b[x]');
  assert.equal(rebuildErrorText('keep "two  spaces , here" and\\ this', specials), 'keep "two  spaces , here" and\\ this');
  assert.equal(rebuildErrorText('', specials), '');
});

test('OperatorChars of the configuration decide which characters are special', () => {
  assert.equal(DEFAULT_OPERATOR_CHARS, '.:%@!^/[]+');
  const dotsOnly = specialsOf('.');
  assert.equal(rebuildErrorText('Refused. See http://x.example/ a , b', dotsOnly), 'Refused.See http://x.example/ a,b');
  const v = parseAccessValue('ERROR:550 Refused. See you', 'action', specialsOf(''));
  assert.ok(v.ok && v.value.kind === 'error');
  assert.equal(v.value.text, 'Refused. See you');
});
