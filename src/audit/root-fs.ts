// Reading files for the audit under `--root <dir>` (audit-and-probe.md §2.1): every absolute path the
// configuration names is taken relative to the root, and so is every absolute symbolic link met on
// the way, so that an image or a container can be audited from outside without ever reading the
// host's /etc by accident. Relative paths are left relative to the current directory (as the daemon
// would use them) and are read from the host. Read-only: nothing here writes.

import { lstat, readdir, readFile, readlink, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { isAbsolute, join, resolve, sep } from 'node:path';

const MAX_LINKS = 40;

export type Canonical = { ok: true; path: string } | { ok: false; code: string; at: string };

export function errnoCode(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e));
}

/** `permission denied`, `no such file`... for messages. */
export function describeCode(code: string): string {
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOTDIR':
      return 'a path component is not a directory';
    case 'ELOOP':
      return 'too many symbolic links';
    default:
      return code;
  }
}

export class RootFs {
  /** The directory that stands for `/`; `/` itself when auditing the running system. */
  readonly root: string;

  constructor(root?: string) {
    this.root = root === undefined ? '/' : resolve(root);
  }

  get isHost(): boolean {
    return this.root === '/';
  }

  /** The host path of a logical path. */
  real(p: string): string {
    if (!isAbsolute(p)) return resolve(p);
    return this.isHost ? p : join(this.root, p);
  }

  /** The logical path of a host path below the root (for messages); other paths unchanged. */
  logical(realPath: string): string {
    if (this.isHost || !isAbsolute(realPath)) return realPath;
    if (realPath === this.root) return '/';
    return realPath.startsWith(this.root + sep) ? realPath.slice(this.root.length) : realPath;
  }

  /** The file system a configured path is read from, and its absolute logical path there. */
  locate(p: string): { fs: RootFs; path: string } {
    return isAbsolute(p) ? { fs: this, path: p } : { fs: HOST_FS, path: resolve(p) };
  }

  lstat(p: string): Promise<Stats> {
    return lstat(this.real(p));
  }

  stat(p: string): Promise<Stats> {
    return stat(this.real(p));
  }

  readFile(p: string, encoding: BufferEncoding = 'utf8'): Promise<string> {
    return readFile(this.real(p), encoding);
  }

  readdir(p: string): Promise<string[]> {
    return readdir(this.real(p));
  }

  readlink(p: string): Promise<string> {
    return readlink(this.real(p));
  }

  /**
   * The path with every symbolic link resolved inside the root (absolute targets start at the root).
   * A relative path is resolved on the host, like every other use of it.
   */
  async canonical(p: string): Promise<Canonical> {
    if (!isAbsolute(p)) return this.isHost ? this.canonical(resolve(p)) : HOST_FS.canonical(resolve(p));
    const pending = p.split('/').filter((s) => s !== '');
    const done: string[] = [];
    let links = 0;
    while (pending.length > 0) {
      const name = pending.shift()!;
      if (name === '.') continue;
      if (name === '..') {
        done.pop();
        continue;
      }
      const here = `/${[...done, name].join('/')}`;
      let st: Stats;
      try {
        st = await this.lstat(here);
      } catch (e) {
        return { ok: false, code: errnoCode(e), at: here };
      }
      if (!st.isSymbolicLink()) {
        done.push(name);
        continue;
      }
      if (++links > MAX_LINKS) return { ok: false, code: 'ELOOP', at: here };
      let target: string;
      try {
        target = await this.readlink(here);
      } catch (e) {
        return { ok: false, code: errnoCode(e), at: here };
      }
      if (target.startsWith('/')) done.length = 0;
      pending.unshift(...target.split('/').filter((s) => s !== ''));
    }
    return { ok: true, path: `/${done.join('/')}` };
  }

  /** stat() of the canonical path: the target of a link inside the root. */
  async statResolved(p: string): Promise<{ ok: true; path: string; stats: Stats } | { ok: false; code: string; at: string }> {
    if (!isAbsolute(p)) return HOST_FS.statResolved(resolve(p));
    const c = await this.canonical(p);
    if (!c.ok) return c;
    try {
      return { ok: true, path: c.path, stats: await this.stat(c.path) };
    } catch (e) {
      return { ok: false, code: errnoCode(e), at: c.path };
    }
  }
}

/** The running system, for relative paths. */
export const HOST_FS = new RootFs();

/** `/a/b/c` → `/`, `/a`, `/a/b` (the directories above a path). */
export function parentDirectories(p: string): string[] {
  const parts = p.split('/').filter((s) => s !== '');
  const out = ['/'];
  for (let i = 1; i < parts.length; i++) out.push(`/${parts.slice(0, i).join('/')}`);
  return out;
}
