import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDsn } from '../../src/bounce/dsn.js';
import type { DsnKind, DsnRecipient } from '../../src/bounce/types.js';
import { ORIGINAL, field, lines, pythonParse, sampleContext, sampleEnvelope } from './helpers.js';

const FAILED: DsnRecipient[] = [{ final: 'bob@example.com', action: 'failed', status: '5.1.1' }];
const DELAYED: DsnRecipient[] = [{ final: 'bob@example.com', action: 'delayed', status: '4.4.1' }];
const DELIVERED: DsnRecipient[] = [{ final: 'bob@example.com', action: 'delivered', status: '2.0.0' }];
const BY_KIND: Record<DsnKind, DsnRecipient[]> = { failure: FAILED, delay: DELAYED, success: DELIVERED, postmaster: FAILED, double: FAILED };

const HEADER_ONLY = ORIGINAL.subarray(0, ORIGINAL.indexOf('\r\n\r\n') + 2);

/** The third part's bytes exactly as written between its empty line and the closing delimiter. */
function returnedPart(data: Buffer, boundary: string): { type: string; headers: string[]; content: Buffer } {
  const third = data.lastIndexOf(`--${boundary}\r\n`);
  const headEnd = data.indexOf('\r\n\r\n', third);
  const headers = data.subarray(third, headEnd).toString('latin1').split('\r\n').slice(1);
  const close = data.lastIndexOf(`\r\n--${boundary}--\r\n`);
  return { type: headers[0]!, headers, content: data.subarray(headEnd + 4, close) };
}

// §6.4 as a table: kind × RET × nobodyreturn × precedence class → what the third part holds.
const CASES: Array<{ kind: DsnKind; ret?: 'FULL' | 'HDRS'; nobodyreturn: boolean; cls: number; full: boolean }> = [];
for (const kind of ['failure', 'delay', 'double', 'success', 'postmaster'] as DsnKind[]) {
  for (const ret of [undefined, 'FULL', 'HDRS'] as const) {
    for (const nobodyreturn of [false, true]) {
      for (const cls of [0, 100, -30, -60, -100]) {
        const full = (kind === 'failure' || kind === 'delay' || kind === 'double') && ret !== 'HDRS' && !nobodyreturn && cls >= 0;
        CASES.push({ kind, ...(ret !== undefined ? { ret } : {}), nobodyreturn, cls, full });
      }
    }
  }
}

test('what is returned (§6.4): every kind × RET × nobodyreturn × precedence class', () => {
  for (const c of CASES) {
    const what = `${c.kind} RET=${c.ret ?? '-'} nobodyreturn=${c.nobodyreturn} class=${c.cls}`;
    const dsn = buildDsn(c.kind, sampleEnvelope(c.ret !== undefined ? { ret: c.ret } : {}), BY_KIND[c.kind], ORIGINAL, sampleContext({ nobodyreturn: c.nobodyreturn, precedenceClass: c.cls }));
    const part = returnedPart(dsn.data, '5AbCdEfGh0002k.1704110700/mail.example.com');
    assert.equal(part.type, c.full ? 'Content-Type: message/rfc822' : 'Content-Type: text/rfc822-headers', what);
    assert.deepEqual(part.content, c.full ? ORIGINAL : HEADER_ONLY, what);
  }
});

test('the returned message parses back identical with python3 (message/rfc822 and text/rfc822-headers)', () => {
  const full = pythonParse(buildDsn('failure', sampleEnvelope(), FAILED, ORIGINAL, sampleContext()).data);
  assert.deepEqual(full.parts[2]!.inner_headers!.map(([k]) => k), ['Received', 'From', 'To', 'Subject', 'Message-Id']);
  const hdrs = pythonParse(buildDsn('failure', sampleEnvelope({ ret: 'HDRS' }), FAILED, ORIGINAL, sampleContext()).data);
  assert.equal(hdrs.parts[2]!.content_type, 'text/rfc822-headers');
  assert.equal(hdrs.parts[2]!.text, HEADER_ONLY.toString('latin1'));
  for (const m of [full, hdrs]) for (const p of m.parts) assert.deepEqual(p.defects, []);
});

const EIGHT_BIT = Buffer.concat([
  Buffer.from('From: alice@example.com\r\nSubject: caf'),
  Buffer.from([0xc3, 0xa9]),
  Buffer.from('\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nna'),
  Buffer.from([0xc3, 0xaf, 0x76, 0x65, 0xff, 0x00, 0x80]),
  Buffer.from('\r\n'),
]);

test('8-bit original: returned untouched, part and message labelled 8bit, queued as 8BITMIME', () => {
  const dsn = buildDsn('failure', sampleEnvelope({ eightBit: true, bodyType: '8BITMIME', size: EIGHT_BIT.length }), FAILED, EIGHT_BIT, sampleContext());
  const all = lines(dsn.data);
  const headerEnd = all.indexOf('');
  assert.ok(all.slice(0, headerEnd).includes('Content-Transfer-Encoding: 8bit'));
  const part = returnedPart(dsn.data, '5AbCdEfGh0002k.1704110700/mail.example.com');
  assert.deepEqual(part.headers, ['Content-Type: message/rfc822', 'Content-Transfer-Encoding: 8bit']);
  assert.deepEqual(part.content, EIGHT_BIT);
  assert.equal(dsn.envelope.eightBit, true);
  assert.equal(dsn.envelope.bodyType, '8BITMIME');
  const m = pythonParse(dsn.data);
  assert.deepEqual(m.defects, []);
  assert.equal(m.parts[2]!.inner_body, 'na\xc3\xafve\xff\x00\x80\r\n');
});

test('8-bit body, header only returned: a 7-bit report without any 8bit label', () => {
  const dsn = buildDsn('failure', sampleEnvelope({ eightBit: true, ret: 'HDRS' }), FAILED, Buffer.from('Subject: x\r\n\r\n\xe9t\xe9\r\n', 'latin1'), sampleContext());
  assert.equal(dsn.data.toString('latin1').includes('8bit'), false);
  assert.equal(dsn.envelope.eightBit, false);
  assert.equal(dsn.envelope.bodyType, undefined);
});

test('8-bit header returned as text/rfc822-headers is labelled 8bit too', () => {
  const dsn = buildDsn('success', sampleEnvelope(), DELIVERED, EIGHT_BIT, sampleContext());
  const part = returnedPart(dsn.data, '5AbCdEfGh0002k.1704110700/mail.example.com');
  assert.deepEqual(part.headers, ['Content-Type: text/rfc822-headers', 'Content-Transfer-Encoding: 8bit']);
  assert.deepEqual(part.content, EIGHT_BIT.subarray(0, EIGHT_BIT.indexOf('\r\n\r\n') + 2));
});

test('data without a final line end, and a message without header fields, still come back exactly', () => {
  const noEol = Buffer.from('Subject: x\r\n\r\nlast line without end');
  const a = buildDsn('failure', sampleEnvelope(), FAILED, noEol, sampleContext());
  assert.ok(a.data.toString('latin1').endsWith('last line without end\r\n\r\n--5AbCdEfGh0002k.1704110700/mail.example.com--\r\n'));
  const pa = pythonParse(a.data);
  assert.equal(pa.parts[2]!.inner_body, 'last line without end\r\n');
  const noHeader = Buffer.from('\r\njust a body\r\n');
  const b = buildDsn('failure', sampleEnvelope({ ret: 'HDRS' }), FAILED, noHeader, sampleContext());
  const part = returnedPart(b.data, '5AbCdEfGh0002k.1704110700/mail.example.com');
  assert.equal(part.content.length, 0);
  assert.deepEqual(pythonParse(b.data).defects, []);
});

test('ENVID is echoed only when given; python reads the delivery-status fields back', () => {
  const without = pythonParse(buildDsn('failure', sampleEnvelope(), FAILED, ORIGINAL, sampleContext()).data);
  assert.equal(field(without.parts[1]!.blocks![0]!, 'Original-Envelope-Id'), undefined);
  const withId = pythonParse(buildDsn('failure', sampleEnvelope({ envid: 'id with+plus' }), FAILED, ORIGINAL, sampleContext()).data);
  assert.equal(field(withId.parts[1]!.blocks![0]!, 'Original-Envelope-Id'), 'id with+plus');
});
