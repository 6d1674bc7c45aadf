// What every check gets: the effective configuration, the mode (Postern's own configuration, or a real
// sendmail judged by its own defaults), the file system under --root, the findings sink, and the facts
// several checks share (users, shells, host name), each read once.

import { hostname as osHostname } from 'node:os';
import type { EffectiveConfig } from '../config/effective.js';
import type { OptionName } from '../config/option-table.js';
import { canonicalHostName } from '../daemon/host-names.js';
import { parseHosts } from '../dns/hosts.js';
import { parsePasswd, type UserEntry, type UserTable } from '../maps/users.js';
import type { Location } from '../util/diagnostics.js';
import { checkInfo, type CheckId } from './catalog.js';
import type { Finding, FixLines, Severity } from './findings.js';
import { describeCode, errnoCode, type RootFs } from './root-fs.js';

export type AuditMode = 'postern' | 'sendmail';

export interface AuditOptions {
  /** --forward: read every local user's .forward. */
  forward: boolean;
  /** --smrsh-dir (sendmail mode). */
  smrshDir?: string;
  /** The caller is root (or --root was given): files of other users can be read. */
  privileged: boolean;
  /** FEATUREs a real sendmail configuration uses that Postern v1 does not implement (msp, nullclient...). */
  unsupportedFeatures?: ReadonlySet<string>;
}

export interface FindingExtra {
  severity?: Severity;
  file?: string;
  line?: number;
  fix?: string;
  why?: string;
  fixes?: FixLines;
}

export type Fact<T> = { ok: true; value: T } | { ok: false; reason: string };

/** The C library's list when /etc/shells does not exist (aliases-forward.md §6). */
export const DEFAULT_SHELLS = ['/bin/sh', '/bin/csh'];

export interface ShellsFile {
  /** Absent when the file does not exist. */
  lines?: Array<{ shell: string; line: number }>;
  valid: string[];
  anyShell: boolean;
}

function memo<T>(make: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= make());
}

export class AuditContext {
  readonly findings: Finding[] = [];

  constructor(
    readonly cfg: EffectiveConfig,
    readonly mode: AuditMode,
    readonly fs: RootFs,
    readonly opts: AuditOptions,
  ) {}

  add(id: CheckId, subject: string, message: string, extra: FindingExtra = {}): void {
    const info = checkInfo(id);
    const f: Finding = { id, severity: extra.severity ?? info.severity, subject, message, fix: extra.fix ?? info.fix };
    if (extra.file !== undefined) f.file = extra.file;
    if (extra.line !== undefined && extra.line > 0) f.line = extra.line;
    f.why = extra.why ?? info.why;
    const fixes = extra.fixes ?? info.fixes;
    if (fixes !== undefined) f.fixes = fixes;
    this.findings.push(f);
  }

  /** A check that cannot be made is reported, never passed silently (§1). */
  skip(checks: string, reason: string): void {
    this.add('check-skipped', checks, `not checked: ${reason}`);
  }

  /** The logical path of a configuration file the loader read (it keeps host paths). */
  shown(file: string): string {
    return this.fs.logical(file);
  }

  /** Subject and location of something configured at `at` (a file:line), or `fallback`. */
  where(at: Partial<Location> | undefined, fallback: string): { subject: string; extra: FindingExtra } {
    if (at?.file === undefined || at.file === '') return { subject: fallback, extra: {} };
    const file = this.shown(at.file);
    if (at.line === undefined || at.line <= 0) return { subject: file, extra: { file } };
    return { subject: `${file}:${at.line}`, extra: { file, line: at.line } };
  }

  /** Findings about an option have the option as subject and its file:line (if any) as location. */
  optionAt(name: OptionName): FindingExtra {
    const s = this.cfg.sources[name];
    if (s.kind === 'file' || s.kind === 'floor') return { file: this.shown(s.file), line: s.line };
    return {};
  }

  readonly users = memo(async (): Promise<Fact<UserTable>> => {
    try {
      return { ok: true, value: parsePasswd(await this.fs.readFile('/etc/passwd'), '/etc/passwd') };
    } catch (e) {
      return { ok: false, reason: `cannot read /etc/passwd: ${describeCode(errnoCode(e))}` };
    }
  });

  async userByNameOrUid(text: string): Promise<UserEntry | undefined> {
    const users = await this.users();
    if (!users.ok) return undefined;
    if (/^\d+$/.test(text)) return [...users.value.users.values()].find((u) => u.uid === Number(text));
    return users.value.lookupUser(text);
  }

  readonly shells = memo(async (): Promise<Fact<ShellsFile>> => {
    let text: string;
    try {
      text = await this.fs.readFile('/etc/shells');
    } catch (e) {
      const code = errnoCode(e);
      if (code === 'ENOENT') return { ok: true, value: { valid: DEFAULT_SHELLS, anyShell: false } };
      return { ok: false, reason: `cannot read /etc/shells: ${describeCode(code)}` };
    }
    const lines: Array<{ shell: string; line: number }> = [];
    text.split(/\r?\n/).forEach((l, i) => {
      const word = l.trim().split(/\s+/)[0] ?? '';
      if (word !== '' && !word.startsWith('#')) lines.push({ shell: word, line: i + 1 });
    });
    return {
      ok: true,
      value: { lines, valid: lines.map((l) => l.shell), anyShell: lines.some((l) => l.shell === '/SENDMAIL/ANY/SHELL/') },
    };
  });

  /** uids that may own configuration files: root and TrustedUser (config-formats.md §1). */
  readonly trustedOwners = memo(async (): Promise<Set<number>> => {
    const owners = new Set<number>([0]);
    const tu = this.cfg.options.TrustedUser;
    if (tu !== undefined) {
      const u = await this.userByNameOrUid(tu);
      if (u !== undefined) owners.add(u.uid);
      else if (/^\d+$/.test(tu)) owners.add(Number(tu));
    }
    return owners;
  });

  /** `$j`: Dj / confDOMAIN_NAME, else the system's name made fully qualified through its hosts file. */
  readonly hostName = memo(async (): Promise<string> => {
    const j = this.cfg.macros['j']?.value.trim();
    if (j !== undefined && j !== '' && !j.includes('$')) return j.replace(/\.$/, '');
    let sys = osHostname();
    if (!this.fs.isHost) {
      try {
        sys = (await this.fs.readFile('/etc/hostname')).trim().split(/\s+/)[0] ?? sys;
      } catch {
        // An image without /etc/hostname: the name it will get is not known; the host's stands in.
      }
    }
    try {
      return canonicalHostName(sys, parseHosts(await this.fs.readFile('/etc/hosts'))).replace(/\.$/, '');
    } catch {
      return sys;
    }
  });

  /** `uid 1000 (alice)` for messages. */
  async ownerName(uid: number): Promise<string> {
    const users = await this.users();
    const u = users.ok ? [...users.value.users.values()].find((e) => e.uid === uid) : undefined;
    return u === undefined ? `uid ${uid}` : `uid ${uid} (${u.name})`;
  }
}
