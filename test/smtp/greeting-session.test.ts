// smtp-session.md §2.1 step 4 (early talkers without a greet pause) and §2.2 (SmtpGreetingMessage) over
// a real socket: the option as an admin writes it in postern.conf, the greeting as it goes on the wire.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { startTestServer } from '../helpers/server.js';
import { DEFAULT_KEYWORDS, FOREIGN_IP, J, ehloReply, re } from './conformance.js';

/** $b: RFC 5322 date, no leading zero on the day, numeric zone (§11). */
const DATE = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), [1-9]\\d? (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \\d{4} \\d\\d:\\d\\d:\\d\\d [+-]\\d{4}';

/** The greeting lines a fresh connection gets with this SmtpGreetingMessage (undefined = default). */
async function greetingWith(option: string | undefined, localAddress?: string): Promise<string[]> {
  const srv = await startTestServer({ conf: option === undefined ? [] : [`SmtpGreetingMessage = ${option}`] });
  try {
    const c = await srv.connect(localAddress !== undefined ? { localAddress } : undefined);
    const g = await c.reply();
    c.close();
    return g.lines;
  } finally {
    await srv.close();
  }
}

test('§2.2 default greeting: `$j Postern; $b`, ESMTP after the first word, no version', async () => {
  const lines = await greetingWith(undefined);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, new RegExp(`^220 ${re(J)} ESMTP Postern; ${DATE}$`));
  assert.doesNotMatch(lines[0]!, /0\.0\.0-test/, 'the default greeting discloses no version');
});

test('§2.2 example table: single word, version macros, \\n for a second line', async () => {
  const [single, versions, twoLines, blank] = await Promise.all([
    greetingWith('$j'),
    greetingWith('$j Sendmail $v/$Z; $b NO UCE C=xx L=xx'),
    greetingWith('$j hello\\nsecond line'),
    greetingWith('$j one\\n  two\\nthree'),
  ]);
  assert.deepEqual(single, [`220 ${J} ESMTP`]);
  assert.equal(versions.length, 1);
  assert.match(versions[0]!, new RegExp(`^220 ${re(J)} ESMTP Sendmail 0\\.0\\.0-test/0\\.0\\.0-test; ${DATE} NO UCE C=xx L=xx$`));
  assert.deepEqual(twoLines, [`220-${J} ESMTP hello`, '220 second line']);
  // Lines after the first drop one leading blank, not more.
  assert.deepEqual(blank, [`220-${J} ESMTP one`, '220- two', '220 three']);
});

test('§2.2/§11 connection-time macros expand; the others, $$ and conditionals as in op.me', async () => {
  const option =
    '$j w=$w m=$m a=${client_addr} d=${daemon_name} c=$_ dollar=$$ i=$i. cj=$?jset$|unset$. ci=$?iset$|unset$.';
  const [local, foreign] = await Promise.all([greetingWith(option), greetingWith(option, FOREIGN_IP)]);
  // $w is the first label of this machine's own host name, not of $j.
  const w = hostname().split('.')[0]!;
  assert.deepEqual(local, [
    `220 ${J} ESMTP w=${w} m=example.com a=127.0.0.1 d=MTA c=localhost [127.0.0.1] dollar=$ i=. cj=set ci=unset`,
  ]);
  assert.deepEqual(foreign, [
    `220 ${J} ESMTP w=${w} m=example.com a=${FOREIGN_IP} d=MTA c=[${FOREIGN_IP}] dollar=$ i=. cj=set ci=unset`,
  ]);
});

test('§2.1 step 4: without a greet pause, a command sent before the greeting is answered after it', async () => {
  const srv = await startTestServer();
  try {
    const c = await srv.connect();
    c.send('EHLO client.example\r\n');
    assert.match(await c.text(), new RegExp(`^220 ${re(J)} ESMTP Postern; `));
    assert.equal(await c.text(), ehloReply(DEFAULT_KEYWORDS));
    c.close();
  } finally {
    await srv.close();
  }
});
