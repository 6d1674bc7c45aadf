// A small site for the delivery tests: real accounts (bob and carol receive mail; dflt is DefaultUser,
// so the alias file's programs and files run as it), a mail spool, a SafeFileEnvironment, a smrsh
// directory with a few programs, an alias file using them, and a daemon with the queue runner on.
// Everything lives in one temporary directory (0755, so the agents, acting as those users, can reach
// it); the accounts are removed afterwards.

import { chmod, chown, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Identity } from '../../src/route/types.js';
import { TestAccounts, usersWithHomes } from '../deliver/helpers.js';
import type { QueuedMessage } from '../../src/queue/index.js';
import { E2E_HOST, queued, removeDir, startDaemon, tempDaemonDir, writeDaemonConfig, type Daemon } from '../helpers/daemon.js';
import { transaction } from './smtp.js';

export interface SiteOptions {
  format: 'mbox' | 'maildir';
  /** postern.conf lines after the site's own. */
  conf?: string[];
  /** Extra alias lines. */
  aliases?: string[];
  /** Run as root master + worker: RunAsUser is a fresh account (the privilege split). */
  split?: boolean;
}

interface Ctx {
  after(fn: () => unknown): void;
}

export class Site {
  readonly mail: string;
  readonly safe: string;
  readonly smrsh: string;
  readonly out: string;
  daemons: Daemon[] = [];

  private constructor(
    readonly dir: string,
    readonly accounts: TestAccounts,
    readonly bob: Identity,
    readonly carol: Identity,
    readonly dflt: Identity,
    readonly conf: string,
    readonly format: 'mbox' | 'maildir',
  ) {
    this.mail = join(dir, 'mail');
    this.safe = join(dir, 'safe');
    this.smrsh = join(dir, 'smrsh');
    this.out = join(dir, 'out');
  }

  static async create(t: Ctx, opts: SiteOptions): Promise<Site> {
    const dir = await tempDaemonDir();
    await chmod(dir, 0o755);
    const accounts = new TestAccounts();
    // Stopped daemons first (their agents run as these users), then the accounts, then the files.
    let site: Site | undefined;
    t.after(async () => {
      for (const d of site?.daemons ?? []) if (!d.hasExited) await d.stop(20_000);
      try {
        await accounts.cleanup();
      } finally {
        await removeDir(dir);
      }
    });
    const [bob, carol, dflt] = (await usersWithHomes(accounts, dir, ['bob', 'carol', 'dflt'])) as [Identity, Identity, Identity];
    const worker = opts.split === true ? (await usersWithHomes(accounts, dir, ['worker']))[0] : undefined;
    const mail = join(dir, 'mail');
    await mkdir(mail);
    // Like /var/mail on systems without a mail group: anyone may create their mailbox, sticky.
    await chmod(mail, 0o1777);
    const out = join(dir, 'out');
    const safe = join(dir, 'safe');
    for (const d of [out, safe]) {
      await mkdir(d, { mode: 0o755 });
      await chown(d, dflt.uid, dflt.gid);
    }
    const smrsh = join(dir, 'smrsh');
    await mkdir(smrsh, { mode: 0o755 });
    const script = async (name: string, body: string): Promise<void> => {
      await writeFile(join(smrsh, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    };
    // Programs get the message on stdin and a clean environment: paths are written into the scripts.
    await script('record', `cat >> ${out}/record.txt\necho recorded`);
    await script('flaky', `if [ -e ${out}/flaky.seen ]; then cat >> ${out}/flaky.txt; exit 0; fi\ntouch ${out}/flaky.seen\ncat > /dev/null\nexit 75`);
    await script('refuse', 'cat > /dev/null\necho "refuse: no such mailbox here"\nexit 67');
    await script('tempfail', 'cat > /dev/null\nexit 75');
    const aliases = [
      `team: ${bob.name}, ${carol.name}`,
      'prog: "|record"',
      'flaky: "|flaky"',
      'broken: "|refuse"',
      'stuck: "|tempfail"',
      `archive: ${safe}/archive`,
      'outside: /etc/postern-e2e-outside',
      'faraway: someone@remote.example',
      ...(opts.aliases ?? []),
    ];
    const conf = await writeDaemonConfig(
      dir,
      [
        `MailSpoolDirectory = ${mail}`,
        `MailboxFormat = ${opts.format}`,
        `SafeFileEnvironment = ${safe}`,
        `SmrshDirectory = ${smrsh}`,
        `DefaultUser = ${dflt.name}`,
        'DeliveryMode = background',
        'QueueInterval = 1s',
        'MinQueueAge = 1s',
        'MaxQueueAge = 2s',
        ...(worker !== undefined ? [`RunAsUser = ${worker.name}`] : []),
        ...(opts.conf ?? []),
      ],
      `${aliases.join('\n')}\n`,
    );
    site = new Site(dir, accounts, bob, carol, dflt, conf, opts.format);
    return site;
  }

  address(u: Identity | string): string {
    return `${typeof u === 'string' ? u : u.name}@${E2E_HOST}`;
  }

  async start(): Promise<Daemon> {
    const d = await startDaemon({ cwd: this.dir, config: this.conf });
    this.daemons.push(d);
    return d;
  }

  /** Sends one message; returns its queue id (the reply must be 250). */
  async send(d: Daemon, from: string, to: string[], subject: string, body = 'Hello.'): Promise<string> {
    const c = await d.session();
    try {
      await c.cmd('EHLO client.example');
      const text = `From: <${from}>\r\nTo: ${to.map((a) => `<${a}>`).join(', ')}\r\nSubject: ${subject}\r\nMessage-Id: <${subject}@client.example>\r\n\r\n${body}\r\n`;
      const r = await transaction(c, from, to, text);
      if (r.qid === undefined) throw new Error(`not accepted: ${r.reply}`);
      await c.cmd('QUIT');
      return r.qid;
    } finally {
      c.close();
    }
  }

  /** The messages in a user's mailbox (mbox entries or Maildir files), oldest first. */
  async mailbox(u: Identity): Promise<string[]> {
    if (this.format === 'mbox') {
      const text = await readFile(join(this.mail, u.name), 'utf8').catch(() => '');
      if (text === '') return [];
      return text.split(/^(?=From )/m).filter((m) => m.startsWith('From '));
    }
    const dir = join(u.home, 'Maildir', 'new');
    const names = (await readdir(dir).catch(() => [] as string[])).sort();
    return Promise.all(names.map((n) => readFile(join(dir, n), 'utf8')));
  }

  /** Waits until `check` holds for a user's mailbox; returns the messages. */
  async waitForMail(u: Identity, check: (msgs: string[]) => boolean, timeoutMs = 10_000, what = 'mail'): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const msgs = await this.mailbox(u);
      if (check(msgs)) return msgs;
      if (Date.now() > deadline) throw new Error(`${what}: ${u.name}'s mailbox has ${msgs.length} message(s): ${msgs.map((m) => m.slice(0, 300)).join('\n---\n')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Waits until the queue (as another process reads it) satisfies `check`. */
  async waitForQueue(check: (q: QueuedMessage[]) => boolean, timeoutMs = 10_000): Promise<QueuedMessage[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const q = await queued(join(this.dir, 'spool'));
      if (check(q)) return q;
      if (Date.now() > deadline) throw new Error(`queue: ${JSON.stringify(q.map((m) => [m.envelope.id, m.state.status]))}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async file(path: string): Promise<string> {
    return readFile(path, 'utf8').catch(() => '');
  }

  async waitForFile(path: string, check: (text: string) => boolean, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = await this.file(path);
      if (check(text)) return text;
      if (Date.now() > deadline) throw new Error(`${path}: ${JSON.stringify(text.slice(0, 500))}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Messages whose Subject is `subject`. */
export function withSubject(msgs: string[], subject: string): string[] {
  return msgs.filter((m) => m.includes(`\nSubject: ${subject}\n`));
}
