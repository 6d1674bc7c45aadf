// smtp-session.md §3.2 (length limits, parameter count, message size by SIZE and by DATA, header size as
// sendmail counts it, hop count) and the connection limits of §2.1 / relay-and-access.md §5.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RawClient } from '../helpers/raw-client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import {
  DEFAULT_KEYWORDS,
  FOREIGN_IP,
  ehloReply,
  envelope,
  expectClose,
  greeted,
  message,
  pause,
  qidOf,
  queuedWith,
  r,
  talk,
} from './conformance.js';

let srv: TestServer;
before(async () => {
  srv = await startTestServer({ conf: ['MaxMessageSize = 1000', 'MaxHopCount = 5'] });
});
after(async () => {
  await srv.close();
});

async function withServer(conf: string[], run: (s: TestServer) => Promise<void>): Promise<void> {
  const s = await startTestServer({ conf });
  try {
    await run(s);
  } finally {
    await s.close();
  }
}

/** A message text whose size as sendmail counts it (each CR LF one octet, after unstuffing) is `n`. */
function sized(marker: string, n: number): string {
  let text = `Subject: ${marker}\r\n\r\n..stuffed\r\n`;
  let counted = `Subject: ${marker}`.length + 1 + 1 + '.stuffed'.length + 1;
  while (n - counted > 80) {
    text += `${'x'.repeat(79)}\r\n`;
    counted += 80;
  }
  const rest = n - counted;
  assert.ok(rest >= 1);
  return `${text}${'y'.repeat(rest - 1)}\r\n`;
}

test('§3.2 command line: 2048 octets with CR LF pass, one more is an attack (421 and close)', async () => {
  const c = await srv.session();
  const at = `NOOP ${'a'.repeat(2046 - 5)}`;
  assert.equal(await c.cmd(at), r('ok'));
  c.send(`${at}a\r\n`);
  await expectClose(c, r('commandTooLong'));
  assert.equal(r('commandTooLong'), '421 4.7.0 mx.example.com Command too long, possible attack localhost [127.0.0.1]');
  // A line that never ends is cut off as soon as it is too long.
  const endless = await srv.session();
  endless.sock.setNoDelay(true);
  endless.send(`NOOP ${'b'.repeat(1500)}`);
  await pause(30);
  endless.send('b'.repeat(1500));
  await expectClose(endless, r('commandTooLong'));
});

test('§3.2 AUTH lines may be 12288 octets with CR LF; one more closes', async () => {
  const c = await srv.session();
  const at = `AUTH PLAIN ${'A'.repeat(12286 - 11)}`;
  assert.equal(await c.cmd(at), r('authMechanismUnavailable', { name: 'PLAIN' }));
  c.close();
  const over = await srv.session();
  over.send(`${at}A\r\n`);
  await expectClose(over, r('commandTooLong'));
});

test('§3.2 at most 20 ESMTP parameters per MAIL or RCPT, counted before they are read', async () => {
  const c = await greeted(srv);
  await talk(c, [
    [`MAIL FROM:<a@example.org>${' BODY=7BIT'.repeat(21)}`, r('tooManyParams')],
    [`MAIL FROM:<a@example.org>${' BODY=7BIT'.repeat(20)}`, r('senderOk', undefined, '<a@example.org>')],
    [`RCPT TO:<bob@mx.example.com>${' FOO=1'.repeat(21)}`, r('tooManyParams')],
    [`RCPT TO:<bob@mx.example.com>${' FOO=1'.repeat(20)}`, r('paramUnrecognized', { keyword: 'FOO' })],
  ]);
  assert.equal(r('tooManyParams'), '501 5.5.4 Too many parameters');
  c.close();
});

test('§3.2/§6.2 MaxMessageSize by SIZE: advertised, checked after the parameters', async () => {
  const c = await srv.session();
  await talk(c, [
    ['EHLO client.example', ehloReply(DEFAULT_KEYWORDS.map((k) => (k.startsWith('SIZE') ? 'SIZE 1000' : k)))],
    ['MAIL FROM:<a@example.org> SIZE=1001', r('sizeExceedsFixed', { max: 1000 })],
    ['MAIL FROM:<a@example.org> SIZE=1000', r('senderOk', undefined, '<a@example.org>')],
  ]);
  c.close();
});

test('§3.2/§8.3 MaxMessageSize by DATA: counted after unstuffing with CR LF as one octet', async () => {
  const c = await greeted(srv);
  await envelope(c, '<a@example.org>', ['<bob@mx.example.com>']);
  const fits = sized('size-1000', 1000);
  assert.ok(Buffer.byteLength(fits) > 1000, 'more than 1000 octets on the wire');
  qidOf(await message(c, fits));
  await envelope(c, '<a@example.org>', ['<bob@mx.example.com>']);
  assert.equal(await message(c, sized('size-1001', 1001)), r('messageTooBig', { max: 1000 }));
  // Far over the limit: the server still reads to the end marker, then answers once.
  await envelope(c, '<a@example.org>', ['<bob@mx.example.com>']);
  assert.equal(await message(c, sized('size-huge', 200_000)), r('messageTooBig', { max: 1000 }));
  assert.equal(await c.cmd('NOOP'), r('ok'));
  c.close();
  assert.equal((await queuedWith(srv, 'size-1000')).length, 1);
  assert.deepEqual(await queuedWith(srv, 'size-1001'), []);
  assert.equal(r('messageTooBig', { max: 1000 }), '552 5.2.3 Message exceeds maximum fixed size (1000)');
});

test('§8.3 MaxHeadersLength counted as sendmail does: 1 500 fields of 20 characters pass 32768, 40 000 octets do not', async () => {
  await withServer([], async (s) => {
    const c = await greeted(s);
    let many = '';
    for (let i = 0; i < 1500; i++) many += `X-H: ${String(i).padStart(15, '0')}\r\n`;
    assert.equal(Buffer.byteLength(many), 33_000);
    await envelope(c, '<a@example.org>', ['<bob@mx.example.com>']);
    qidOf(await message(c, `${many}Subject: hdr-many\r\n\r\nx\r\n`));
    await envelope(c, '<a@example.org>', ['<bob@mx.example.com>']);
    assert.equal(await message(c, `Subject: hdr-big\r\nX-Big: ${'z'.repeat(40_000)}\r\n\r\nx\r\n`), r('headersTooLarge', { max: 32768 }));
    c.close();
    assert.deepEqual(await queuedWith(s, 'hdr-big'), []);
    assert.equal(r('headersTooLarge', { max: 32768 }), '552 5.6.0 Headers too large (32768 max)');
  });
});

test('§8.3 MaxHeadersLength boundary: each line with its end counted as length + 1', async () => {
  await withServer(['MaxHeadersLength = 100'], async (s) => {
    const c = await greeted(s);
    // Five lines of 19 characters: 5 × 20 = 100 counted (105 on the wire).
    const fields = (last: string): string => `Subject: hb-${last}xxxxxx\r\n${'X-A: 12345678901234\r\n'.repeat(4)}`;
    assert.equal(`Subject: hb-${'a'}xxxxxx`.length, 19);
    await envelope(c, '<a@example.org>', ['<bob@mx.example.com>']);
    qidOf(await message(c, `${fields('a')}\r\nbody\r\n`));
    await envelope(c, '<a@example.org>', ['<bob@mx.example.com>']);
    assert.equal(await message(c, `${fields('bb')}\r\nbody\r\n`), r('headersTooLarge', { max: 100 }));
    c.close();
  });
});

test('§8.3 [Postern] hop count: more Received fields than MaxHopCount are refused at the final dot', async () => {
  const c = await greeted(srv);
  const hops = (n: number, marker: string): string =>
    `${'Received: from a by b; Mon, 1 Jan 2024 12:00:00 +0000\r\n'.repeat(n)}Subject: ${marker}\r\n\r\nx\r\n`;
  await envelope(c, '<a@example.org>', ['<bob@mx.example.com>']);
  qidOf(await message(c, hops(5, 'hops-5')));
  await envelope(c, '<a@example.org>', ['<bob@mx.example.com>', '<root@mx.example.com>']);
  const refused = await message(c, hops(6, 'hops-6'));
  assert.match(
    refused,
    /^554 5\.4\.6 Too many hops 6 \(5 max\): from <?a@example\.org>? via localhost \[127\.0\.0\.1\], to <?bob@mx\.example\.com>?$/,
  );
  c.close();
  assert.deepEqual(await queuedWith(srv, 'hops-6'), []);
});

test('§8.3 MaxHopCount defaults to 25', async () => {
  await withServer([], async (s) => {
    const c = await greeted(s);
    const hops = (n: number): string => `${'Received: from a by b; Mon, 1 Jan 2024 12:00:00 +0000\r\n'.repeat(n)}Subject: hops\r\n\r\nx\r\n`;
    await envelope(c, '<a@example.org>', ['<bob@mx.example.com>']);
    qidOf(await message(c, hops(25)));
    await envelope(c, '<a@example.org>', ['<bob@mx.example.com>']);
    assert.match(await message(c, hops(26)), /^554 5\.4\.6 Too many hops 26 \(25 max\): /);
    c.close();
  });
});

async function untilSessions(s: TestServer, n: number): Promise<void> {
  for (let i = 0; i < 100 && s.server.sessionCount !== n; i++) await pause(10);
  assert.equal(s.server.sessionCount, n);
}

test('§2.1 MaxDaemonChildren: the connection over the limit gets 421 4.3.2 and is closed', async () => {
  await withServer(['MaxDaemonChildren = 2'], async (s) => {
    const a = await s.session();
    const b = await s.session();
    const third = await s.connect();
    await expectClose(third, r('tooManyConnections'));
    assert.equal(r('tooManyConnections'), '421 4.3.2 mx.example.com Too many concurrent connections; try again later');
    a.close();
    await untilSessions(s, 1);
    const again = await s.session();
    assert.equal(await again.cmd('NOOP'), r('ok'));
    again.close();
    b.close();
  });
});

test('relay-and-access §5 MaxConnectionsPerClient: a third connection from 127.0.0.2 is refused; 127.0.0.1 is exempt', async () => {
  await withServer(['MaxConnectionsPerClient = 2'], async (s) => {
    const foreign: RawClient[] = [];
    for (let i = 0; i < 2; i++) foreign.push(await s.session({ localAddress: FOREIGN_IP }));
    const third = await s.connect({ localAddress: FOREIGN_IP });
    await expectClose(third, r('tooManyOpen'));
    assert.equal(r('tooManyOpen'), '421 4.3.2 Too many open connections.');
    const local: RawClient[] = [];
    for (let i = 0; i < 3; i++) local.push(await s.session());
    for (const c of [...foreign, ...local]) c.close();
  });
});
