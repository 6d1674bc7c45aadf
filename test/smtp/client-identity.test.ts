import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestDns, reverseName, type TestDns } from '../helpers/dns-server.js';
import { startTestServer, TEST_HOST, type TestServer } from '../helpers/server.js';

// DnsServers points Postern at a resolver on any address and port (config-formats.md §5.2); the client's
// name comes from its PTR record, confirmed forward (smtp-session.md §2.3). 127.0.0.1 is the host itself
// and is named by /etc/hosts; every other loopback address is an ordinary client.

let dns: TestDns;
let srv: TestServer;

before(async () => {
  dns = await startTestDns({
    PTR: {
      [reverseName('127.0.0.2')]: ['client.example.net'],
      [reverseName('127.0.0.3')]: ['forged.example.net'],
      [reverseName('127.0.0.5')]: ['flaky.example.net'],
      [reverseName('127.0.0.6')]: ['busy.example.net'],
    },
    A: { 'client.example.net': ['127.0.0.2'], 'forged.example.net': ['192.0.2.99'], 'busy.example.net': ['127.0.0.6'] },
    special: { [reverseName('127.0.0.4')]: 'servfail', 'flaky.example.net': 'servfail' },
  });
  srv = await startTestServer({ conf: [`DnsServers = 127.0.0.1:${dns.port}`] });
});

after(async () => {
  await srv.close();
  await dns.close();
});

async function hello(localAddress: string): Promise<string> {
  const c = await srv.session({ localAddress });
  const r = await c.cmd('HELO me.example');
  c.close();
  return r;
}

test('a forward-confirmed PTR name is used: name [ip]', async () => {
  assert.equal(await hello('127.0.0.2'), `250 ${TEST_HOST} Hello client.example.net [127.0.0.2], pleased to meet you`);
  assert.ok(dns.queries.includes(`PTR ${reverseName('127.0.0.2')}`));
});

test('a PTR name that does not resolve back is marked (may be forged)', async () => {
  assert.equal(await hello('127.0.0.3'), `250 ${TEST_HOST} Hello forged.example.net [127.0.0.3] (may be forged), pleased to meet you`);
});

test('no PTR record, or a failing lookup, gives [ip] alone', async () => {
  assert.equal(await hello('127.0.0.9'), `250 ${TEST_HOST} Hello [127.0.0.9], pleased to meet you`);
  assert.equal(await hello('127.0.0.4'), `250 ${TEST_HOST} Hello [127.0.0.4], pleased to meet you`);
  assert.equal(await hello('127.0.0.5'), `250 ${TEST_HOST} Hello [127.0.0.5], pleased to meet you`);
});

test('the host itself is named from /etc/hosts without asking DNS', async () => {
  const before = dns.queries.length;
  assert.equal(await hello('127.0.0.1'), `250 ${TEST_HOST} Hello localhost [127.0.0.1], pleased to meet you`);
  assert.equal(dns.queries.length, before);
});

test('many connections from one address cost one PTR and one forward lookup', async () => {
  const replies = await Promise.all([1, 2, 3, 4, 5, 6].map(() => hello('127.0.0.6')));
  for (const r of replies) assert.equal(r, `250 ${TEST_HOST} Hello busy.example.net [127.0.0.6], pleased to meet you`);
  assert.equal(dns.queries.filter((q) => q === `PTR ${reverseName('127.0.0.6')}`).length, 1);
  assert.equal(dns.queries.filter((q) => q === 'A busy.example.net').length, 1);
  // A later connection within the cache time asks nothing at all.
  assert.equal(await hello('127.0.0.6'), `250 ${TEST_HOST} Hello busy.example.net [127.0.0.6], pleased to meet you`);
  assert.equal(dns.queries.filter((q) => q === `PTR ${reverseName('127.0.0.6')}`).length, 1);
});
