// Remote delivery through the real daemon (issue 7): the test DNS server gives MX records for many
// domains; smtp-sink instances on 127.0.0.1–3 (accepting, refusing RCPT with 5xx, with 4xx) and a
// Postern instance on 127.0.0.4 are the destinations, all on one port (the daemon's OutboundPort).
// Mail to each domain goes to its MX, backup MX after a refused connection, domains sharing an MX in
// one transaction; 5xx bounces with the remote text, a null MX and an unknown domain bounce at once,
// a 4xx domain is retried and bounced at Timeout.queuereturn; a domain whose TLS policy says verify
// is not sent in clear; mailertable and the smart host route around DNS.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startTestDns, type TestDns, type Zone } from '../helpers/dns-server.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { freePort, SMTP_SINK } from '../outbound/sink.js';
import { Site } from './delivery-fixture.js';
import { sinkAt, type LoopbackSink } from './outbound-fixture.js';

const DOMAINS = Array.from({ length: 12 }, (_, i) => `d${i + 1}.test`);

function zone(): Zone {
  const MX: NonNullable<Zone['MX']> = {};
  const A: NonNullable<Zone['A']> = {};
  for (const d of DOMAINS) {
    MX[d] = [{ preference: 10, exchange: `mx.${d}` }];
    A[`mx.${d}`] = ['127.0.0.1'];
  }
  Object.assign(MX, {
    'shared-a.test': [{ preference: 10, exchange: 'mx.shared.test' }],
    'shared-b.test': [{ preference: 10, exchange: 'mx.shared.test' }],
    'backup.test': [
      { preference: 10, exchange: 'mx.down.test' },
      { preference: 20, exchange: 'mx.d1.test' },
    ],
    'reject.test': [{ preference: 10, exchange: 'mx.reject.test' }],
    'later.test': [{ preference: 10, exchange: 'mx.later.test' }],
    'nullmx.test': [{ preference: 0, exchange: '.' }],
    'peer.test': [{ preference: 10, exchange: 'mx.peer.test' }],
    'strict.test': [{ preference: 10, exchange: 'mx.d1.test' }],
    'v6.test': [{ preference: 10, exchange: 'mx.v6.test' }],
    'plain.test': [{ preference: 10, exchange: 'mx.plain.test' }],
  });
  Object.assign(A, {
    'mx.shared.test': ['127.0.0.1'],
    'mx.down.test': ['127.0.0.5'],
    'mx.reject.test': ['127.0.0.2'],
    'mx.later.test': ['127.0.0.3'],
    'mx.peer.test': ['127.0.0.4'],
    'relay.smart.test': ['127.0.0.1'],
    'mx.plain.test': ['127.0.0.6'],
  });
  return { MX, A, AAAA: { 'mx.v6.test': ['::1'] }, special: { 'gone.test': 'nxdomain' } };
}

let dns: TestDns;
let port: number;
let ok: LoopbackSink;
let hard: LoopbackSink;
let soft: LoopbackSink;
let peer: TestServer;
let six: LoopbackSink;
let plain: LoopbackSink;

before(async () => {
  assert.ok(existsSync(SMTP_SINK), 'these tests need smtp-sink (apt-get install postfix)');
  dns = await startTestDns(zone());
  port = await freePort();
  ok = await sinkAt('127.0.0.1', port);
  hard = await sinkAt('127.0.0.2', port, ['-f', 'RCPT']);
  soft = await sinkAt('127.0.0.3', port, ['-r', 'RCPT']);
  six = await sinkAt('::1', port);
  plain = await sinkAt('127.0.0.6', port, ['-e']);
  peer = await startTestServer({ listener: `Name=MTA, Addr=127.0.0.4, Port=${port}`, conf: ['Class w peer.test', 'Feature accept_unresolvable_domains'] });
});

after(async () => {
  await Promise.all([ok?.stop(), hard?.stop(), soft?.stop(), six?.stop(), plain?.stop(), peer?.close(), dns?.close()]);
});

function outboundConf(extra: string[] = []): string[] {
  return [`DnsServers = 127.0.0.1:${dns.port}`, `OutboundPort = ${port}`, 'Timeout.resolver.retrans = 1s', 'Timeout.resolver.retry = 2', ...extra];
}

type Ctx = Parameters<typeof Site.create>[0];

/** Files of a test live in the site's directory, known once it exists: `@DIR@` in the configuration. */
async function placeDir(s: Site): Promise<void> {
  await writeFile(s.conf, (await readFile(s.conf, 'utf8')).replaceAll('@DIR@', s.dir));
}

async function site(t: Ctx, extra: string[] = []): Promise<Site> {
  return Site.create(t, { format: 'mbox', conf: outboundConf(extra) });
}

test('mail to twelve domains reaches each MX; domains sharing an MX go in one transaction; a refused MX falls back to the next', async (t) => {
  const s = await site(t);
  const d = await s.start();
  const before = (await ok.captured()).length;
  const to = [...DOMAINS.map((x) => `rcpt@${x}`), 'a@shared-a.test', 'b@shared-b.test', 'c@backup.test'];
  const qid = await s.send(d, s.address(s.bob), to, 'many-domains');
  const all = await ok.waitFor(before + DOMAINS.length + 2);
  const mine = all.filter((m) => m.data.includes('Subject: many-domains'));
  const rcpts = mine.flatMap((m) => m.rcpts).map((r) => r.replace(/^<(.*)>$/, '$1'));
  assert.deepEqual([...rcpts].sort(), [...to].sort());
  const shared = mine.find((m) => m.rcpts.some((r) => r.includes('a@shared-a.test')))!;
  assert.equal(shared.rcpts.length, 2, 'shared-a.test and shared-b.test have one MX: one transaction');
  assert.match(shared.data, /Subject: many-domains/);
  assert.match(shared.mailArgs, new RegExp(`<${s.address(s.bob)}>`));
  await s.waitForQueue((q) => !q.some((m) => m.envelope.id === qid));
  const lines = d.logs.filter((l) => l.event === 'delivery' && l.qid === qid);
  assert.equal(lines.length, to.length);
  for (const l of lines) {
    assert.equal(l.mailer, 'esmtp');
    assert.match(String(l.stat), /^Sent \(/);
    assert.match(String(l.relay), /^mx\.[a-z0-9.-]+\.test\. \[127\.0\.0\.1\]$/);
    assert.equal(l.dsn, '2.0.0');
  }
  const backup = lines.find((l) => l.to === '<c@backup.test>')!;
  assert.equal(backup.relay, 'mx.d1.test. [127.0.0.1]');
});

test('IPv6: an MX host with only an AAAA record is reached over IPv6', async (t) => {
  const s = await site(t);
  const d = await s.start();
  const qid = await s.send(d, s.address(s.bob), ['six@v6.test'], 'over-ipv6');
  const got = await six.waitFor(1);
  assert.deepEqual(got[0]!.rcpts, ['<six@v6.test>']);
  const line = await d.waitForLog((l) => l.event === 'delivery' && l.qid === qid);
  assert.equal(line.relay, 'mx.v6.test. [::1]');
  assert.match(String(line.stat), /^Sent \(/);
});

test('5xx bounces with the remote reply; null MX and an unknown domain bounce at once; the Postern peer takes its mail', async (t) => {
  const s = await site(t);
  const d = await s.start();
  const qid = await s.send(d, s.address(s.bob), ['x@reject.test', 'y@nullmx.test', 'z@gone.test', 'bob@peer.test'], 'refusals');
  const msgs = await s.waitForMail(s.bob, (m) => m.some((x) => x.includes('Subject: Returned mail')), 15_000, 'bounce');
  const dsn = msgs.find((x) => x.includes('Subject: Returned mail'))!;
  const block = (addr: string): string => {
    const i = dsn.indexOf(`Final-Recipient: RFC822; ${addr}`);
    assert.ok(i >= 0, `${addr} in the DSN:\n${dsn}`);
    return dsn.slice(i, dsn.indexOf('\n\n', i));
  };
  const rejected = block('x@reject.test');
  assert.match(rejected, /\nAction: failed\nStatus: 5\.\d\.\d+\n/);
  assert.match(rejected, /\nRemote-MTA: DNS; mx\.reject\.test\n/);
  assert.match(rejected, /\nDiagnostic-Code: SMTP; 5\d\d /);
  assert.match(dsn, /\.\.\. while talking to mx\.reject\.test\.:\n>>> RCPT To:<x@reject\.test>\n<<< 5\d\d /);
  assert.match(block('y@nullmx.test'), /\nStatus: 5\.1\.10\n[\s\S]*Diagnostic-Code: SMTP; 556 5\.1\.10 <y@nullmx\.test>\.\.\. Host does not accept mail: MX 0 \./);
  assert.match(block('z@gone.test'), /\nStatus: 5\.1\.2\n[\s\S]*Host unknown \(Name server: gone\.test: host not found\)/);
  assert.doesNotMatch(block('y@nullmx.test'), /Remote-MTA/);
  // The peer (a Postern) queued the message for its local user.
  const deadline = Date.now() + 10_000;
  for (;;) {
    const got = (await peer.messages()).filter((m) => m.envelope.recipients.some((r) => r.address === 'bob@peer.test'));
    if (got.length > 0) {
      assert.equal(got[0]!.envelope.sender, s.address(s.bob));
      break;
    }
    assert.ok(Date.now() < deadline, 'the Postern peer got the message');
    await new Promise((r) => setTimeout(r, 50));
  }
  const line = await d.waitForLog((l) => l.event === 'delivery' && l.qid === qid && l.to === '<bob@peer.test>');
  assert.equal(line.relay, 'mx.peer.test. [127.0.0.4]');
  assert.match(String(line.stat), /^Sent \(/);
});

test('a domain whose MX answers 4xx is retried and, at Timeout.queuereturn, bounced with 4.4.7', async (t) => {
  const s = await site(t, ['Timeout.queuereturn = 5s', 'Timeout.queuewarn = 1h']);
  const d = await s.start();
  const qid = await s.send(d, s.address(s.bob), ['w@later.test'], 'keeps-failing');
  const msgs = await s.waitForMail(s.bob, (m) => m.some((x) => x.includes('Subject: Returned mail')), 20_000, 'bounce after queuereturn');
  const dsn = msgs.find((x) => x.includes('Subject: Returned mail'))!;
  assert.match(dsn, /\nFinal-Recipient: RFC822; w@later\.test\nAction: failed\nStatus: 4\.4\.7\n/);
  assert.match(dsn, /\nRemote-MTA: DNS; mx\.later\.test\n/);
  assert.match(dsn, /Message could not be delivered for 5 seconds/);
  const tries = d.logs.filter((l) => l.event === 'delivery' && l.qid === qid && String(l.stat).startsWith('Deferred: 4'));
  assert.ok(tries.length >= 2, `retried: ${tries.length} deferrals`);
  assert.equal(tries[0]!.relay, 'mx.later.test. [127.0.0.3]');
  await s.waitForQueue((q) => !q.some((m) => m.envelope.id === qid));
});

test('TLS policy verify: a peer without STARTTLS gets nothing, the message waits', async (t) => {
  const s = await site(t, ['TLSPolicyFile = @DIR@/tls-policy']);
  await writeFile(join(s.dir, 'tls-policy'), 'strict.test verify\n');
  await placeDir(s);
  const d = await s.start();
  const before = (await ok.captured()).length;
  const qid = await s.send(d, s.address(s.bob), ['v@strict.test'], 'must-verify');
  const line = await d.waitForLog((l) => l.event === 'delivery' && l.qid === qid, 15_000);
  assert.match(String(line.stat), /^Deferred: 4\d\d 4\./);
  assert.equal((await ok.captured()).length, before, 'nothing was sent in clear');
});

test('mailertable and the smart host route around MX records', async (t) => {
  const s = await site(t, ['Feature mailertable, @DIR@/mailertable', 'SmartHost = [relay.smart.test]']);
  await writeFile(join(s.dir, 'mailertable'), `reject.test esmtp:[mx.d2.test]\n.sub.test esmtp:[127.0.0.1]:${port}\nold.test error:5.1.2:550 domain retired\nhere.test local:${s.bob.name}\n`);
  await placeDir(s);
  const d = await s.start();
  const before = (await ok.captured()).length;
  const qid = await s.send(d, s.address(s.bob), ['m@reject.test', 'n@a.sub.test', 'o@elsewhere.example', 'p@old.test', 'anyone@here.test'], 'routed');
  await ok.waitFor(before + 3);
  const lines = await d.waitUntil(() => {
    const l = d.logs.filter((x) => x.event === 'delivery' && x.qid === qid);
    return l.length === 5 ? l : undefined;
  }, 15_000, 'five delivery lines');
  const by = (to: string): Record<string, unknown> => lines.find((l) => l.to === to)!;
  assert.equal(by('<m@reject.test>').relay, 'mx.d2.test. [127.0.0.1]');
  assert.equal(by('<n@a.sub.test>').relay, '127.0.0.1. [127.0.0.1]');
  assert.equal(by('<o@elsewhere.example>').relay, 'relay.smart.test. [127.0.0.1]');
  assert.equal(by('<p@old.test>').stat, '550 5.1.2 <p@old.test>... domain retired');
  // local: delivers to the local user in place of the remote address.
  const local = lines.find((l) => l.mailer === 'local' && l.stat === 'Sent');
  assert.ok(local !== undefined, JSON.stringify(lines.map((l) => [l.to, l.stat])));
  assert.equal(local.ctladdr, '<anyone@here.test>');
  const mail = await s.waitForMail(s.bob, (m) => m.some((x) => x.includes('Subject: routed')));
  // Once: bob (the sender) may also have the bounce for p@old.test by now, which quotes the headers.
  const copies = mail.filter((x) => x.includes('Subject: routed') && !x.includes('multipart/report'));
  assert.equal(copies.length, 1, mail.join('\n----\n'));

  // A new version of the file is taken without a restart (once it has settled for a second).
  const mt = join(s.dir, 'mailertable');
  await writeFile(mt, 'reject.test esmtp:[mx.d3.test]\n');
  const old = new Date(Date.now() - 10_000);
  await utimes(mt, old, old);
  const loadedBefore = d.events('map-loaded').length;
  await d.waitUntil(() => {
    // Routing looks at the file when it routes: keep sending until the reload is logged.
    return d.events('map-loaded').length > loadedBefore ? true : undefined;
  }, 1500, 'no reload without a lookup').catch(() => undefined);
  let reloaded = d.events('map-loaded').length > loadedBefore;
  for (let i = 0; i < 10 && !reloaded; i++) {
    await s.send(d, s.address(s.bob), ['poke@reject.test'], `poke-${i}`);
    await new Promise((r) => setTimeout(r, 300));
    reloaded = d.events('map-loaded').length > loadedBefore;
  }
  assert.ok(reloaded, 'the mailertable was loaded again');
  const loaded = d.events('map-loaded').at(-1)!;
  assert.equal(loaded.map, 'mailertable');
  assert.equal(loaded.entries, 1);
  const again = await s.send(d, s.address(s.bob), ['m2@reject.test'], 'routed-again');
  const line = await d.waitForLog((l) => l.event === 'delivery' && l.qid === again, 15_000);
  assert.equal(line.relay, 'mx.d3.test. [127.0.0.1]');
});

test('NOTIFY and ORCPT go on to a server offering DSN (it reports, not Postern); a server without ESMTP: a relayed report', async (t) => {
  const s = await site(t);
  const d = await s.start();
  const beforeOk = (await ok.captured()).length;
  const from = s.address(s.bob);
  const c = await d.session();
  try {
    await c.cmd('EHLO client.example');
    assert.match(await c.cmd(`MAIL FROM:<${from}> RET=HDRS ENVID=env-1`), /^250 /);
    assert.match(await c.cmd('RCPT TO:<x@d3.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;x@d3.test'), /^250 /);
    assert.match(await c.cmd('RCPT TO:<y@plain.test> NOTIFY=SUCCESS'), /^250 /);
    assert.match(await c.cmd('DATA'), /^354 /);
    c.send('Subject: receipts\r\n\r\nHello.\r\n.\r\n');
    assert.match(await c.text(15_000), /^250 /);
    await c.cmd('QUIT');
  } finally {
    c.close();
  }
  const got = (await ok.waitFor(beforeOk + 1)).filter((m) => m.data.includes('Subject: receipts'));
  assert.equal(got.length, 1);
  assert.deepEqual(got[0]!.rcptArgs, ['<x@d3.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;x@d3.test']);
  assert.match(got[0]!.mailArgs, /RET=HDRS/);
  assert.match(got[0]!.mailArgs, /ENVID=env-1/);
  const [viaPlain] = await plain.waitFor(1);
  assert.match(viaPlain!.data, /Subject: receipts/);
  const msgs = await s.waitForMail(s.bob, (m) => m.some((x) => x.includes('Subject: Return receipt')), 15_000, 'relayed report');
  const receipt = msgs.find((x) => x.includes('Subject: Return receipt'))!;
  assert.match(receipt, /\nFinal-Recipient: RFC822; y@plain\.test\nAction: relayed\nStatus: 2\.0\.0\n/);
  assert.match(receipt, /\nRemote-MTA: DNS; mx\.plain\.test\n/);
  assert.doesNotMatch(receipt, /x@d3\.test/, 'the DSN-capable server reports x@d3.test itself');
  assert.match(receipt, /\nOriginal-Envelope-Id: env-1\n/);
});

test('SoftBounce: a 5xx from the peer is a temporary failure', async (t) => {
  const s = await site(t, ['SoftBounce = True']);
  const d = await s.start();
  const qid = await s.send(d, s.address(s.bob), ['q@reject.test', 'r@gone.test'], 'soft');
  const lines = await d.waitUntil(() => {
    const l = d.logs.filter((x) => x.event === 'delivery' && x.qid === qid);
    return l.length === 2 ? l : undefined;
  }, 15_000, 'two delivery lines');
  for (const l of lines) assert.match(String(l.stat), /^Deferred: 4\d\d 4\./, String(l.stat));
  assert.equal((await s.mailbox(s.bob)).filter((x) => x.includes('Returned mail')).length, 0);
});

test('root master and unprivileged worker: the worker delivers remote mail itself', async (t) => {
  const s = await Site.create(t, { format: 'mbox', split: true, conf: outboundConf() });
  const d = await s.start();
  const before = (await ok.captured()).length;
  const qid = await s.send(d, s.address(s.bob), ['split@d5.test'], 'from-the-worker');
  const got = (await ok.waitFor(before + 1)).filter((m) => m.data.includes('Subject: from-the-worker'));
  assert.equal(got.length, 1);
  const line = await d.waitForLog((l) => l.event === 'delivery' && l.qid === qid);
  assert.equal(line.relay, 'mx.d5.test. [127.0.0.1]');
  assert.notEqual(line.pid, d.pid, 'logged by the worker, not the master');
});
