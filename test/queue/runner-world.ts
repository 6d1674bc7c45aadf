// The queue runner in this process, assembled as the daemon assembles it (configuration file,
// buildRuntime, QueueRuntime) over a real spool, real delivery agents and real accounts, with a clock
// the test can move. Messages are committed straight into the SMTP writer's spool, as the server does.

import { chmod, chown, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { buildRuntime } from '../../src/daemon/runtime.js';
import { QueueRuntime } from '../../src/daemon/queue-runtime.js';
import { spawnAgentService, type AgentService } from '../../src/deliver/agent-service.js';
import { Spool, type Envelope, type QueuedMessage } from '../../src/queue/index.js';
import type { RunnerLog } from '../../src/queue/runner-types.js';
import type { Identity } from '../../src/route/types.js';
import { VERSION } from '../../src/version.js';
import { TestAccounts, usersWithHomes } from '../deliver/helpers.js';

export const J = 'mx.example.com';

interface Ctx {
  after(fn: () => unknown): void;
}

export interface LogEntry {
  level: 'info' | 'warn' | 'error';
  fields: Record<string, unknown>;
  msg: string;
}

export class RunnerWorld {
  readonly logs: LogEntry[] = [];
  /** Added to the real time: the runner's clock. */
  skew = 0;
  smtp!: Spool;
  queue!: QueueRuntime;
  delivery!: AgentService;

  private constructor(
    readonly dir: string,
    readonly accounts: TestAccounts,
    readonly bob: Identity,
    readonly carol: Identity,
    readonly dflt: Identity,
  ) {}

  get spoolDir(): string {
    return join(this.dir, 'spool');
  }

  get out(): string {
    return join(this.dir, 'out');
  }

  static async create(t: Ctx, opts: { aliases?: string[]; conf?: string[]; programs?: Record<string, string> } = {}): Promise<RunnerWorld> {
    const dir = await mkdtemp(join(tmpdir(), 'postern-runner-'));
    await chmod(dir, 0o755);
    const accounts = new TestAccounts();
    let world: RunnerWorld | undefined;
    t.after(async () => {
      if (world !== undefined) await world.close();
      try {
        await accounts.cleanup();
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
    const [bob, carol, dflt] = (await usersWithHomes(accounts, dir, ['bob', 'carol', 'dflt'])) as [Identity, Identity, Identity];
    await mkdir(join(dir, 'mail'));
    await chmod(join(dir, 'mail'), 0o1777);
    for (const d of ['out', 'safe']) {
      await mkdir(join(dir, d), { mode: 0o755 });
      await chown(join(dir, d), dflt.uid, dflt.gid);
    }
    await mkdir(join(dir, 'smrsh'), { mode: 0o755 });
    for (const [name, body] of Object.entries(opts.programs ?? {})) await writeFile(join(dir, 'smrsh', name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    const aliasText = (opts.aliases ?? []).map((l) => l.replaceAll('$bob', bob.name).replaceAll('$carol', carol.name)).join('\n');
    await writeFile(join(dir, 'aliases'), `${aliasText}\n`);
    const conf = [
      `QueueDirectory = ${join(dir, 'spool')}`,
      `AliasFile = ${join(dir, 'aliases')}`,
      `Macro j ${J}`,
      'RunAsUser = root',
      'DnsServers = 127.0.0.1:1',
      'DontProbeInterfaces = True',
      `MailSpoolDirectory = ${join(dir, 'mail')}`,
      `SafeFileEnvironment = ${join(dir, 'safe')}`,
      `SmrshDirectory = ${join(dir, 'smrsh')}`,
      `DefaultUser = ${dflt.name}`,
      // The tests start runs themselves.
      'QueueInterval = 0',
      ...(opts.conf ?? []),
    ];
    await writeFile(join(dir, 'postern.conf'), `${conf.join('\n')}\n`);
    world = new RunnerWorld(dir, accounts, bob, carol, dflt);
    await world.open();
    return world;
  }

  private async open(): Promise<void> {
    const loaded = await loadConfig({ path: join(this.dir, 'postern.conf') });
    if (loaded.config === undefined) throw new Error(JSON.stringify(loaded.diagnostics));
    const rt = await buildRuntime(loaded.config, VERSION);
    if (rt.runtime === undefined) throw new Error(JSON.stringify(rt.diagnostics));
    rt.runtime.dns.cancel();
    this.smtp = await Spool.open({ dir: this.spoolDir });
    this.delivery = spawnAgentService();
    const log = (level: LogEntry['level']) => (fields: Record<string, unknown>, msg: string) => void this.logs.push({ level, fields, msg });
    const logger: RunnerLog = { info: log('info'), warn: log('warn'), error: log('error') };
    const q = await QueueRuntime.open(rt.runtime, { smtpSpool: this.smtp, delivery: this.delivery, log: logger, now: () => Date.now() + this.skew });
    if (typeof q === 'string') throw new Error(q);
    this.queue = q;
    this.queue.start();
  }

  async close(): Promise<void> {
    await this.queue.close(10_000);
    await this.smtp.close();
    await this.delivery.close();
  }

  address(u: Identity | string): string {
    return `${typeof u === 'string' ? u : u.name}@${J}`;
  }

  /** Commits a message as the SMTP server would; returns its id. */
  async submit(recipients: Array<string | { address: string; notify?: string[]; orcpt?: string }>, opts: Partial<Envelope> & { subject?: string; body?: string } = {}): Promise<string> {
    const id = this.smtp.newId();
    const { subject, body, ...extra } = opts;
    const data = Buffer.from(`Received: by ${J}; test\r\nFrom: sender\r\nSubject: ${subject ?? id}\r\n\r\n${body ?? 'Hello.'}\r\n`);
    const envelope: Envelope = {
      version: 1,
      id,
      created: Date.now() + this.skew,
      sender: 'alice@client.example',
      size: data.length,
      eightBit: false,
      protocol: 'ESMTP',
      helo: 'client.example',
      client: 'client.example [192.0.2.1]',
      clientAddr: '192.0.2.1',
      recipients: recipients.map((r) => (typeof r === 'string' ? { address: r, primary: true } : { ...r, primary: true })),
      ...extra,
    };
    await this.smtp.commit(envelope, data);
    return id;
  }

  /** Waits for every attempt under way (immediate ones included) to finish. */
  async settle(): Promise<void> {
    await new Promise((r) => setImmediate(r));
    await this.queue.runner.whenIdle();
  }

  async message(id: string): Promise<QueuedMessage | undefined> {
    return this.queue.runner.reader.get(id);
  }

  async mbox(u: Identity): Promise<string[]> {
    const text = await readFile(join(this.dir, 'mail', u.name), 'utf8').catch(() => '');
    return text.split(/^(?=From )/m).filter((m) => m.startsWith('From '));
  }

  async maildir(u: Identity): Promise<string[]> {
    const d = join(u.home, 'Maildir', 'new');
    return (await readdir(d).catch(() => [] as string[])).sort();
  }

  deliveries(id: string): Array<Record<string, unknown>> {
    return this.logs.filter((l) => l.fields.event === 'delivery' && l.fields.qid === id).map((l) => l.fields);
  }

  /** Ids of reports generated about message `id`, with their kinds. */
  reports(id: string): Array<{ id: string; kind: string }> {
    return this.logs.filter((l) => l.fields.event === 'dsn' && l.fields.qid === id).map((l) => ({ id: String(l.fields.dsnqid), kind: String(l.fields.kind) }));
  }
}
