import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMailParams, parseRcptParams, requestsSmtputf8, type MailParamOptions } from '../../src/smtp/params.js';
import { REPLIES, render, type ReplyDef } from '../../src/smtp/replies.js';

const DSN: MailParamOptions = { dsnOffered: true, smtputf8Offered: false };
const NODSN: MailParamOptions = { dsnOffered: false, smtputf8Offered: false };
const UTF8: MailParamOptions = { dsnOffered: true, smtputf8Offered: true };

function mailError(params: string, opts: MailParamOptions = DSN): string {
  const r = parseMailParams(params.split(' ').filter((p) => p !== ''), opts);
  if (r.ok) assert.fail(`expected ${params} to be refused`);
  return r.reply.lines[0];
}

function rcptError(params: string, dsnOffered = true): string {
  const r = parseRcptParams(params.split(' ').filter((p) => p !== ''), { dsnOffered });
  if (r.ok) assert.fail(`expected ${params} to be refused`);
  return r.reply.lines[0];
}

test('§6.2: accepted MAIL parameters and their values', () => {
  const rows: [string, MailParamOptions, Record<string, unknown>][] = [
    ['', DSN, {}],
    ['SIZE=1000', DSN, { size: 1000 }],
    ['size=+42', DSN, { size: 42 }],
    ['SIZE=abc', DSN, { size: 0 }],
    ['SIZE=', DSN, { size: 0 }],
    ['SIZE=12abc', DSN, { size: 12 }],
    ['SIZE=-0', DSN, { size: 0 }],
    ['SIZE=0000000000000000000000001', DSN, { size: 1 }],
    ['SIZE=9223372036854775807', DSN, { size: 9223372036854775807 }],
    ['SIZE=1 SIZE=2', DSN, { size: 2 }],
    ['BODY=8bitmime', DSN, { body: '8BITMIME' }],
    ['BODY=7BIT', DSN, { body: '7BIT' }],
    ['RET=hdrs ENVID=QQ314159', DSN, { ret: 'HDRS', envid: 'QQ314159' }],
    ['RET=FULL', DSN, { ret: 'FULL' }],
    ['ENVID=a+2Bb', DSN, { envid: 'a+b' }],
    ['AUTH=<>', NODSN, { auth: '<>' }],
    ['AUTH=e+3Dmc2@example.com', NODSN, { auth: 'e=mc2@example.com' }],
    ['SMTPUTF8', UTF8, { smtputf8: true }],
    ['smtputf8 BODY=8BITMIME', UTF8, { smtputf8: true, body: '8BITMIME' }],
  ];
  for (const [params, opts, expected] of rows) {
    const r = parseMailParams(params.split(' ').filter((p) => p !== ''), opts);
    assert.deepEqual(r, { ok: true, ...expected }, params);
  }
});

test('§6.2: every MAIL parameter error, the first bad parameter winning', () => {
  const rows: [string, MailParamOptions, ReplyDef, Record<string, string>?][] = [
    ['SIZE', DSN, REPLIES.paramNeedsValue, { param: 'SIZE' }],
    ['SIZE=9223372036854775808', DSN, REPLIES.sizeOverflow],
    ['SIZE=99999999999999999999999', DSN, REPLIES.sizeOverflow],
    ['SIZE=-1', DSN, REPLIES.sizeInvalid],
    ['SIZE=-99999999999999999999999', DSN, REPLIES.sizeInvalid],
    ['BODY', DSN, REPLIES.paramNeedsValue, { param: 'BODY' }],
    ['BODY=BINARYMIME', DSN, REPLIES.unknownBody, { value: 'BINARYMIME' }],
    ['RET=FULL', NODSN, REPLIES.dsnNotAllowed, { param: 'RET' }],
    ['RET', DSN, REPLIES.paramNeedsValue, { param: 'RET' }],
    ['RET=FULL RET=HDRS', DSN, REPLIES.duplicateParam, { param: 'RET' }],
    ['RET=SOME', DSN, REPLIES.badRet, { value: 'SOME' }],
    ['ENVID=x', NODSN, REPLIES.dsnNotAllowed, { param: 'ENVID' }],
    ['ENVID', DSN, REPLIES.paramNeedsValue, { param: 'ENVID' }],
    ['ENVID=a+ZZ', DSN, REPLIES.badParamValue, { param: 'ENVID' }],
    [`ENVID=${'e'.repeat(101)}`, DSN, REPLIES.badParamValue, { param: 'ENVID' }],
    ['ENVID=a ENVID=b', DSN, REPLIES.duplicateParam, { param: 'ENVID' }],
    ['AUTH', DSN, REPLIES.authParamNeedsValue],
    ['AUTH=<> AUTH=<>', DSN, REPLIES.duplicateParam, { param: 'AUTH' }],
    ['AUTH=a+', DSN, REPLIES.badParamValue, { param: 'AUTH' }],
    ['SMTPUTF8', DSN, REPLIES.paramUnrecognized, { keyword: 'SMTPUTF8' }],
    ['SMTPUTF8=yes', UTF8, REPLIES.smtputf8NoValue],
    ['FOO=BAR', DSN, REPLIES.paramUnrecognized, { keyword: 'FOO' }],
    ['BY=120;R', DSN, REPLIES.paramUnrecognized, { keyword: 'BY' }],
    ['NOTIFY=NEVER', DSN, REPLIES.paramUnrecognized, { keyword: 'NOTIFY' }],
    ['<c@d.example>', DSN, REPLIES.paramUnrecognized, { keyword: '' }],
    ['Foo-Bar=1', DSN, REPLIES.paramUnrecognized, { keyword: 'Foo-Bar' }],
    ['SIZE=10=20', DSN, REPLIES.paramUnrecognized, { keyword: '20' }],
    ['BODY=FOO SIZE', DSN, REPLIES.unknownBody, { value: 'FOO' }],
    ['SIZE=1 FOO RET=X', DSN, REPLIES.paramUnrecognized, { keyword: 'FOO' }],
  ];
  for (const [params, opts, d, vars] of rows) assert.equal(mailError(params, opts), render(d, vars), params);

  assert.equal(mailError('<c@d.example>'), '555 5.5.4  parameter unrecognized');
  assert.equal(mailError('FOO=BAR'), '555 5.5.4 FOO parameter unrecognized');
  assert.equal(mailError('SIZE=-1'), '552 5.2.3 Message size invalid');
  assert.equal(mailError('SIZE=99999999999999999999'), '552 5.2.3 Message size exceeds maximum value');
  assert.equal(mailError('SIZE'), '501 5.5.2 SIZE requires a value');
  assert.equal(mailError('RET=HDRS', NODSN), '504 5.7.0 Sorry, RET not supported, we do not allow DSN');
  assert.equal(mailError('RET=X'), '501 5.5.2 Bad argument "X" to RET');
  assert.equal(mailError('AUTH'), '501 5.5.2 AUTH= requires a value');
  assert.equal(mailError('BODY=x'), '501 5.5.4 Unknown BODY type x');
});

test('requestsSmtputf8 finds the parameter before the address is checked', () => {
  assert.equal(requestsSmtputf8(['SIZE=1', 'smtputf8']), true);
  assert.equal(requestsSmtputf8(['SIZE=1']), false);
});

test('§7.2: accepted RCPT parameters', () => {
  const rows: [string, Record<string, unknown>][] = [
    ['', {}],
    ['NOTIFY=NEVER', { notify: ['NEVER'] }],
    ['notify=never', { notify: ['NEVER'] }],
    ['NOTIFY=SUCCESS,FAILURE,DELAY', { notify: ['SUCCESS', 'FAILURE', 'DELAY'] }],
    ['NOTIFY=failure,failure', { notify: ['FAILURE'] }],
    ['ORCPT=rfc822;bob@example.com', { orcpt: { type: 'rfc822', address: 'bob@example.com', raw: 'rfc822;bob@example.com' } }],
    ['ORCPT=rfc822;b+2Bc@example.com', { orcpt: { type: 'rfc822', address: 'b+c@example.com', raw: 'rfc822;b+2Bc@example.com' } }],
  ];
  for (const [params, expected] of rows) {
    const r = parseRcptParams(params.split(' ').filter((p) => p !== ''), { dsnOffered: true });
    assert.deepEqual(r, { ok: true, ...expected }, params);
  }
});

test('§7.2: every RCPT parameter error', () => {
  const rows: [string, boolean, ReplyDef, Record<string, string>?][] = [
    ['NOTIFY=SUCCESS', false, REPLIES.dsnNotAllowed, { param: 'NOTIFY' }],
    ['NOTIFY', true, REPLIES.paramNeedsValue, { param: 'NOTIFY' }],
    ['NOTIFY=SOMETIMES', true, REPLIES.badNotify, { word: 'SOMETIMES' }],
    ['NOTIFY=NEVER,SUCCESS', true, REPLIES.badNotify, { word: 'NEVER' }],
    ['NOTIFY=SUCCESS,NEVER', true, REPLIES.badNotify, { word: 'NEVER' }],
    ['NOTIFY=SUCCESS,,DELAY', true, REPLIES.badNotify, { word: '' }],
    ['ORCPT=rfc822;a@b', false, REPLIES.dsnNotAllowed, { param: 'ORCPT' }],
    ['ORCPT', true, REPLIES.paramNeedsValue, { param: 'ORCPT' }],
    ['ORCPT=bob@example.com', true, REPLIES.badParamValue, { param: 'ORCPT' }],
    ['ORCPT=;bob@example.com', true, REPLIES.badParamValue, { param: 'ORCPT' }],
    ['ORCPT=rfc822;a+QQ', true, REPLIES.badParamValue, { param: 'ORCPT' }],
    ['ORCPT=rfc822;a@b ORCPT=rfc822;c@d', true, REPLIES.duplicateParam, { param: 'ORCPT' }],
    ['<c@b.example>', true, REPLIES.paramUnrecognized, { keyword: '' }],
    ['SIZE=10', true, REPLIES.paramUnrecognized, { keyword: 'SIZE' }],
  ];
  for (const [params, dsn, d, vars] of rows) assert.equal(rcptError(params, dsn), render(d, vars), params);
  assert.equal(rcptError('NOTIFY=NEVER,SUCCESS'), '501 5.5.4 Bad argument "NEVER"  to NOTIFY');
  assert.equal(rcptError('<c@b.example>'), '555 5.5.4  parameter unrecognized');
  assert.equal(rcptError('NOTIFY=SUCCESS', false), '504 5.7.0 Sorry, NOTIFY not supported, we do not allow DSN');
  assert.equal(rcptError('ORCPT=x'), '501 5.5.4 Syntax error in ORCPT parameter value');
  assert.equal(rcptError('ORCPT=rfc822;a ORCPT=rfc822;a'), '501 5.5.0 Duplicate ORCPT parameter');
});
