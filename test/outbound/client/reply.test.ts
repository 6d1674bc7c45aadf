// Reading the peer's replies and EHLO keywords, and mapping replies to outcomes (SoftBounce).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCapabilities } from '../../../src/outbound/client/capabilities.js';
import { outcomeOf, softened, statusOf } from '../../../src/outbound/client/outcome.js';
import { isReplyLine, parseReply } from '../../../src/outbound/client/reply.js';

test('a multi-line reply: the enhanced code of its class taken from the first line, texts joined', () => {
  const r = parseReply(['550-5.7.1 Message rejected', '550-5.7.1 see https://example.net/why', '550 5.7.1 (policy)']);
  assert.deepEqual({ code: r.code, enh: r.enh, text: r.text }, { code: 550, enh: '5.7.1', text: 'Message rejected see https://example.net/why (policy)' });
});

test('no enhanced code, or one of another class, is left in the text', () => {
  assert.deepEqual(parseReply(['451 Try later']), { code: 451, text: 'Try later', lines: ['451 Try later'] });
  const r = parseReply(['550 2.0.0 odd']);
  assert.equal(r.enh, undefined);
  assert.equal(r.text, '2.0.0 odd');
});

test('what is a reply line', () => {
  for (const l of ['250 ok', '250-ok', '250', '421 4.3.2 bye']) assert.ok(isReplyLine(l), l);
  for (const l of ['25 ok', '650 x', 'hello', '250x', '']) assert.ok(!isReplyLine(l), l);
});

test('EHLO keywords: PIPELINING, SIZE with and without a limit, 8BITMIME, SMTPUTF8, DSN, STARTTLS', () => {
  const c = parseCapabilities(['250-mx hello', '250-PIPELINING', '250-SIZE 35882577', '250-8bitmime', '250-SMTPUTF8', '250-DSN', '250-STARTTLS', '250 ENHANCEDSTATUSCODES']);
  assert.deepEqual(c, { esmtp: true, pipelining: true, size: 35882577, eightBitMime: true, smtputf8: true, dsn: true, starttls: true, enhancedStatusCodes: true });
  assert.equal(parseCapabilities(['250-mx', '250 SIZE']).size, 0);
  assert.equal(parseCapabilities(['250 mx']).pipelining, false);
});

test('2xx sent, 4xx temporary, 5xx permanent; SoftBounce turns 5xx into 4xx with the text kept', () => {
  assert.equal(statusOf(250), 'sent');
  assert.equal(statusOf(451), 'temp');
  assert.equal(statusOf(554), 'perm');
  assert.deepEqual(softened({ code: 550, enh: '5.1.1', text: 'User unknown' }), { code: 450, enh: '4.1.1', text: 'User unknown' });
  assert.deepEqual(softened({ code: 554, text: 'no' }), { code: 454, text: 'no' });
  const o = outcomeOf('a@x', { code: 552, enh: '5.2.2', text: 'full' }, 'rcpt', 'remote', { host: 'mx', hostAddress: '192.0.2.1' }, true);
  assert.deepEqual(o, { address: 'a@x', status: 'temp', reply: { code: 452, enh: '4.2.2', text: 'full' }, source: 'remote', stage: 'rcpt', host: 'mx', hostAddress: '192.0.2.1' });
});
