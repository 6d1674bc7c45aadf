import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDsn } from '../../src/bounce/dsn.js';
import type { DsnRecipient } from '../../src/bounce/types.js';
import { ORIGINAL, field, lines, pythonParse, sampleContext, sampleEnvelope } from './helpers.js';

function recipientBlock(r: DsnRecipient, ctx = sampleContext()): Array<[string, string]> {
  const m = pythonParse(buildDsn('failure', sampleEnvelope(), [r], ORIGINAL, ctx).data);
  assert.deepEqual(m.parts[1]!.defects, []);
  return m.parts[1]!.blocks![1]!;
}

test('per-recipient fields in order: Original-Recipient, Final-Recipient, X-Actual-Recipient, Action, Status, Remote-MTA, Diagnostic-Code, Last-Attempt-Date', () => {
  const block = recipientBlock({
    original: 'rfc822;info@example.com',
    final: 'info@example.com',
    actual: 'bob',
    action: 'failed',
    status: '5.2.2',
    remoteMta: 'mx.example.net.',
    diagnostic: '552 5.2.2 Mailbox full',
    lastAttempt: Date.UTC(2024, 0, 1, 12, 4, 59),
  });
  assert.deepEqual(block, [
    ['Original-Recipient', 'rfc822;info@example.com'],
    ['Final-Recipient', 'RFC822; info@example.com'],
    ['X-Actual-Recipient', 'RFC822; bob@mail.example.com'],
    ['Action', 'failed'],
    ['Status', '5.2.2'],
    ['Remote-MTA', 'DNS; mx.example.net'],
    ['Diagnostic-Code', 'SMTP; 552 5.2.2 Mailbox full'],
    ['Last-Attempt-Date', 'Mon, 1 Jan 2024 12:04:59 +0000'],
  ]);
});

test('noactualrecipient leaves X-Actual-Recipient out; it is never shown for the same mailbox', () => {
  const r: DsnRecipient = { final: 'info@example.com', actual: 'bob', action: 'failed', status: '5.0.0' };
  assert.equal(field(recipientBlock(r, sampleContext({ noactualrecipient: true })), 'X-Actual-Recipient'), undefined);
  assert.equal(field(recipientBlock(r), 'X-Actual-Recipient'), 'RFC822; bob@mail.example.com');
  assert.equal(field(recipientBlock({ ...r, final: 'bob@example.com', actual: 'bob' }), 'X-Actual-Recipient'), undefined);
  assert.equal(field(recipientBlock({ ...r, final: 'Bob@example.com', actual: 'bob@example.com' }), 'X-Actual-Recipient'), undefined);
  assert.equal(field(recipientBlock({ ...r, actual: 'carol@mail.example.com' }), 'X-Actual-Recipient'), 'RFC822; carol@mail.example.com');
});

test('no ORCPT, no Original-Recipient; programs and files are X-Unix; typed values are kept', () => {
  const prog = recipientBlock({ final: '|/usr/bin/vacation bob', action: 'failed', status: '5.7.1', diagnostic: '550 5.7.1 Address |/usr/bin/vacation bob is unsafe for mailing to programs' });
  assert.equal(field(prog, 'Original-Recipient'), undefined);
  assert.equal(field(prog, 'Final-Recipient'), 'X-Unix; |/usr/bin/vacation bob');
  assert.equal(field(prog, 'Diagnostic-Code'), 'X-Unix; 550 5.7.1 Address |/usr/bin/vacation bob is unsafe for mailing to programs');
  assert.equal(field(recipientBlock({ final: '/var/mail-archive/team', action: 'failed', status: '5.0.0' }), 'Final-Recipient'), 'X-Unix; /var/mail-archive/team');
  assert.equal(field(recipientBlock({ final: 'rfc822;bob@example.com', action: 'failed', status: '5.0.0' }), 'Final-Recipient'), 'RFC822; bob@example.com');
  assert.equal(field(recipientBlock({ final: 'X-UNIX; |cmd', action: 'failed', status: '5.0.0' }), 'Final-Recipient'), 'X-Unix; |cmd');
  const explicit = recipientBlock({ final: 'bob@example.com', action: 'failed', status: '5.0.0', diagnostic: '554 no', diagnosticType: 'SMTP' });
  assert.equal(field(explicit, 'Diagnostic-Code'), 'SMTP; 554 no');
});

test('a malformed status falls back to the action default; no diagnostic, no Diagnostic-Code', () => {
  const block = recipientBlock({ final: 'bob@example.com', action: 'failed', status: 'bogus' });
  assert.equal(field(block, 'Status'), '5.0.0');
  assert.equal(field(block, 'Diagnostic-Code'), undefined);
  assert.equal(field(block, 'Last-Attempt-Date'), 'Mon, 1 Jan 2024 12:05:00 +0000');
});

test('the human-readable listing: expanded from, programs as written', () => {
  const dsn = buildDsn(
    'failure',
    sampleEnvelope(),
    [
      { final: 'carol@example.com', action: 'failed', status: '5.1.1', diagnostic: '550 5.1.1 <carol@example.com>... User unknown', expandedFrom: 'team@example.com' },
      { final: '|/usr/bin/vacation bob', action: 'failed', status: '5.7.1' },
    ],
    ORIGINAL,
    sampleContext(),
  );
  const all = lines(dsn.data);
  const at = all.indexOf('   ----- The following addresses had permanent fatal errors -----');
  assert.deepEqual(all.slice(at + 1, at + 6), [
    '<carol@example.com>',
    '    (reason: 550 5.1.1 <carol@example.com>... User unknown)',
    '    (expanded from: team@example.com)',
    '|/usr/bin/vacation bob',
    '',
  ]);
});

test('text from outside cannot add header fields or lines: CR, LF and controls are flattened', () => {
  const dsn = buildDsn(
    'failure',
    sampleEnvelope({ envid: 'x\r\nBcc: victim@example.org' }),
    [{ final: 'bob@example.com', action: 'failed', status: '5.0.0', remoteMta: 'mx\r\nX-Evil: 1', diagnostic: '550 no\r\n\r\n--fake\x00\x07' }],
    ORIGINAL,
    sampleContext(),
  );
  const all = lines(dsn.data);
  assert.ok(all.includes('Original-Envelope-Id: x Bcc: victim@example.org'));
  assert.ok(all.includes('Remote-MTA: DNS; mx X-Evil: 1'));
  assert.ok(all.includes('Diagnostic-Code: SMTP; 550 no --fake??'));
  assert.ok(!all.some((l) => /^(Bcc|X-Evil):/.test(l)));
  assert.deepEqual(pythonParse(dsn.data).defects, []);
});

test('a boundary found in the returned message is never used (§6.2 format kept, a suffix added)', () => {
  const trap = Buffer.from('Subject: trap\r\n\r\n--5AbCdEfGh0002k.1704110700/mail.example.com--\r\n--5AbCdEfGh0002k.1704110700/mail.example.com.1\r\n');
  const dsn = buildDsn('failure', sampleEnvelope(), [{ final: 'bob@example.com', action: 'failed', status: '5.0.0' }], trap, sampleContext());
  const m = pythonParse(dsn.data);
  assert.equal(m.boundary, '5AbCdEfGh0002k.1704110700/mail.example.com.2');
  assert.equal(m.parts.length, 3);
  assert.equal(m.parts[2]!.inner_body, '--5AbCdEfGh0002k.1704110700/mail.example.com--\r\n--5AbCdEfGh0002k.1704110700/mail.example.com.1\r\n');
});

test('a long $j is cut so the boundary keeps to 70 characters', () => {
  const j = `${'a'.repeat(60)}.example.com`;
  const dsn = buildDsn('failure', sampleEnvelope(), [{ final: 'bob@example.com', action: 'failed', status: '5.0.0' }], ORIGINAL, sampleContext({ j }));
  const m = pythonParse(dsn.data);
  assert.equal(m.boundary!.length, 70);
  assert.ok(m.boundary!.startsWith('5AbCdEfGh0002k.1704110700/aaaa'));
  assert.equal(m.parts.length, 3);
  assert.ok(lines(dsn.data).includes(`Reporting-MTA: dns; ${j}`));
});

test('a UTF-8 diagnostic makes the text part text/plain; charset=utf-8, 8bit', () => {
  const dsn = buildDsn('failure', sampleEnvelope(), [{ final: 'bob@example.com', action: 'failed', status: '5.0.0', diagnostic: '550 Boîte pleine' }], ORIGINAL, sampleContext());
  const m = pythonParse(dsn.data);
  assert.equal(field(m.headers, 'Content-Transfer-Encoding'), '8bit');
  assert.equal(field(m.parts[0]!.headers, 'Content-Type'), 'text/plain; charset=utf-8');
  assert.equal(field(m.parts[1]!.headers, 'Content-Transfer-Encoding'), '8bit');
  assert.ok(m.parts[0]!.text!.includes(Buffer.from('550 Boîte pleine').toString('latin1')));
});

test('dates follow the offset given ($b with a numeric zone), Message-Id uses the local $t', () => {
  const dsn = buildDsn('failure', sampleEnvelope(), [{ final: 'bob@example.com', action: 'failed', status: '5.0.0' }], ORIGINAL, sampleContext({ offsetMinutes: -300 }));
  const all = lines(dsn.data);
  assert.ok(all.includes('Date: Mon, 1 Jan 2024 07:05:00 -0500'));
  assert.ok(all.includes('Message-Id: <202401010705.5AbCdEfGh0002k@mail.example.com>'));
  assert.ok(all.includes('Arrival-Date: Mon, 1 Jan 2024 07:00:00 -0500'));
});

test('a report needs a recipient, and never goes to the null address', () => {
  assert.throws(() => buildDsn('failure', sampleEnvelope(), [], ORIGINAL, sampleContext({ to: [] })), RangeError);
  assert.throws(() => buildDsn('failure', sampleEnvelope(), [], ORIGINAL, sampleContext({ to: [''] })), /never sent to the null address/);
});
