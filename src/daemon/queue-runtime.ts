// The daemon's queue runner, assembled from a Runtime: its own spool writer (`runner`), routing's
// context (aliases, users, /etc/shells, .forward and :include: read by agents as their users), the
// settings of the configuration, and the DeliveryService it is handed (the root master's, or agents it
// spawns itself). Rebuilt on SIGHUP; stopped before the spool is closed.

import { stat } from 'node:fs/promises';
import type { DeliveryService } from '../deliver/agent-protocol.js';
import { agentFileAccess } from '../deliver/user-file-access.js';
import { loadPasswd } from '../maps/users.js';
import { Spool, type SpoolEvent } from '../queue/index.js';
import { QueueRunner } from '../queue/runner.js';
import type { Expander, RemoteService, RunnerLog } from '../queue/runner-types.js';
import type { SendFn } from '../outbound/route/dispatch.js';
import { withMailertable } from '../outbound/route/mailertable-expand.js';
import { remoteService } from './outbound-runtime.js';
import { clientSettings, clientTlsContext, deliver, poolSettings } from '../outbound/client/index.js';
import { createOutboundPool, type OutboundPool } from '../outbound/pool/index.js';
import { routeSettings, trustedUserWords, type ExpandContext } from '../route/context.js';
import { expandRecipients } from '../route/expand.js';
import { loadShells } from '../route/shells.js';
import type { Identity } from '../route/types.js';
import type { UserFileAccess } from '../route/file-access.js';
import { resolveDefaultUser, userLookup, type UserLookup } from '../route/users.js';
import { PASSWD_FILE, type Runtime } from './runtime.js';
import { runnerSettings } from './runner-settings.js';

/** The runner's segments rotate early, so compaction can reclaim finished state soon. */
const RUNNER_SEGMENT_BYTES = 8 * 1024 * 1024;

export interface QueueRuntimeOptions {
  /** The SMTP server's spool: its commits are attempted at once. */
  smtpSpool: Spool;
  delivery: DeliveryService;
  log: RunnerLog;
  onSpoolEvent?: (e: SpoolEvent) => void;
  passwdFile?: string;
  /** The runner's clock (tests move it to reach queuewarn, queuereturn and retry times). */
  now?: () => number;
  /** The runner's spool writer id; default `runner` (another process running the queue needs its own). */
  writerId?: string;
  /** A spool writer already open for the runner (`sendmail -q` run in process); closed with the runtime. */
  spool?: Spool;
  /**
   * The SMTP client (deliver() with its options bound); default: Postern's client with a connection
   * pool owned by this runtime; `false`: remote recipients stay deferred (REMOTE_NOT_YET).
   */
  send?: SendFn | false;
}

/** The SMTP client bound to the configuration: its settings, trust anchors and the runtime's pool. */
async function clientSend(rt: Runtime, pool: OutboundPool, log: RunnerLog): Promise<SendFn> {
  let tlsContext;
  try {
    tlsContext = await clientTlsContext(rt.config.options.CACertFile);
  } catch (err) {
    log.error({ event: 'client-tls', file: rt.config.options.CACertFile }, `CACertFile ${rt.config.options.CACertFile ?? ''} cannot be read (${(err as Error).message}); the system's CAs alone are trusted`);
    tlsContext = await clientTlsContext(undefined);
  }
  const opts = { ...clientSettings(rt.config, rt.names.j), tlsContext, pool };
  return (hops, msg) => deliver(hops, msg, opts);
}

/** The passwd table, read again when the file changes (looked at no more than once a second). */
class Users {
  private table: UserLookup | undefined;
  private mtime = -1;
  private checked = 0;

  constructor(private readonly path: string) {}

  async lookup(): Promise<UserLookup> {
    const now = Date.now();
    if (this.table !== undefined && now - this.checked < 1000) return this.table;
    this.checked = now;
    const m = await stat(this.path).then((s) => s.mtimeMs, () => -1);
    if (this.table === undefined || m !== this.mtime) {
      this.table = userLookup(await loadPasswd(this.path));
      this.mtime = m;
    }
    return this.table;
  }
}

interface Routing {
  expand: Expander;
  defaultUser: Identity;
  remote?: RemoteService;
}

type BaseContext = Omit<ExpandContext, 'users' | 'log'>;

/** Routing's context for a runtime, without the per-message parts (users, log). */
async function baseContext(rt: Runtime, delivery: DeliveryService, users: Users): Promise<BaseContext | string> {
  const cfg = rt.config;
  const first = await users.lookup();
  const defaultUser = resolveDefaultUser(cfg.options.DefaultUser, first);
  if (typeof defaultUser === 'string') return defaultUser;
  const route = routeSettings(cfg);
  const shells = await loadShells();
  const files = agentFileAccess(delivery);
  const trustedUsers = new Set(trustedUserWords(cfg));
  return {
    j: rt.names.j,
    w: rt.names.w,
    canonical: { isLocalDomain: (d) => rt.directory.isLocalDomain(d), j: rt.names.j, m: rt.names.m, ...route.canonical },
    aliases: rt.aliases,
    files,
    shells,
    trustedUsers,
    defaultUser,
    options: route.options,
  };
}

async function routing(rt: Runtime, delivery: DeliveryService, users: Users, log: RunnerLog, send: SendFn | undefined): Promise<Routing | string> {
  const base = await baseContext(rt, delivery, users);
  if (typeof base === 'string') return base;
  const expand: Expander = async (envelope, only) => {
    const ctx: ExpandContext = {
      ...base,
      ...(envelope.noAliasing === true ? { noAliasing: true } : {}),
      users: await users.lookup(),
      log: (e) => {
        const fields = { event: 'route', qid: envelope.id, rcpt: envelope.recipients[e.recipient]?.address };
        if (e.level === 'warning') log.warn(fields, `${envelope.id}: ${e.message}`);
        else log.info(fields, `${envelope.id}: ${e.message}`);
      },
    };
    return expandRecipients(envelope, ctx, only);
  };
  const defaultUser = base.defaultUser;
  const mailertable = rt.outbound.mailertable;
  const routed = mailertable === undefined ? expand : withMailertable(expand, () => mailertable.current());
  if (send === undefined) return { expand: routed, defaultUser };
  const remote = remoteService({ config: rt.config, maps: rt.outbound, dns: rt.dns, j: rt.names.j, isLocalDomain: (d) => rt.directory.isLocalDomain(d), send });
  return { expand: routed, defaultUser, remote };
}

export class QueueRuntime {
  private constructor(
    readonly runner: QueueRunner,
    readonly spool: Spool,
    private readonly users: Users,
    private readonly opts: QueueRuntimeOptions,
    private rt: Runtime,
    private readonly pool: OutboundPool,
    private send: SendFn | undefined,
  ) {}

  /**
   * Routing's context as the runner's (`sendmail -bv`); `files` may wrap the reader of .forward and
   * :include: files (restrictexpand). An error text when the configuration gives no DefaultUser.
   */
  async expandContext(files?: (base: UserFileAccess) => UserFileAccess): Promise<ExpandContext | string> {
    const base = await baseContext(this.rt, this.opts.delivery, this.users);
    if (typeof base === 'string') return base;
    return { ...base, ...(files !== undefined ? { files: files(base.files) } : {}), users: await this.users.lookup() };
  }

  /** Opens the runner's spool writer and builds the runner; an error text when the configuration is unusable. */
  static async open(rt: Runtime, opts: QueueRuntimeOptions): Promise<QueueRuntime | string> {
    const users = new Users(opts.passwdFile ?? PASSWD_FILE);
    // One pool for the life of the runtime: a reload keeps its connections and limits.
    const pool = createOutboundPool(poolSettings(rt.config));
    const send = opts.send === false ? undefined : (opts.send ?? (await clientSend(rt, pool, opts.log)));
    const r = await routing(rt, opts.delivery, users, opts.log, send);
    if (typeof r === 'string') return r;
    const spool = opts.spool ?? await Spool.open({
      dir: opts.smtpSpool.dir,
      writerId: opts.writerId ?? 'runner',
      fileMode: rt.config.options.QueueFileMode,
      segmentBytes: RUNNER_SEGMENT_BYTES,
      ...(opts.onSpoolEvent !== undefined ? { onEvent: opts.onSpoolEvent } : {}),
    });
    const runner = new QueueRunner({
      spool,
      watch: [opts.smtpSpool, spool],
      delivery: opts.delivery,
      expand: r.expand,
      ...(r.remote !== undefined ? { remote: r.remote } : {}),
      settings: runnerSettings(rt.config, rt.names, r.defaultUser),
      log: opts.log,
      ...(opts.now !== undefined ? { now: opts.now } : {}),
    });
    return new QueueRuntime(runner, spool, users, opts, rt, pool, send);
  }

  start(): void {
    this.runner.start();
  }

  /** SIGHUP: the new configuration's settings and routing; an error text keeps the old ones. */
  async reload(rt: Runtime): Promise<string | undefined> {
    // New client settings and trust anchors; the pool (its connections, its limits) stays.
    if (this.send !== undefined && this.opts.send === undefined) this.send = await clientSend(rt, this.pool, this.opts.log);
    const r = await routing(rt, this.opts.delivery, this.users, this.opts.log, this.send);
    if (typeof r === 'string') return r;
    this.runner.reload(runnerSettings(rt.config, rt.names, r.defaultUser), r.expand, r.remote);
    this.rt = rt;
    return undefined;
  }

  /** Stops the runner (waiting up to `graceMs` for attempts in flight) and closes its spool writer. */
  async close(graceMs: number): Promise<void> {
    await this.runner.stop(graceMs);
    await this.pool.close();
    await this.spool.close();
  }
}
