// Shared by the queue command tests: a site directory with a postern.conf (test daemons' base lines),
// messages put into its spool the way the SMTP server does (Spool.commit, then state records as the
// runner writes them), and the queue commands run as child processes, as root or as another user
// (setpriv with the user's own groups, like a login).

import { chmod, chown, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Spool } from '../../../src/queue/spool.js';
import type { Envelope, RecipientRecord } from '../../../src/queue/envelope.js';
import type { StateUpdate } from '../../../src/queue/state.js';
import { asUser, removeDir, run, tempDaemonDir, writeDaemonConfig, type CommandResult } from '../../helpers/daemon.js';

export const DRIVER = fileURLToPath(new URL('./driver.js', import.meta.url));

interface Ctx {
  after(fn: () => unknown): void;
}

export interface QueueSite {
  dir: string;
  spool: string;
  conf: string;
}

/** A temporary site others may enter (0755), its spool not yet created. */
export async function queueSite(t: Ctx, extra: readonly string[] = []): Promise<QueueSite> {
  const dir = await tempDaemonDir();
  t.after(() => removeDir(dir));
  await chmod(dir, 0o755);
  const conf = await writeDaemonConfig(dir, extra);
  return { dir, spool: join(dir, 'spool'), conf };
}

export interface MessageSpec {
  sender?: string;
  recipients?: string[];
  body?: string;
  /** ms since the epoch */
  created?: number;
  quarantine?: string;
  precedence?: string;
  /** state after an attempt: status text and the recipients (by index) deferred with it */
  deferred?: { status: string; recipients: number[]; text?: string };
}

/** Commits the messages (as the current user) and returns their queue ids, in order. */
export async function fill(spoolDir: string, specs: readonly MessageSpec[]): Promise<string[]> {
  const spool = await Spool.open({ dir: spoolDir, writerId: 'w0' });
  const ids: string[] = [];
  try {
    for (const m of specs) {
      const id = spool.newId();
      const data = Buffer.from(m.body ?? `Subject: test ${id}\r\n\r\nHello.\r\n`);
      const recipients: RecipientRecord[] = (m.recipients ?? ['bob@example.net']).map((address) => ({ address, primary: true }));
      const envelope: Envelope = {
        version: 1,
        id,
        created: m.created ?? Date.now(),
        sender: m.sender ?? 'alice@example.com',
        size: data.length,
        eightBit: false,
        protocol: 'ESMTP',
        helo: 'client.example.com',
        client: 'client.example.com [192.0.2.1]',
        clientAddr: '192.0.2.1',
        recipients,
        ...(m.quarantine !== undefined ? { quarantine: m.quarantine } : {}),
        ...(m.precedence !== undefined ? { precedence: m.precedence } : {}),
      };
      await spool.commit(envelope, data);
      if (m.deferred !== undefined) {
        const d = m.deferred;
        const u: StateUpdate = {
          version: 1,
          id,
          at: Date.now(),
          attempts: 1,
          lastAttempt: Date.now(),
          status: d.status,
          recipients: d.recipients.map((index) => ({ index, status: 'deferred', ...(d.text !== undefined ? { text: d.text } : {}) })),
        };
        await spool.appendState(u);
      }
      ids.push(id);
    }
  } finally {
    await spool.close();
  }
  return ids;
}

/** Gives the spool (directory and every file in it) to another owner, as the master does for RunAsUser. */
export async function giveSpool(spoolDir: string, uid: number, gid: number, mode = 0o700): Promise<void> {
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      await chown(p, uid, gid);
      if (e.isDirectory()) await walk(p);
    }
  };
  await walk(spoolDir);
  await chown(spoolDir, uid, gid);
  await chmod(spoolDir, mode);
}

export interface As {
  uid: number;
  gid: number;
}

/** Runs the queue command driver (`mailq`, `qrun`, `admin`) with a config, as root or as `as`. */
export function queueCmd(mode: 'mailq' | 'qrun' | 'admin', conf: string, args: readonly string[], opts: { as?: As; timeoutMs?: number; alternate?: boolean } = {}): Promise<CommandResult> {
  const argv = [DRIVER, mode, conf, ...(opts.alternate === true ? ['--alternate'] : []), ...args];
  const [cmd, full] = asUser(opts.as, [process.execPath, ...argv]);
  return run(cmd, full, { cwd: '/', timeoutMs: opts.timeoutMs ?? 30_000 });
}

/** stderr without the pino lines of logged actions. */
export function messages(stderr: string): string {
  return stderr
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('{'))
    .map((l) => `${l}\n`)
    .join('');
}

/** The pino lines of stderr (logged actions). */
export function logLines(stderr: string): Array<Record<string, unknown>> {
  return stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
