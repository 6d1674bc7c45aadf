import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDsn } from '../../src/bounce/dsn.js';
import { checkEnvelope } from '../../src/queue/envelope.js';
import { ORIGINAL, field, lines, pythonParse, sampleContext, sampleEnvelope } from './helpers.js';

const USER_UNKNOWN = '550 5.1.1 <bob@example.com>... User unknown';

function failure() {
  return buildDsn(
    'failure',
    sampleEnvelope({ envid: 'QQ314159', recipients: [{ address: 'bob@example.com', primary: true, orcpt: 'rfc822;bob@example.com' }] }),
    [{ original: 'rfc822;bob@example.com', final: 'bob@example.com', action: 'failed', status: '5.1.1', diagnostic: USER_UNKNOWN }],
    ORIGINAL,
    sampleContext(),
  );
}

test('failure DSN: the whole message, line for line (§6.2, §6.3, §6.4)', () => {
  const dsn = failure();
  const boundary = '5AbCdEfGh0002k.1704110700/mail.example.com';
  const expected = [
    'From: Mail Delivery Subsystem <MAILER-DAEMON@mail.example.com>',
    'To: <alice@example.com>',
    'Subject: Returned mail: see transcript for details',
    'Date: Mon, 1 Jan 2024 12:05:00 +0000',
    'Message-Id: <202401011205.5AbCdEfGh0002k@mail.example.com>',
    'Auto-Submitted: auto-generated (failure)',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status;',
    `\tboundary="${boundary}"`,
    '',
    'This is a MIME-encapsulated message',
    '',
    `--${boundary}`,
    '',
    'The original message was received at Mon, 1 Jan 2024 12:00:00 +0000',
    'from client.example.com [192.0.2.1]',
    '',
    '   ----- The following addresses had permanent fatal errors -----',
    '<bob@example.com>',
    `    (reason: ${USER_UNKNOWN})`,
    '',
    '   ----- Transcript of session follows -----',
    USER_UNKNOWN,
    '',
    `--${boundary}`,
    'Content-Type: message/delivery-status',
    '',
    'Original-Envelope-Id: QQ314159',
    'Reporting-MTA: dns; mail.example.com',
    'Received-From-MTA: DNS; client.example.com',
    'Arrival-Date: Mon, 1 Jan 2024 12:00:00 +0000',
    '',
    'Original-Recipient: rfc822;bob@example.com',
    'Final-Recipient: RFC822; bob@example.com',
    'Action: failed',
    'Status: 5.1.1',
    `Diagnostic-Code: X-Unix; ${USER_UNKNOWN}`,
    'Last-Attempt-Date: Mon, 1 Jan 2024 12:05:00 +0000',
    '',
    `--${boundary}`,
    'Content-Type: message/rfc822',
    '',
  ].join('\r\n');
  const text = dsn.data.toString('latin1');
  assert.equal(text, `${expected}\r\n${ORIGINAL.toString('latin1')}\r\n--${boundary}--\r\n`);
  assert.equal(dsn.sender, '');
  assert.deepEqual(dsn.to, ['alice@example.com']);
  assert.equal(dsn.kind, 'failure');
});

test('failure DSN: python3 email parses it as a valid multipart/report with three parts', () => {
  const dsn = failure();
  const m = pythonParse(dsn.data);
  assert.deepEqual(m.defects, []);
  assert.equal(m.content_type, 'multipart/report');
  assert.equal(m.report_type, 'delivery-status');
  assert.equal(m.boundary, '5AbCdEfGh0002k.1704110700/mail.example.com');
  assert.equal(m.preamble?.trim(), 'This is a MIME-encapsulated message');
  assert.equal(field(m.headers, 'Auto-Submitted'), 'auto-generated (failure)');
  assert.deepEqual(
    m.parts.map((p) => p.content_type),
    ['text/plain', 'message/delivery-status', 'message/rfc822'],
  );
  for (const p of m.parts) assert.deepEqual(p.defects, [], p.content_type);
  const [text, status, returned] = m.parts;
  assert.match(text!.text!, /^The original message was received at Mon, 1 Jan 2024 12:00:00 \+0000\r\n/);
  assert.equal(status!.blocks!.length, 2);
  assert.deepEqual(status!.blocks![0], [
    ['Original-Envelope-Id', 'QQ314159'],
    ['Reporting-MTA', 'dns; mail.example.com'],
    ['Received-From-MTA', 'DNS; client.example.com'],
    ['Arrival-Date', 'Mon, 1 Jan 2024 12:00:00 +0000'],
  ]);
  assert.equal(field(status!.blocks![1]!, 'Status'), '5.1.1');
  assert.equal(field(status!.blocks![1]!, 'Action'), 'failed');
  // The returned message comes back whole: its header fields and its body, byte for byte.
  assert.equal(field(returned!.inner_headers!, 'Subject'), 'lunch');
  assert.equal(returned!.inner_body, 'Shall we meet at noon?\r\n.\r\n-- \r\nAlice\r\n');
});

test('failure DSN: its envelope is queueable as it is (null sender, one recipient, size of the data)', () => {
  const dsn = failure();
  const env = checkEnvelope(JSON.parse(JSON.stringify(dsn.envelope)));
  assert.equal(env.id, '5AbCdEfGh0002k');
  assert.equal(env.sender, '');
  assert.equal(env.size, dsn.data.length);
  assert.equal(env.created, Date.UTC(2024, 0, 1, 12, 5, 0));
  assert.equal(env.eightBit, false);
  assert.equal(env.bodyType, undefined);
  assert.equal(env.client, 'localhost');
  assert.equal(env.clientAddr, '');
  assert.deepEqual(env.recipients, [{ address: 'alice@example.com', primary: true }]);
});

test('every line ends in CR LF, and no line is longer than 998 octets', () => {
  const dsn = failure();
  const text = dsn.data.toString('latin1');
  assert.ok(text.endsWith('\r\n'));
  assert.doesNotMatch(text, /[^\r]\n/);
  assert.doesNotMatch(text, /\r(?!\n)/);
  for (const l of lines(dsn.data)) assert.ok(l.length <= 998);
});
