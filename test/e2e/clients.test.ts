// Real SMTP clients against the real daemon: Python's smtplib (test/e2e/fixtures/smtp_client.py) and
// swaks. What they deliver is read back from the spool by another process (SpoolReader): envelope,
// DSN parameters, and the text byte for byte under the Received field.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { E2E_HOST, queued, queuedData, REPO_ROOT, removeDir, run, startDaemon, tempDaemonDir, writeDaemonConfig, type Daemon } from '../helpers/daemon.js';
import { ACCEPTED, receivedPattern, splitReceived } from './smtp.js';

const MAX = 100_000;
const PY_CLIENT = join(REPO_ROOT, 'test', 'e2e', 'fixtures', 'smtp_client.py');
const RCPT = `root@${E2E_HOST}`;

let dir = '';
let d: Daemon;

before(async () => {
  dir = await tempDaemonDir();
  d = await startDaemon({ cwd: dir, config: await writeDaemonConfig(dir, [`MaxMessageSize = ${MAX}`]) });
});

after(async () => {
  await d.stop();
  await removeDir(dir);
});

interface PyMessage {
  from: string;
  to: string[];
  data: Buffer;
  mail_options?: string[];
  rcpt_options?: string[];
}

interface PyOutcome {
  ok: boolean;
  refused?: Record<string, [number, string]>;
  data_reply?: [number, string];
  exception?: string;
  code?: number;
  text?: string;
  recipients?: Record<string, [number, string]>;
}

async function smtplib(messages: PyMessage[]): Promise<{ ehlo: [number, string]; messages: PyOutcome[] }> {
  const job = {
    port: d.port,
    ehlo: 'client.example',
    messages: messages.map((m) => ({ ...m, data: undefined, data_b64: m.data.toString('base64') })),
  };
  const r = await run('python3', [PY_CLIENT], { input: JSON.stringify(job) });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as { ehlo: [number, string]; messages: PyOutcome[] };
}

function qidOf(o: PyOutcome | undefined): string {
  assert.ok(o?.ok === true && o.data_reply !== undefined, JSON.stringify(o));
  const m = ACCEPTED.exec(`${o.data_reply[0]} ${o.data_reply[1]}`);
  assert.ok(m, JSON.stringify(o.data_reply));
  return m[1]!;
}

/** The stored text is the Received field for this transaction followed by exactly `expected`. */
async function checkStored(qid: string, expected: Buffer, rcpt = RCPT): Promise<void> {
  const msg = (await queued(join(dir, 'spool'))).find((m) => m.envelope.id === qid);
  assert.ok(msg, `${qid} is queued`);
  const { received, rest } = splitReceived((await queuedData(join(dir, 'spool'), qid)).toString('latin1'));
  assert.match(received, receivedPattern({ helo: 'client.example', client: msg.envelope.client, j: E2E_HOST, qid, rcpt }));
  assert.equal(Buffer.from(rest, 'latin1').toString('hex'), expected.toString('hex'));
}

test('smtplib: a plain message is queued with its text byte for byte (leading dots unstuffed)', async () => {
  const text = Buffer.from('From: alice@example.org\r\nSubject: plain\r\n\r\nline one\r\n.leading dot\r\n..two dots\r\n.\r\nlast\r\n', 'latin1');
  const r = await smtplib([{ from: 'alice@example.org', to: [RCPT], data: text }]);
  assert.equal(r.ehlo[0], 250);
  assert.match(r.ehlo[1], /\nPIPELINING\n8BITMIME\nSIZE 100000\nDSN\n/);
  const qid = qidOf(r.messages[0]);
  const env = (await queued(join(dir, 'spool'))).find((m) => m.envelope.id === qid)!.envelope;
  assert.equal(env.sender, 'alice@example.org');
  assert.deepEqual(env.recipients.map((x) => x.address), [RCPT]);
  assert.equal(env.protocol, 'ESMTP');
  assert.equal(env.helo, 'client.example');
  assert.equal(env.eightBit, false);
  await checkStored(qid, text);
});

test('smtplib: DSN parameters RET, ENVID, NOTIFY and ORCPT are stored with the message', async () => {
  const text = Buffer.from('Subject: dsn\r\n\r\nreceipt please\r\n');
  const r = await smtplib([
    {
      from: 'alice@example.org',
      to: [RCPT],
      data: text,
      mail_options: ['RET=HDRS', 'ENVID=abc'],
      rcpt_options: ['NOTIFY=SUCCESS,FAILURE', 'ORCPT=rfc822;x@y.example'],
    },
  ]);
  const qid = qidOf(r.messages[0]);
  const env = (await queued(join(dir, 'spool'))).find((m) => m.envelope.id === qid)!.envelope;
  assert.equal(env.ret, 'HDRS');
  assert.equal(env.envid, 'abc');
  assert.deepEqual(env.recipients, [{ address: RCPT, primary: true, notify: ['SUCCESS', 'FAILURE'], orcpt: 'rfc822;x@y.example' }]);
  await checkStored(qid, text);
});

test('smtplib: an 8BITMIME message keeps its 8-bit octets', async () => {
  const text = Buffer.concat([Buffer.from('Subject: 8bit\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\n'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0xff, 0x80]), Buffer.from('\r\n')]);
  const r = await smtplib([{ from: 'alice@example.org', to: [RCPT], data: text, mail_options: ['BODY=8BITMIME'] }]);
  const qid = qidOf(r.messages[0]);
  const env = (await queued(join(dir, 'spool'))).find((m) => m.envelope.id === qid)!.envelope;
  assert.equal(env.bodyType, '8BITMIME');
  assert.equal(env.eightBit, true);
  await checkStored(qid, text);
});

test('smtplib: unknown recipients surface as SMTPRecipientsRefused; a partly refused message is queued for the rest', async () => {
  const text = Buffer.from('Subject: who\r\n\r\nhi\r\n');
  const r = await smtplib([
    { from: 'alice@example.org', to: [`nobody-here@${E2E_HOST}`], data: text },
    { from: 'alice@example.org', to: [`nobody-here@${E2E_HOST}`, RCPT], data: text },
  ]);
  assert.deepEqual(r.messages[0], {
    ok: false,
    exception: 'SMTPRecipientsRefused',
    recipients: { [`nobody-here@${E2E_HOST}`]: [550, `5.1.1 <nobody-here@${E2E_HOST}>... User unknown`] },
  });
  const second = r.messages[1];
  assert.deepEqual(second?.refused, { [`nobody-here@${E2E_HOST}`]: [550, `5.1.1 <nobody-here@${E2E_HOST}>... User unknown`] });
  const qid = qidOf(second);
  const env = (await queued(join(dir, 'spool'))).find((m) => m.envelope.id === qid)!.envelope;
  assert.deepEqual(env.recipients.map((x) => x.address), [RCPT]);
});

test('smtplib: a message over MaxMessageSize is refused at MAIL (SIZE=) and nothing is queued', async () => {
  const before = (await queued(join(dir, 'spool'))).length;
  const text = Buffer.from(`Subject: big\r\n\r\n${`${'y'.repeat(78)}\r\n`.repeat(1300)}`);
  assert.ok(text.length > MAX);
  const r = await smtplib([{ from: 'alice@example.org', to: [RCPT], data: text }]);
  assert.deepEqual(r.messages[0], {
    ok: false,
    exception: 'SMTPSenderRefused',
    code: 552,
    text: `5.2.3 Message size exceeds fixed maximum message size (${MAX})`,
  });
  assert.equal((await queued(join(dir, 'spool'))).length, before);
});

interface Swaks {
  code: number | null;
  /** server replies in order, without the `<-  ` / `<** ` marks */
  replies: string[];
  /** client lines in order */
  sent: string[];
  transcript: string;
}

async function swaks(text: string, extra: string[] = []): Promise<Swaks> {
  const file = join(dir, `swaks-${Date.now()}-${Math.random().toString(36).slice(2)}.txt`);
  await writeFile(file, text, 'latin1');
  const r = await run('swaks', ['--server', '127.0.0.1', '--port', String(d.port), '--helo', 'client.example', '--from', 'alice@example.org', '--to', RCPT, '--data', `@${file}`, '--timeout', '20', ...extra]);
  const lines = r.stdout.split('\n');
  return {
    code: r.code,
    replies: lines.filter((l) => l.startsWith('<-  ') || l.startsWith('<** ')).map((l) => l.slice(4)),
    sent: lines.filter((l) => l.startsWith(' -> ')).map((l) => l.slice(4)),
    transcript: r.stdout + r.stderr,
  };
}

test('swaks --pipeline: MAIL, RCPT and DATA go in one batch, the replies come in order, the text is queued', async () => {
  // No final line end: swaks ends the text with CR LF . CR LF itself (a final CR LF would add an empty line).
  const text = 'Subject: swaks\r\n\r\nbody\r\n.dot line\r\nend';
  const s = await swaks(text, ['--pipeline']);
  assert.equal(s.code, 0, s.transcript);
  const i = s.replies.findIndex((l) => l.startsWith('250 2.1.0'));
  assert.deepEqual(s.replies.slice(i, i + 3), ['250 2.1.0 <alice@example.org>... Sender ok', `250 2.1.5 <${RCPT}>... Recipient ok`, '354 End data with <CR><LF>.<CR><LF>']);
  // Pipelined: the three commands are written before the first of their replies is read.
  const mail = s.transcript.indexOf(' -> MAIL FROM');
  const data = s.transcript.indexOf(' -> DATA');
  const first = s.transcript.indexOf('<-  250 2.1.0');
  assert.ok(mail !== -1 && mail < data && data < first, s.transcript);
  const accepted = s.replies.find((l) => ACCEPTED.test(l));
  assert.ok(accepted, s.transcript);
  await checkStored(ACCEPTED.exec(accepted)![1]!, Buffer.from(`${text}\r\n`, 'latin1'));
});

test('swaks: a message over MaxMessageSize without SIZE= is refused after the final dot', async () => {
  const before = (await queued(join(dir, 'spool'))).length;
  const text = `Subject: too big\r\n\r\n${`${'z'.repeat(98)}\r\n`.repeat(1100)}end`;
  const s = await swaks(text);
  assert.notEqual(s.code, 0);
  assert.ok(s.replies.includes(`552 5.2.3 Message exceeds maximum fixed size (${MAX})`), s.transcript);
  assert.equal((await queued(join(dir, 'spool'))).length, before);
  // The refusal costs nothing: the next message that fits is accepted.
  const ok = await swaks('Subject: after\r\n\r\nsmall');
  assert.equal(ok.code, 0, ok.transcript);
});
