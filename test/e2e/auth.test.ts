// AUTH and STARTTLS against the daemon as a process, with real clients: `postern passwd` makes the
// password file, swaks authenticates with PLAIN and LOGIN over STARTTLS and relays, a client without AUTH
// is refused relaying, the submission listener (M=Ea) wants AUTH before MAIL, openssl s_client shows
// that TLS 1.1 is refused and TLS 1.2 and 1.3 are spoken, and a renewed certificate is served without a
// restart.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, readFile, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { E2E_HOST, MAIN, queued, queuedData, removeDir, run, startDaemon, tempDaemonDir, writeDaemonConfig, type Daemon } from '../helpers/daemon.js';
import { reverseName, startTestDns } from '../helpers/dns-server.js';
import { makeSelfSignedCert } from '../helpers/tls-cert.js';

/** Not 127.0.0.1, so relaying is not granted by address; its PTR name resolves back. */
const REMOTE = '127.0.0.9';

interface Setup {
  dir: string;
  d: Daemon;
  msaPort: number;
  cert: string;
  key: string;
}

async function setup(t: { after(fn: () => unknown): void }): Promise<Setup> {
  const dir = await tempDaemonDir();
  t.after(() => removeDir(dir));
  const dns = await startTestDns({ wildcardA: '192.0.2.1', PTR: { [reverseName(REMOTE)]: ['client.example.net'] }, A: { 'client.example.net': [REMOTE] } });
  t.after(() => dns.close());
  const { cert, key } = makeSelfSignedCert(dir, E2E_HOST);
  const passwords = join(dir, 'passwords');
  const add = await run(process.execPath, [MAIN, 'passwd', '-f', passwords, '--stdin', 'alice'], { input: 'wonder land\n' });
  assert.equal(add.code, 0, add.stderr);
  assert.equal(add.stdout, `${passwords}: added alice\n`);
  const config = await writeDaemonConfig(dir, [
    'DaemonPortOptions = Name=MSA, Addr=127.0.0.1, Port=0, M=Ea',
    `DnsServers = 127.0.0.1:${dns.port}`,
    `ServerCertFile = ${cert}`,
    `ServerKeyFile = ${key}`,
    `AuthPasswordFile = ${passwords}`,
  ]);
  const d = await startDaemon({ cwd: dir, config });
  t.after(() => d.stop());
  const ready = d.events('ready')[0]!;
  const msaPort = (ready.listeners as Array<{ port: number }>)[1]!.port;
  return { dir, d, msaPort, cert, key };
}

function swaks(port: number, extra: readonly string[]): ReturnType<typeof run> {
  return run('swaks', [
    '--server', '127.0.0.1', '--port', String(port), '--local-interface', REMOTE,
    '--ehlo', 'client.example', '--from', 'alice@example.org', '--to', 'friend@other.example',
    '--header', 'Subject: by swaks', '--body', 'hello', '--timeout', '20', ...extra,
  ]);
}

test('postern passwd writes a 0600 file with an scrypt hash; AUTH PLAIN and LOGIN with swaks relay; without AUTH no relay', async (t) => {
  const { dir, d } = await setup(t);
  const file = join(dir, 'passwords');
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  assert.match(await readFile(file, 'utf8'), /^alice:scrypt\$ln=15,r=8,p=1\$\S+\$\S+\n$/);

  const plain = await swaks(d.port, ['--tls', '--auth', 'PLAIN', '--auth-user', 'alice', '--auth-password', 'wonder land']);
  assert.equal(plain.code, 0, plain.stdout + plain.stderr);
  assert.match(plain.stdout, /<~ {2}250-AUTH PLAIN LOGIN/);
  assert.match(plain.stdout, /<~ {2}235 2\.0\.0 OK Authenticated/);
  assert.match(plain.stdout, /<~ {2}250 2\.1\.5 <friend@other\.example>\.\.\. Recipient ok/);

  const login = await swaks(d.port, ['--tls', '--auth', 'LOGIN', '--auth-user', 'alice', '--auth-password', 'wonder land']);
  assert.equal(login.code, 0, login.stdout + login.stderr);
  assert.match(login.stdout, /<~ {2}334 VXNlcm5hbWU6/);
  assert.match(login.stdout, /<~ {2}235 2\.0\.0 OK Authenticated/);

  const wrong = await swaks(d.port, ['--tls', '--auth', 'PLAIN', '--auth-user', 'alice', '--auth-password', 'guess']);
  assert.notEqual(wrong.code, 0);
  assert.match(wrong.stdout, /<~\* {1}535 5\.7\.0 authentication failed/);

  const none = await swaks(d.port, ['--tls']);
  assert.notEqual(none.code, 0);
  assert.match(none.stdout, /<~\* {1}550 5\.7\.1 <friend@other\.example>\.\.\. Relaying denied\. Proper authentication required\./);

  // Without TLS, AUTH is not offered at all.
  const clear = await swaks(d.port, ['--auth', 'PLAIN', '--auth-user', 'alice', '--auth-password', 'wonder land']);
  assert.notEqual(clear.code, 0);
  assert.doesNotMatch(clear.stdout, /250-AUTH/);
  assert.match(clear.stdout, /<- {2}250-STARTTLS/);
  assert.doesNotMatch(clear.stdout, /-> AUTH/, 'swaks gives up before sending AUTH');

  const msgs = await queued(join(dir, 'spool'));
  assert.equal(msgs.length, 2);
  for (const m of msgs) {
    assert.equal(m.envelope.auth, 'alice');
    const text = (await queuedData(join(dir, 'spool'), m.envelope.id)).toString('latin1');
    assert.match(text, /^Received: from client\.example \(client\.example\.net \[127\.0\.0\.9\]\) \(authenticated\)\r\n\tby mx\.example\.com \(Postern\) with ESMTPSA id /);
  }
  assert.equal(d.events('auth').length, 2);
  assert.equal(d.events('auth-failed').length, 1);
  assert.ok(!d.stdout.includes('wonder land'), 'no password in the logs');
});

test('the submission listener (M=Ea): 530 before AUTH, accepted after it', async (t) => {
  const { d, msaPort } = await setup(t);
  const anon = await swaks(msaPort, ['--tls']);
  assert.notEqual(anon.code, 0);
  assert.match(anon.stdout, /<~\* {1}530 5\.7\.0 Authentication required/);
  const ok = await swaks(msaPort, ['--tls', '--auth', 'LOGIN', '--auth-user', 'alice', '--auth-password', 'wonder land']);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.doesNotMatch(ok.stdout, /250-ETRN/);
  assert.ok(d.events('auth').length === 1);
});

async function sClient(port: number, args: readonly string[]): Promise<{ code: number | null; out: string }> {
  const r = await run('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-starttls', 'smtp', '-servername', E2E_HOST, ...args], { input: 'QUIT\r\n', timeoutMs: 20_000 });
  return { code: r.code, out: r.stdout + r.stderr };
}

test('openssl s_client: TLS 1.1 refused (even by a client that would allow it), TLS 1.2 and 1.3 spoken', async (t) => {
  const { d } = await setup(t);
  const old = await sClient(d.port, ['-tls1_1', '-cipher', 'DEFAULT@SECLEVEL=0']);
  assert.notEqual(old.code, 0);
  // The server's alert: this client would speak TLS 1.1 to a server that allowed it.
  assert.match(old.out, /tlsv1 alert protocol version/);
  const v12 = await sClient(d.port, ['-tls1_2']);
  assert.equal(v12.code, 0, v12.out);
  assert.match(v12.out, /Protocol\s*:\s*TLSv1\.2/);
  const v13 = await sClient(d.port, ['-tls1_3']);
  assert.equal(v13.code, 0, v13.out);
  assert.match(v13.out, /TLSv1\.3/);
});

test('a renewed certificate is served without a restart, and the reload is logged', async (t) => {
  const { dir, d, cert, key } = await setup(t);
  assert.match((await sClient(d.port, ['-tls1_2'])).out, /subject=CN = mx\.example\.com/);
  const renewed = makeSelfSignedCert(join(dir, 'spool'), 'renewed.example.com');
  await copyFile(renewed.key, key);
  await copyFile(renewed.cert, cert);
  const past = new Date(Date.now() - 10_000);
  await utimes(cert, past, past);
  await utimes(key, past, past);
  await new Promise((r) => setTimeout(r, 1100));
  assert.match((await sClient(d.port, ['-tls1_2'])).out, /subject=CN = renewed\.example\.com/);
  await d.waitForLog((l) => l.event === 'tls-reloaded');
});
