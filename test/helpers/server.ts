// Starts a real Postern SMTP server in this process for a test: configuration written as a postern.conf
// in a temporary directory and loaded by the real loader, a real spool, a real TCP listener on port 0.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config/load.js';
import { buildRuntime } from '../../src/daemon/runtime.js';
import { Spool, SpoolReader, type QueuedMessage } from '../../src/queue/index.js';
import { SmtpServer } from '../../src/smtp/server.js';
import { formatDiagnostic } from '../../src/util/diagnostics.js';
import { RawClient } from './raw-client.js';
import { reverseName, startTestDns, type TestDns, type Zone } from './dns-server.js';

export const TEST_HOST = 'mx.example.com';

/** Aliases every test server knows (aliases-forward.md style). */
export const TEST_ALIASES = `postmaster: root
ann: root
team: ann, bob, cy@remote.example
olduser: error:5.1.1:550 This user has left
bob: \\root
`;

export interface TestServerOptions {
  /** the DaemonPortOptions value of the one listener (default Name=MTA, Addr=127.0.0.1, Port=0) */
  listener?: string;
  /** DNS records the server sees (a loopback DNS server; every unknown name has an A record by default) */
  dns?: Zone;
  /** extra postern.conf lines (later lines win) */
  conf?: string[];
  aliases?: string;
  /** a passwd(5) file for local users; default: root (Charlie Root) and bob */
  passwd?: string;
}

export interface TestServer {
  port: number;
  dir: string;
  spoolDir: string;
  server: SmtpServer;
  /** every log line the server wrote, parsed */
  logs: Array<Record<string, unknown>>;
  /** the loopback DNS server this server asks */
  dns: TestDns;
  connect(opts?: { localAddress?: string }): Promise<RawClient>;
  /** connects and reads the greeting */
  session(opts?: { localAddress?: string }): Promise<RawClient>;
  messages(): Promise<QueuedMessage[]>;
  data(id: string): Promise<string>;
  close(): Promise<void>;
}

/** Every name exists (sender domains pass); 192.0.2.1 and 2001:db8::1 have names, so literal senders do too. */
export const DEFAULT_ZONE: Zone = {
  wildcardA: '192.0.2.1',
  PTR: { [reverseName('192.0.2.1')]: ['literal.example.net'], [reverseName('2001:db8::1')]: ['literal6.example.net'] },
  A: { 'literal.example.net': ['192.0.2.1'] },
  AAAA: { 'literal6.example.net': ['2001:db8::1'] },
};

const DEFAULT_PASSWD = 'root:x:0:0:Charlie Root:/root:/bin/sh\nbob:x:1000:1000:Bob Example,,,:/home/bob:/bin/sh\n';

export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const dir = await mkdtemp(join(tmpdir(), 'postern-test-'));
  const dns = await startTestDns(opts.dns ?? DEFAULT_ZONE);
  const spoolDir = join(dir, 'spool');
  await writeFile(join(dir, 'aliases'), opts.aliases ?? TEST_ALIASES);
  await writeFile(join(dir, 'passwd'), opts.passwd ?? DEFAULT_PASSWD);
  const conf = [
    `DaemonPortOptions = ${opts.listener ?? 'Name=MTA, Addr=127.0.0.1, Port=0'}`,
    `QueueDirectory = ${spoolDir}`,
    `AliasFile = ${join(dir, 'aliases')}`,
    `Macro j ${TEST_HOST}`,
    // The test's own DNS server: no PTR records unless a test gives some (clients are `[ip]`), and
    // every other name exists, so sender domains pass unless a test says otherwise.
    `DnsServers = 127.0.0.1:${dns.port}`,
    'Timeout.resolver.retrans = 1s',
    'Timeout.resolver.retry = 1',
    'SmtpPenaltyBase = 0',
    'DontProbeInterfaces = True',
    ...(opts.conf ?? []),
  ];
  const confPath = join(dir, 'postern.conf');
  await writeFile(confPath, `${conf.join('\n')}\n`);
  const loaded = await loadConfig({ path: confPath });
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
  const giveUp = async (message: string): Promise<never> => {
    // Nothing of a refused configuration may outlive the test: the DNS socket would keep it running.
    await dns.close();
    await rm(dir, { recursive: true, force: true });
    throw new Error(message);
  };
  if (loaded.config === undefined) return giveUp(`test configuration rejected:\n${errors.map(formatDiagnostic).join('\n')}`);
  const rt = await buildRuntime(loaded.config, '0.0.0-test', { passwdFile: join(dir, 'passwd') });
  if (rt.runtime === undefined) return giveUp(`runtime: ${rt.diagnostics.map(formatDiagnostic).join('\n')}`);
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') logs.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  const log = pino({ level: 'debug' }, sink);
  const spool = await Spool.open({ dir: spoolDir, fileMode: loaded.config.options.QueueFileMode });
  const server = new SmtpServer({
    settings: rt.runtime.settings,
    directory: rt.runtime.directory,
    spool,
    spoolDir,
    dns: rt.runtime.dns,
    log,
    version: '0.0.0-test',
    ownAddresses: rt.runtime.ownAddresses,
    tls: rt.runtime.tls,
    authenticator: rt.runtime.authenticator,
    policy: rt.runtime.policy,
  });
  await server.listen();
  const port = server.addresses()[0]!.port;
  const reader = new SpoolReader(spoolDir);
  const ts: TestServer = {
    port,
    dir,
    spoolDir,
    server,
    logs,
    dns,
    connect: (o) => RawClient.connect(port, o ?? {}),
    async session(o) {
      const c = await RawClient.connect(port, o ?? {});
      const g = await c.reply();
      if (g.code !== 220) throw new Error(`unexpected greeting ${g.lines.join('|')}`);
      return c;
    },
    async messages() {
      const out: QueuedMessage[] = [];
      for await (const m of reader.list()) out.push(m);
      return out;
    },
    async data(id) {
      return (await reader.readData(id)).toString('latin1');
    },
    async close() {
      await server.close();
      await spool.close();
      await dns.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return ts;
}
