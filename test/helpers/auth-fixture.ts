// A test server with STARTTLS and an AUTH password file: a throw-away certificate and scrypt hashes
// made with a low cost (ln=10) so tests stay fast; the daemon's own hashes use the default cost.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { hashPassword } from '../../src/maps/password-hash.js';
import { RawClient } from './raw-client.js';
import { startTestServer, TEST_HOST, type TestServer, type TestServerOptions } from './server.js';
import { makeSelfSignedCert } from './tls-cert.js';

export const FAST = { ln: 10, r: 8, p: 1 };

export interface AuthFixture {
  srv: TestServer;
  certDir: string;
  cert: string;
  key: string;
  passwords: string;
  close(): Promise<void>;
}

/** `users` maps user names to passwords. */
export async function passwordFileText(users: Record<string, string>): Promise<string> {
  const lines = ['# test users'];
  for (const [u, p] of Object.entries(users)) lines.push(`${u}:${await hashPassword(p, FAST)}`);
  return `${lines.join('\n')}\n`;
}

export async function startAuthServer(users: Record<string, string>, opts: TestServerOptions = {}): Promise<AuthFixture> {
  const certDir = await mkdtemp(join(tmpdir(), 'postern-auth-'));
  const { cert, key } = makeSelfSignedCert(certDir);
  const passwords = join(certDir, 'passwords');
  await writeFile(passwords, await passwordFileText(users), { mode: 0o600 });
  const srv = await startTestServer({
    ...opts,
    conf: [`ServerCertFile = ${cert}`, `ServerKeyFile = ${key}`, `AuthPasswordFile = ${passwords}`, ...(opts.conf ?? [])],
  });
  return {
    srv,
    certDir,
    cert,
    key,
    passwords,
    async close() {
      await srv.close();
      await rm(certDir, { recursive: true, force: true });
    },
  };
}

export function upgrade(c: RawClient): Promise<RawClient & { tls: TLSSocket }> {
  return new Promise((resolve, reject) => {
    const t: TLSSocket = tlsConnect({ socket: c.sock, rejectUnauthorized: false, servername: TEST_HOST }, () =>
      resolve(Object.assign(RawClient.over(t), { tls: t })),
    );
    t.once('error', reject);
  });
}

/** Greeting, EHLO, STARTTLS, handshake, EHLO again: a client ready to AUTH. */
export async function tlsSession(srv: TestServer, opts: { localAddress?: string } = {}): Promise<RawClient & { tls: TLSSocket }> {
  const c = await srv.session(opts);
  await c.cmd('EHLO client.example');
  const ready = await c.cmd('STARTTLS');
  if (!ready.startsWith('220 ')) throw new Error(ready);
  const t = await upgrade(c);
  await t.cmd('EHLO client.example');
  return t;
}

export function b64(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64');
}
