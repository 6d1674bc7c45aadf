// A small world for the routing tests: the users of aliases-forward.md §10 in a passwd file of our own
// (real uids: their homes and files are really chowned to them), homes under a temporary directory,
// an /etc/shells of our own, the §10 alias file, and an ExpandContext reading the real files.

import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AliasStore } from '../../src/maps/alias-db-store.js';
import { parsePasswd } from '../../src/maps/users.js';
import type { ExpandContext, RouteLogEvent, RouteOptions } from '../../src/route/context.js';
import { expandRecipients, type EnvelopeInput } from '../../src/route/expand.js';
import { ProcessFileAccess } from '../../src/route/process-file-access.js';
import { loadShells } from '../../src/route/shells.js';
import type { Expanded, Identity } from '../../src/route/types.js';
import { userLookup } from '../../src/route/users.js';
import { SPEC_ALIASES } from '../helpers/spec-examples.js';

export const J = 'mx.example.com';
const W = new Set(['localhost', J, 'example.com']);

export { SPEC_ALIASES };

export const UIDS = { root: 0, bob: 41001, carol: 41002, dave: 41003, erin: 41004, frank: 41005, nobody: 65534 } as const;
export type UserName = keyof typeof UIDS;

export class World {
  readonly logs: RouteLogEvent[] = [];
  options: RouteOptions = {
    maxAliasRecursion: 10,
    meToo: true,
    forwardPath: ['$z/.forward'],
    // The fixture lives under os.tmpdir(): /tmp is sticky and writable by everyone, so the directory
    // path of every file here is "unsafe" unless sticky directories are trusted.
    dontBlame: new Set(['TrustStickyBit']),
    unsafeGroupWrites: true,
    fileOpenTimeoutMs: 60_000,
    redirect: false,
  };
  files: ExpandContext['files'] = new ProcessFileAccess();
  aliases!: AliasStore;
  shellsPath: string;
  #users = new Map<string, Identity>();

  private constructor(readonly dir: string) {
    this.shellsPath = join(dir, 'shells');
  }

  static async create(aliasText = SPEC_ALIASES): Promise<World> {
    const dir = await mkdtemp(join(tmpdir(), 'postern-route-'));
    await chmod(dir, 0o755);
    const w = new World(dir);
    await mkdir(join(dir, 'home'), { mode: 0o755 });
    const lines: string[] = [];
    for (const [name, uid] of Object.entries(UIDS)) {
      const home = name === 'nobody' ? '/nonexistent' : join(dir, 'home', name);
      const shell = name === 'dave' || name === 'nobody' ? '/usr/sbin/nologin' : '/bin/sh';
      lines.push(`${name}:x:${uid}:${uid}:${name}:${home}:${shell}`);
      if (name !== 'nobody') {
        await mkdir(home, { mode: 0o755 });
        await chmod(home, name === 'root' ? 0o700 : 0o755);
        await chown(home, uid, uid);
      }
    }
    const table = parsePasswd(`${lines.join('\n')}\n`, 'passwd');
    for (const u of table.users.values()) w.#users.set(u.name, { name: u.name, uid: u.uid, gid: u.gid, home: u.home, shell: u.shell });
    await writeFile(w.shellsPath, '# /etc/shells: valid login shells\n/bin/sh\n/bin/bash\n');
    await w.setAliases(aliasText);
    return w;
  }

  user(name: UserName): Identity {
    return this.#users.get(name)!;
  }

  home(name: UserName): string {
    return this.user(name).home;
  }

  async setAliases(text: string): Promise<void> {
    const path = join(this.dir, 'aliases');
    await writeFile(path, text);
    const isLocalDomain = (d: string): boolean => W.has(d);
    this.aliases = (await AliasStore.open({ files: [path], isLocalDomain, aliasWaitMs: 0 })).store;
  }

  /** Writes `content` to `path`, owned by `owner`, with `mode`. */
  async file(path: string, content: string, owner: UserName, mode = 0o644): Promise<string> {
    await writeFile(path, content);
    await chown(path, UIDS[owner], UIDS[owner]);
    await chmod(path, mode);
    return path;
  }

  forward(user: UserName, content: string, mode = 0o644, owner: UserName = user): Promise<string> {
    return this.file(join(this.home(user), '.forward'), content, owner, mode);
  }

  async context(extra: Partial<ExpandContext> = {}): Promise<ExpandContext> {
    const table = parsePasswd([...this.#users.values()].map((u) => `${u.name}:x:${u.uid}:${u.gid}::${u.home}:${u.shell}`).join('\n'), 'passwd');
    return {
      j: J,
      w: 'mx',
      canonical: { isLocalDomain: (d) => W.has(d), j: J, m: 'example.com' },
      aliases: this.aliases,
      users: userLookup(table),
      files: this.files,
      shells: await loadShells(this.shellsPath),
      trustedUsers: new Set(['root', 'daemon', 'uucp']),
      defaultUser: this.user('nobody'),
      options: this.options,
      log: (e) => this.logs.push(e),
      ...extra,
    };
  }

  async expand(recipients: Array<string | { address: string; notify?: string[] }>, opts: { sender?: string; protocol?: string; extra?: Partial<ExpandContext> } = {}): Promise<Expanded[]> {
    const env: EnvelopeInput = {
      sender: opts.sender ?? 'alice@sender.example',
      protocol: opts.protocol ?? 'ESMTP',
      recipients: recipients.map((r) => (typeof r === 'string' ? { address: r, primary: true } : { ...r, primary: true })),
    };
    return expandRecipients(env, await this.context(opts.extra));
  }

  async cleanup(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** One line per result, for readable assertions. */
export function show(e: Expanded): string {
  if (e.failed !== undefined) return `failed ${e.failed.code} ${e.failed.enh} ${e.failed.text}`;
  if (e.deferred !== undefined) return `deferred ${e.deferred.code} ${e.deferred.enh} ${e.deferred.text}`;
  const d = e.delivery!;
  switch (d.kind) {
    case 'mailbox':
      return `mailbox ${d.user.name}`;
    case 'program':
      return `program ${d.command} as ${d.as.name}`;
    case 'file':
      return `file ${d.path} as ${d.as.name}`;
    case 'remote':
      return `remote ${d.address}`;
  }
}

export function shows(list: readonly Expanded[]): string[] {
  return list.map(show);
}
