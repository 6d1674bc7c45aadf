// A system image under a temporary directory, audited with --root: real files with real modes and
// owners (the tests run as root, so chown to other accounts works), and auditCommand run in-process.

import { execFile } from 'node:child_process';
import { chmod, chown, lstat, mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { auditCommand } from '../../src/cli/audit-cmd.js';

const run = promisify(execFile);

export const POSTERN_UID = 998;
export const ADMIN_UID = 1000;
export const NOBODY_UID = 65534;

export const PASSWD = [
  'root:x:0:0:root:/root:/bin/bash',
  'daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin',
  `postern:x:${POSTERN_UID}:${POSTERN_UID}:Postern:/var/spool/postern:/usr/sbin/nologin`,
  'mailadm:x:997:997:Mail admin:/var/lib/mailadm:/usr/sbin/nologin',
  `admin:x:${ADMIN_UID}:${ADMIN_UID}:Admin:/home/admin:/bin/bash`,
  `nobody:x:${NOBODY_UID}:${NOBODY_UID}:nobody:/nonexistent:/usr/sbin/nologin`,
  '',
].join('\n');

export interface FileOptions {
  mode?: number;
  uid?: number;
  gid?: number;
  /** Seconds relative to now (negative: in the past). */
  age?: number;
}

export interface JsonFinding {
  id: string;
  severity: string;
  subject: string;
  message: string;
  fix: string;
  file?: string;
  line?: number;
  why?: string;
  fixes?: { mc?: string; cf?: string; conf?: string };
}

export interface AuditRun {
  code: number;
  stdout: string;
  stderr: string;
}

export class Fixture {
  private readonly immutable: string[] = [];

  private constructor(readonly root: string) {}

  static async create(): Promise<Fixture> {
    const root = await mkdtemp(join(tmpdir(), 'postern-audit-'));
    await chmod(root, 0o755);
    return new Fixture(root);
  }

  real(p: string): string {
    return join(this.root, p);
  }

  private async parents(p: string): Promise<void> {
    await mkdir(dirname(this.real(p)), { recursive: true, mode: 0o755 });
  }

  private async finish(p: string, o: FileOptions): Promise<void> {
    const real = this.real(p);
    if (o.mode !== undefined) await chmod(real, o.mode);
    if (o.uid !== undefined || o.gid !== undefined) await chown(real, o.uid ?? 0, o.gid ?? o.uid ?? 0);
    if (o.age !== undefined) {
      const t = new Date(Date.now() + o.age * 1000);
      await utimes(real, t, t);
    }
  }

  async write(p: string, content: string, o: FileOptions = {}): Promise<string> {
    await this.parents(p);
    await writeFile(this.real(p), content, { mode: 0o644 });
    await this.finish(p, { mode: 0o644, ...o });
    return p;
  }

  async dir(p: string, o: FileOptions = {}): Promise<string> {
    await mkdir(this.real(p), { recursive: true, mode: 0o755 });
    await this.finish(p, { mode: 0o755, ...o });
    return p;
  }

  async link(target: string, p: string): Promise<string> {
    await this.parents(p);
    await rm(this.real(p), { force: true });
    await symlink(target, this.real(p));
    return p;
  }

  /** chattr +i; false when the file system cannot set it (the audit must then say check-skipped). */
  async makeImmutable(p: string): Promise<boolean> {
    try {
      await run('chattr', ['+i', this.real(p)]);
      this.immutable.push(p);
      return true;
    } catch {
      return false;
    }
  }

  async exists(p: string): Promise<boolean> {
    try {
      await lstat(this.real(p));
      return true;
    } catch {
      return false;
    }
  }

  async cleanup(): Promise<void> {
    for (const p of this.immutable) await run('chattr', ['-i', this.real(p)]).catch(() => undefined);
    await rm(this.root, { recursive: true, force: true });
  }

  async audit(args: readonly string[], opts: { terminal?: boolean } = {}): Promise<AuditRun> {
    let stdout = '';
    let stderr = '';
    const code = await auditCommand(['--root', this.root, ...args], {
      stdout: (t) => void (stdout += t),
      stderr: (t) => void (stderr += t),
      stdoutIsTerminal: opts.terminal === true,
      env: {},
    });
    return { code, stdout, stderr };
  }

  /** Runs with --json and returns the findings. */
  async findings(args: readonly string[]): Promise<{ code: number; findings: JsonFinding[]; stderr: string }> {
    const r = await this.audit([...args, '--json']);
    if (r.stdout === '') return { code: r.code, findings: [], stderr: r.stderr };
    const doc = JSON.parse(r.stdout) as { findings: JsonFinding[] };
    return { code: r.code, findings: doc.findings, stderr: r.stderr };
  }
}

export async function withFixture(fn: (f: Fixture) => Promise<void>): Promise<void> {
  const f = await Fixture.create();
  try {
    await fn(f);
  } finally {
    await f.cleanup();
  }
}

/** The base of every image: accounts, shells, an smrsh directory with vacation only. */
export async function baseSystem(f: Fixture): Promise<void> {
  await f.write('/etc/passwd', PASSWD);
  await f.write('/etc/shells', '# valid login shells\n/bin/sh\n/bin/bash\n');
  await f.write('/usr/bin/vacation', '#!/bin/true\n', { mode: 0o755 });
  await f.dir('/etc/mail/smrsh');
  await f.link('/usr/bin/vacation', '/etc/mail/smrsh/vacation');
}

/** Aliases with postmaster and root to a person, and a database newer than the text. */
export async function goodAliases(f: Fixture, text = 'postmaster: root\nroot: admin\n', path = '/etc/mail/aliases'): Promise<void> {
  await f.write(path, text, { age: -60 });
  await f.write(`${path}.db`, 'compiled', { mode: 0o640 });
}

/** Postern with its defaults: an (almost) empty postern.conf, the queue owned by RunAsUser. */
export async function posternDefaults(f: Fixture, conf = '# Postern defaults\n'): Promise<string> {
  await baseSystem(f);
  await goodAliases(f);
  await f.dir('/var/spool/postern', { mode: 0o700, uid: POSTERN_UID });
  return f.write('/etc/postern/postern.conf', conf);
}

/** A sendmail host: queue /var/spool/mqueue 0700 root. */
export async function sendmailSystem(f: Fixture): Promise<void> {
  await baseSystem(f);
  await goodAliases(f);
  await f.dir('/var/spool/mqueue', { mode: 0o700 });
}

export { HARDENED_MC } from '../helpers/spec-examples.js';

/** A stock .mc (§2.4): OSTYPE linux, authwarnings, no smrsh, MAILER local. */
export const STOCK_MC = [
  'divert(-1)dnl',
  'divert(0)dnl',
  "OSTYPE(`linux')dnl",
  "define(`confPRIVACY_FLAGS', `authwarnings')dnl",
  "MAILER(`local')dnl",
  "MAILER(`smtp')dnl",
  '',
].join('\n');

export function ids(findings: readonly JsonFinding[]): string[] {
  return findings.map((x) => x.id);
}

export function find(findings: readonly JsonFinding[], id: string): JsonFinding[] {
  return findings.filter((x) => x.id === id);
}
