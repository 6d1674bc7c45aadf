// relay-and-access.md §7.4 (the default relay policy) and the relay-trick table of §3, from a client that
// may not relay (127.0.0.2: another loopback address is not this host) and from 127.0.0.1 (which may).
// The local domain of the test server is mx.example.com ($j); example.com of the spec's table maps to it.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RawClient } from '../helpers/raw-client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { FOREIGN_IP, greeted, message, qidOf, r } from './conformance.js';

let srv: TestServer;
before(async () => {
  srv = await startTestServer();
});
after(async () => {
  await srv.close();
});

async function rcptRows(c: RawClient, rows: ReadonlyArray<readonly [string, string]>): Promise<void> {
  assert.equal(await c.cmd('MAIL FROM:<a@gmail.example>'), r('senderOk', undefined, '<a@gmail.example>'));
  for (const [path, want] of rows) assert.equal(await c.cmd(`RCPT TO:${path}`), want, `RCPT TO:${path}`);
}

const ok = (p: string): readonly [string, string] => [p, r('recipientOk', undefined, p)];
// 127.0.0.2 has no PTR record here, so a refusal says so (relay-and-access.md §7.3 step 6); the plain
// `Relaying denied` of a named client is covered by test/policy's relay tests.
const denied = (p: string): readonly [string, string] => [p, r('relayLookupFailed', { name: `[${FOREIGN_IP}]` }, p)];
const unknown = (p: string): readonly [string, string] => [p, r('userUnknown', undefined, p)];

test('§7.4 a remote recipient: accepted from 127.0.0.1, relaying denied from 127.0.0.2', async () => {
  const local = await greeted(srv);
  await rcptRows(local, [ok('<x@other.example>'), ok('<x@[203.0.113.5]>')]);
  local.close();
  const foreign = await greeted(srv, { localAddress: FOREIGN_IP });
  await rcptRows(foreign, [denied('<x@other.example>')]);
  foreign.close();
  assert.equal(denied('<x@other.example>')[1], '550 5.7.1 <x@other.example>... Relaying denied. IP name lookup failed [127.0.0.2]');
});

test('§7.4 local recipients are accepted from anyone', async () => {
  const foreign = await greeted(srv, { localAddress: FOREIGN_IP });
  await rcptRows(foreign, [
    ok('<bob@mx.example.com>'),
    ok('<root@localhost>'),
    ok('<team@MX.EXAMPLE.COM>'),
    ok('<postmaster>'),
    unknown('<nobody-here@mx.example.com>'),
  ]);
  foreign.close();
});

test('§3 relay tricks through the local domain are judged by their real destination (127.0.0.2)', async () => {
  const c = await greeted(srv, { localAddress: FOREIGN_IP });
  await rcptRows(c, [
    denied('<user%evil.example@mx.example.com>'),
    denied('<"user@evil.example"@mx.example.com>'),
    denied('<"user@evil.example">'),
    denied('<"user%evil.example">'),
    denied('<user%evil.example>'),
    denied('<user%evil.example%mx.example.com@mx.example.com>'),
    denied('<user@evil.example%mx.example.com>'),
    unknown('<user\\@evil.example@mx.example.com>'),
    denied('<evil.example!user@mx.example.com>'),
    denied('<@mx.example.com:user@evil.example>'),
    denied('<@mx.example.com,@evil.example:user@evil.example>'),
    denied('<mx.example.com!evil.example!user>'),
    denied('<user@evil.example.>'),
    denied('<user@EVIL.EXAMPLE>'),
    ok('<@evil.example:bob@mx.example.com>'),
    unknown('<@evil.example:nobody-here@mx.example.com>'),
    denied('<user@[203.0.113.5]>'),
    denied('<bob%other.example@mx.example.com>'),
  ]);
  c.close();
});

test('§3 two unquoted @ are a syntax error for every client', async () => {
  const path = '<user@evil.example@mx.example.com>';
  const want = r('invalidRoute', undefined, path);
  const [local, foreign] = await Promise.all([greeted(srv), greeted(srv, { localAddress: FOREIGN_IP })]);
  await rcptRows(local, [[path, want]]);
  await rcptRows(foreign, [[path, want]]);
  local.close();
  foreign.close();
});

test('§3 the same tricks from 127.0.0.1 are relayed to their real destination', async () => {
  const c = await greeted(srv);
  await rcptRows(c, [ok('<user%one.example@mx.example.com>'), ok('<"user@two.example">'), ok('<three.example!user@mx.example.com>')]);
  const id = qidOf(await message(c, 'Subject: tricks\r\n\r\nx\r\n'));
  c.close();
  const env = (await srv.messages()).find((m) => m.envelope.id === id)!.envelope;
  assert.deepEqual(env.recipients.map((x) => x.address), ['user@one.example', 'user@two.example', 'user@three.example']);
});
