import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDsn } from '../../src/bounce/dsn.js';
import type { DsnKind, DsnRecipient } from '../../src/bounce/types.js';
import { ARRIVAL, DAY, HOUR, ORIGINAL, field, lines, pythonParse, sampleContext, sampleEnvelope } from './helpers.js';

/** The human-readable part: the lines between the first delimiter's empty line and the second delimiter. */
function textPart(data: Buffer): string[] {
  const all = lines(data);
  const first = all.findIndex((l) => l.startsWith('--'));
  const second = all.findIndex((l, i) => i > first && l === all[first]);
  return all.slice(first + 2, second - 1);
}

const DEFERRED = '<bob@example.net>... Deferred: Connection refused by mx.example.net.';

test('delay DSN (§6.2): subject, Auto-Submitted, the warning box, transient section, the two warning lines', () => {
  const dsn = buildDsn(
    'delay',
    sampleEnvelope(),
    [{ final: 'bob@example.net', action: 'delayed', status: '4.4.1', diagnostic: DEFERRED }],
    ORIGINAL,
    sampleContext({ now: new Date(ARRIVAL + 4 * HOUR + 60_000) }),
  );
  const all = lines(dsn.data);
  assert.ok(all.includes('Subject: Warning: could not send message for past 4 hours'));
  assert.ok(all.includes('Auto-Submitted: auto-generated (warning-timeout)'));
  assert.deepEqual(textPart(dsn.data), [
    '    **********************************************',
    '    **      THIS IS A WARNING MESSAGE ONLY      **',
    '    **  YOU DO NOT NEED TO RESEND YOUR MESSAGE  **',
    '    **********************************************',
    '',
    'The original message was received at Mon, 1 Jan 2024 12:00:00 +0000',
    'from client.example.com [192.0.2.1]',
    '',
    '   ----- The following addresses had transient non-fatal errors -----',
    '<bob@example.net>',
    `    (reason: ${DEFERRED})`,
    '',
    '   ----- Transcript of session follows -----',
    DEFERRED,
    'Warning: message still undelivered after 4 hours',
    'Will keep trying until message is 5 days old',
  ]);
  const m = pythonParse(dsn.data);
  const block = m.parts[1]!.blocks![1]!;
  assert.equal(field(block, 'Action'), 'delayed');
  assert.equal(field(block, 'Status'), '4.4.1');
  assert.equal(field(block, 'Last-Attempt-Date'), 'Mon, 1 Jan 2024 16:01:00 +0000');
  // Will-Retry-Until: arrival + Timeout.queuereturn.
  assert.equal(field(block, 'Will-Retry-Until'), 'Sat, 6 Jan 2024 12:00:00 +0000');
  assert.equal(m.parts[2]!.content_type, 'message/rfc822');
});

test('delay DSN: the warning and return times in words follow the class timeouts given', () => {
  const dsn = buildDsn(
    'delay',
    sampleEnvelope(),
    [{ final: 'bob@example.net', action: 'delayed', status: '4.0.0', willRetryUntil: ARRIVAL + 36 * HOUR }],
    ORIGINAL,
    sampleContext({ queuewarn: HOUR, queuereturn: 36 * HOUR }),
  );
  const all = lines(dsn.data);
  assert.ok(all.includes('Subject: Warning: could not send message for past 1 hour'));
  assert.ok(all.includes('Warning: message still undelivered after 1 hour'));
  assert.ok(all.includes('Will keep trying until message is 1 day, 12 hours old'));
  assert.ok(all.includes('Will-Retry-Until: Wed, 3 Jan 2024 00:00:00 +0000'));
});

test('failure after Timeout.queuereturn (4.4.7): the two timeout lines close the transcript (§6.2, §6.7)', () => {
  const dsn = buildDsn(
    'failure',
    sampleEnvelope(),
    [{ final: 'bob@example.net', action: 'failed', status: '4.4.7', diagnostic: DEFERRED, remoteMta: 'mx.example.net.' }],
    ORIGINAL,
    sampleContext({ now: new Date(ARRIVAL + 5 * DAY) }),
  );
  const text = textPart(dsn.data);
  assert.deepEqual(text.slice(-4), [
    '   ----- Transcript of session follows -----',
    DEFERRED,
    'Message could not be delivered for 5 days',
    'Message will be deleted from queue',
  ]);
  assert.ok(text.includes('   ----- The following addresses had permanent fatal errors -----'));
  const block = pythonParse(dsn.data).parts[1]!.blocks![1]!;
  assert.equal(field(block, 'Action'), 'failed');
  assert.equal(field(block, 'Status'), '4.4.7');
  assert.equal(field(block, 'Remote-MTA'), 'DNS; mx.example.net');
  assert.equal(field(block, 'Diagnostic-Code'), `SMTP; ${DEFERRED}`);
  assert.equal(field(block, 'Will-Retry-Until'), undefined);
});

test('remote failure: the SMTP transcript lines are given as recorded', () => {
  const transcript = ['... while talking to mx.example.net.:', '>>> DATA', '<<< 554 5.7.1 Message refused'];
  const dsn = buildDsn(
    'failure',
    sampleEnvelope(),
    [
      {
        final: 'carol@example.net',
        action: 'failed',
        status: '5.7.1',
        remoteMta: 'mx.example.net',
        diagnostic: '554 5.7.1 Message refused',
        transcript,
      },
    ],
    ORIGINAL,
    sampleContext(),
  );
  assert.deepEqual(textPart(dsn.data).slice(-4), ['   ----- Transcript of session follows -----', ...transcript]);
});

const SUCCESS: DsnRecipient[] = [
  { final: 'bob@example.com', actual: 'bob', action: 'delivered', status: '2.0.0' },
  { final: 'carol@example.net', action: 'relayed', status: '2.0.0', remoteMta: 'mx.example.net' },
  { final: 'team@example.com', action: 'expanded', status: '2.0.0' },
];

test('success DSN (Return receipt): delivered, relayed and expanded, header only returned', () => {
  const dsn = buildDsn('success', sampleEnvelope(), SUCCESS, ORIGINAL, sampleContext());
  const all = lines(dsn.data);
  assert.ok(all.includes('Subject: Return receipt'));
  assert.ok(all.includes('Auto-Submitted: auto-generated (return-receipt)'));
  assert.deepEqual(textPart(dsn.data), [
    'The original message was received at Mon, 1 Jan 2024 12:00:00 +0000',
    'from client.example.com [192.0.2.1]',
    '',
    '   ----- The following addresses had successful delivery notifications -----',
    '<bob@example.com>  (successfully delivered to mailbox)',
    '<carol@example.net>  (relayed to non-DSN-aware mailer)',
    '<team@example.com>  (expanded by alias)',
    // No transcript was recorded: the section's closing empty line is the last.
    '',
  ]);
  const m = pythonParse(dsn.data);
  assert.deepEqual(
    m.parts[1]!.blocks!.slice(1).map((b) => [field(b, 'Final-Recipient'), field(b, 'Action'), field(b, 'Status')]),
    [
      ['RFC822; bob@example.com', 'delivered', '2.0.0'],
      ['RFC822; carol@example.net', 'relayed', '2.0.0'],
      ['RFC822; team@example.com', 'expanded', '2.0.0'],
    ],
  );
  assert.equal(m.parts[2]!.content_type, 'text/rfc822-headers');
});

test('postmaster copy and double bounce: Postmaster notify subject, postmaster-notification, the queue id', () => {
  const failed: DsnRecipient[] = [{ final: 'bob@example.com', action: 'failed', status: '5.1.1', diagnostic: '550 5.1.1 <bob@example.com>... User unknown' }];
  for (const kind of ['postmaster', 'double'] as DsnKind[]) {
    const dsn = buildDsn(kind, sampleEnvelope(), failed, ORIGINAL, sampleContext({ to: ['postmaster', 'securitymaster'] }));
    const all = lines(dsn.data);
    assert.ok(all.includes('Subject: Postmaster notify: see transcript for details'), kind);
    assert.ok(all.includes('Auto-Submitted: auto-generated (postmaster-notification)'), kind);
    assert.ok(all.includes('To: <postmaster@mail.example.com>,'), kind);
    assert.ok(all.includes('\t<securitymaster@mail.example.com>'), kind);
    assert.deepEqual(dsn.to, ['postmaster@mail.example.com', 'securitymaster@mail.example.com']);
    assert.deepEqual(dsn.envelope.recipients.map((r) => r.address), dsn.to);
    assert.deepEqual(textPart(dsn.data).slice(0, 4), [
      'The original message was received at Mon, 1 Jan 2024 12:00:00 +0000',
      'from client.example.com [192.0.2.1]',
      'with id 5AbCdEfGh0001k',
      '',
    ]);
    const m = pythonParse(dsn.data);
    assert.deepEqual(m.defects, []);
    assert.equal(field(m.headers, 'To'), '<postmaster@mail.example.com>,\r\n\t<securitymaster@mail.example.com>');
    // The postmaster copy returns the header only; a double bounce returns what a failure would.
    assert.equal(m.parts[2]!.content_type, kind === 'postmaster' ? 'text/rfc822-headers' : 'message/rfc822');
  }
});

test('a command-line submission: from <user>@localhost and no Received-From-MTA', () => {
  const dsn = buildDsn(
    'failure',
    sampleEnvelope({ protocol: 'local', helo: '', client: 'alice@localhost', clientAddr: '' }),
    [{ final: 'bob@example.com', action: 'failed', status: '5.1.1' }],
    ORIGINAL,
    sampleContext(),
  );
  assert.ok(textPart(dsn.data).includes('from alice@localhost'));
  const first = pythonParse(dsn.data).parts[1]!.blocks![0]!;
  assert.deepEqual(first.map(([k]) => k), ['Reporting-MTA', 'Arrival-Date']);
});

test('Received-From-MTA: the verified name, else the bracketed address', () => {
  const table: Array<[string, string]> = [
    ['client.example.com [192.0.2.1]', 'DNS; client.example.com'],
    ['[192.0.2.1]', 'DNS; [192.0.2.1]'],
    ['liar.example.com [192.0.2.1] (may be forged)', 'DNS; [192.0.2.1]'],
  ];
  for (const [client, expected] of table) {
    const dsn = buildDsn('failure', sampleEnvelope({ client }), [{ final: 'bob@example.com', action: 'failed', status: '5.0.0' }], ORIGINAL, sampleContext());
    assert.equal(field(pythonParse(dsn.data).parts[1]!.blocks![0]!, 'Received-From-MTA'), expected, client);
  }
});
