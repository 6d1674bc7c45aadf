// A configuration for newaliases in a temporary directory: postern.conf naming the alias file, class w
// and an smrsh directory holding `vacation` (aliases-forward.md §10's setting).

import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newaliasesCommand } from '../../src/cli/newaliases-cmd.js';
import { SPEC_ALIASES } from '../helpers/spec-examples.js';

export { SPEC_ALIASES };

/** The §10 entries as newaliases sees them: name (folded) and value (continuations joined). */
export const SPEC_VALUES: Array<[string, string]> = [
  ['postmaster', 'root'],
  ['mailer-daemon', 'postmaster'],
  ['team', 'bob,\tcarol'],
  ['list', 'bob, carol, bob'],
  ['owner-list', 'list-request'],
  ['list-request', 'carol'],
  ['loop1', 'loop2'],
  ['loop2', 'loop1'],
  ['erin', 'erin, erin@remote.example'],
  ['direct', '\\bob'],
  ['prog', '"|/usr/bin/vacation bob"'],
  ['archive', '/var/mail-archive/team'],
  ['gone', 'error:5.1.1:550 This address is no longer in use'],
];

export function summary(file: string, values: Array<[string, string]>): string {
  const longest = Math.max(...values.map(([, v]) => Buffer.byteLength(v)));
  const total = values.reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
  return `${file}: ${values.length} aliases, longest ${longest} bytes, ${total} bytes total`;
}

export class Site {
  readonly aliases: string;
  readonly conf: string;

  private constructor(readonly dir: string) {
    this.aliases = join(dir, 'etc', 'aliases');
    this.conf = join(dir, 'etc', 'postern.conf');
  }

  /** `extra` lines go into postern.conf. The directories are 0755 so that other users can reach them. */
  static async create(aliases = SPEC_ALIASES, extra: readonly string[] = []): Promise<Site> {
    const dir = await mkdtemp(join(tmpdir(), 'postern-newaliases-'));
    await chmod(dir, 0o755);
    const s = new Site(dir);
    await mkdir(join(dir, 'etc'), { mode: 0o755 });
    await mkdir(join(dir, 'smrsh'), { mode: 0o755 });
    await writeFile(join(dir, 'smrsh', 'vacation'), '');
    await writeFile(s.aliases, aliases, { mode: 0o644 });
    await writeFile(
      s.conf,
      [
        `AliasFile = ${s.aliases}`,
        `QueueDirectory = ${join(dir, 'spool')}`,
        'Macro j mx.example.com',
        'Class w example.com',
        // Under os.tmpdir() (/tmp: sticky, writable by all) the path is safe only with sticky directories trusted.
        'DontBlameSendmail = TrustStickyBit',
        `SmrshDirectory = ${join(dir, 'smrsh')}`,
        'DontProbeInterfaces = True',
        ...extra,
        '',
      ].join('\n'),
      { mode: 0o644 },
    );
    return s;
  }

  async run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const code = await newaliasesCommand(['--config', this.conf, ...args], { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
    return { code, stdout, stderr };
  }

  async cleanup(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
