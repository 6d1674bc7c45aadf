// smtp-session.md §3.4: the anti-abuse counters. The bad-command limit (421 at the 26th), the 421 at
// twice the limit of HELO/EHLO, NOOP/VERB, VRFY/EXPN and ETRN, and the penalty delays before the replies
// (lower bounds and ordering only, never tight timings).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RawClient } from '../helpers/raw-client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { expectClose, expectReplies, greeted, r, timed } from './conformance.js';

let srv: TestServer;
let pub: TestServer;
before(async () => {
  [srv, pub] = await Promise.all([startTestServer(), startTestServer({ conf: ['PrivacyOptions = public'] })]);
});
after(async () => {
  await Promise.all([srv.close(), pub.close()]);
});

/** Sends all lines in one segment (none of them is HELO/EHLO/DATA, so pipelining them is legal). */
function pipeline(c: RawClient, lines: readonly string[]): void {
  c.send(lines.map((l) => `${l}\r\n`).join(''));
}

test('§3.4 bad commands: 25 are answered, the 26th gets 421 and the connection closes', async () => {
  const c = await greeted(srv);
  const lines: string[] = [];
  for (let i = 0; i < 24; i++) lines.push(`BOGUS${i}`);
  lines.push('NOOP\0x');
  // Syntax errors of known commands are not bad commands.
  for (let i = 0; i < 5; i++) lines.push('MAIL FROM');
  lines.push('BOGUS-LAST', 'NOOP');
  pipeline(c, lines);
  await expectReplies(c, [
    ...Array.from({ length: 24 }, (_, i) => r('unrecognized', { line: `BOGUS${i}` })),
    r('unrecognized', { line: 'NOOP?x' }),
    ...Array.from({ length: 5 }, () => r('syntaxScanning', { word: 'FROM' })),
  ]);
  await expectClose(c, r('tooManyBad'));
  assert.equal(r('tooManyBad'), '421 4.7.0 mx.example.com Too many bad commands; closing connection');
});

test('§3.4 HELO/EHLO: limit 3, the 6th (rejected ones included) closes', async () => {
  const c = await srv.session();
  const lines = ['HELO a.example', 'EHLO b.example', 'HELO', 'HELO bad name', 'HELO c.example'];
  for (const l of lines) assert.match(await c.cmd(l), /^(250|501)[ -]/);
  c.send('EHLO d.example\r\n');
  await expectClose(c, r('tooManyBad'));
});

test('§3.4 NOOP and VERB share a counter (MaxNOOPCommands 20): the 40th closes', async () => {
  const c = await greeted(pub);
  const lines: string[] = [];
  for (let i = 0; i < 20; i++) lines.push('VERB');
  for (let i = 0; i < 19; i++) lines.push('NOOP');
  lines.push('NOOP');
  pipeline(c, lines);
  await expectReplies(c, [...Array.from({ length: 20 }, () => r('verboseMode')), ...Array.from({ length: 19 }, () => r('ok'))]);
  await expectClose(c, r('tooManyBad'));
});

test('§3.4 a refused VERB and HELP are not counted', async () => {
  const c = await greeted(srv);
  const lines: string[] = [];
  for (let i = 0; i < 30; i++) lines.push('VERB', 'HELP NOOP');
  for (let i = 0; i < 39; i++) lines.push('NOOP');
  pipeline(c, lines);
  for (let i = 0; i < 30; i++) {
    assert.equal(await c.text(), r('verboseUnavailable'));
    assert.match(await c.text(), /^214-2\.0\.0 NOOP\n/);
  }
  await expectReplies(c, Array.from({ length: 39 }, () => r('ok')));
  c.send('NOOP\r\n');
  await expectClose(c, r('tooManyBad'));
});

test('§3.4 VRFY and EXPN share a counter (limit 6): refusals count, the 12th closes', async () => {
  const c = await greeted(srv);
  const lines: string[] = [];
  for (let i = 0; i < 6; i++) lines.push('VRFY root', 'EXPN root');
  pipeline(c, lines);
  for (let i = 0; i < 5; i++) await expectReplies(c, [r('cannotVrfy'), r('notAllowed')]);
  assert.equal(await c.text(), r('cannotVrfy'));
  await expectClose(c, r('tooManyBad'));
});

test('§3.4 ETRN (limit 8): the 16th closes', async () => {
  const c = await greeted(srv);
  pipeline(c, Array.from({ length: 16 }, () => 'ETRN example.com'));
  await expectReplies(c, Array.from({ length: 15 }, () => r('etrnStarted', { node: 'example.com' })));
  await expectClose(c, r('tooManyBad'));
});

test('§3.4 penalty delays: 2^(n-limit) × SmtpPenaltyBase for HELO, NOOP, ETRN; ⌊n/6⌋ × base for VRFY/EXPN unless found', async () => {
  const s = await startTestServer({ conf: ['PrivacyOptions = public'] });
  try {
    // postern.conf durations are whole seconds at the finest; a SIGHUP-style reload sets 100 ms.
    const base = 100;
    s.server.reload({ ...s.server.settings, penaltyBase: base }, s.server.directory, s.server.policy);
    const times = async (c: RawClient, line: string, n: number): Promise<number[]> => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) out.push((await timed(() => c.cmd(line))).ms);
      return out;
    };
    const [helo, noop, vrfyFound, vrfyUnknown, etrn] = await Promise.all([
      s.session().then((c) => times(c, 'HELO client.example', 5)),
      greeted(s).then((c) => times(c, 'NOOP', 21)),
      greeted(s).then((c) => times(c, 'VRFY root', 8)),
      greeted(s).then((c) => times(c, 'VRFY nobody-here', 8)),
      greeted(s).then((c) => times(c, 'ETRN example.com', 9)),
    ]);
    const atLeast = (label: string, ms: number | undefined, min: number): void => {
      assert.ok(ms !== undefined && ms >= min * 0.95, `${label} waited ${ms} ms, at least ${min} expected`);
    };
    // The 3rd HELO waits one base, the 4th two, the 5th four.
    atLeast('3rd HELO', helo[2], base);
    atLeast('4th HELO', helo[3], 2 * base);
    atLeast('5th HELO', helo[4], 4 * base);
    assert.ok(helo[4]! > helo[3]! && helo[3]! > helo[2]!, `HELO delays grow: ${helo.join(', ')}`);
    atLeast('20th NOOP', noop[19], base);
    atLeast('21st NOOP', noop[20], 2 * base);
    // The 6th VRFY waits ⌊6/6⌋ bases; a successful one is stretched to 2^(n-6) bases.
    atLeast('6th VRFY (unknown)', vrfyUnknown[5], base);
    atLeast('8th VRFY (unknown)', vrfyUnknown[7], base);
    atLeast('6th VRFY (found)', vrfyFound[5], base);
    atLeast('7th VRFY (found)', vrfyFound[6], 2 * base);
    atLeast('8th VRFY (found)', vrfyFound[7], 4 * base);
    atLeast('8th ETRN', etrn[7], base);
    atLeast('9th ETRN', etrn[8], 2 * base);
  } finally {
    // The five sessions are still open: closing the server cuts them.
    await s.close();
  }
});
