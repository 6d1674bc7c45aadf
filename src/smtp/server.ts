// The listeners and everything that is per server rather than per session: connection limits, client
// identification, the greeting, timeouts (one sweep for all sessions instead of a timer per socket, which
// keeps idle connections cheap), SIGHUP swaps and the SIGTERM drain.

import { createServer, type Server, type Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import type { Logger } from 'pino';
import type { DnsResolver } from '../dns/resolver.js';
import type { LocalDirectory } from '../policy/local-directory.js';
import { freeSpace, type Spool } from '../queue/index.js';
import { clientAddrMacro, identifyFromHosts, labelFor, normaliseIp } from './client-identity.js';
import { IdentityCache } from './identity-cache.js';
import type { Policy } from '../policy/engine.js';
import type { ConnectionCounts } from '../policy/connection.js';
import type { Outcome } from '../policy/outcome.js';
import { RateWindow } from './rate-window.js';
import { GreetingCache } from './greeting-cache.js';
import { REPLIES, type Reply, renderPolicy, reply, wire } from './replies.js';
import { Session, type LocalCaller } from './session.js';
import { tlsFacts } from './tls-facts.js';
import type { SessionHost } from './session-host.js';
import type { ListenerSettings, SmtpSettings } from './settings.js';
import type { Authenticator } from './session-host.js';
import { AuthFailures } from '../policy/auth-failures.js';

export interface ServerDeps {
  settings: SmtpSettings;
  directory: LocalDirectory;
  policy: Policy;
  /** Absent when the spool is opened after binding (root drops privileges first): see setSpool. */
  spool?: Spool;
  spoolDir: string;
  dns: DnsResolver;
  log: Logger;
  version: string;
  ownAddresses: ReadonlySet<string>;
  /** STARTTLS credentials, fixed or reloaded when their files change; STARTTLS is offered only when present. */
  tls?: SecureContext | TlsCredentials | undefined;
  /** The AUTH credential source; AUTH is offered only when present. */
  authenticator?: Authenticator | undefined;
  /** ETRN hook (the queue runner, when there is one). */
  etrn?: (node: string) => void;
}

/** Server credentials that may change while the server runs (a renewed certificate). */
export interface TlsCredentials {
  readonly current: SecureContext;
  /** Checks the files and loads them again if they changed; never rejects. */
  refresh(): Promise<void>;
}

function credentialsOf(tls: SecureContext | TlsCredentials | undefined): TlsCredentials | undefined {
  if (tls === undefined) return undefined;
  if ('refresh' in tls) return tls;
  return { current: tls, refresh: () => Promise.resolve() };
}

const SESSION = Symbol('postern.session');
type SessionSocket = Socket & { [SESSION]?: Session };

function onSocketData(this: SessionSocket, chunk: Buffer): void {
  this[SESSION]?.onData(chunk);
}

function ignoreError(): void {
  // 'close' follows every socket error; the session is cleaned up there.
}

function onSocketClose(this: SessionSocket): void {
  const s = this[SESSION];
  if (s === undefined) return;
  this[SESSION] = undefined;
  (s.host as SmtpServer).sessionClosed(s);
}

/** Only the host itself is exempt from the per-client limit; other 127/8 addresses are ordinary clients. */
function isThisHost(ip: string): boolean {
  return ip === '127.0.0.1' || ip === '::1';
}

export class SmtpServer implements SessionHost {
  settings: SmtpSettings;
  directory: LocalDirectory;
  policy: Policy;
  private readonly rates = new RateWindow();
  private spoolRef: Spool | undefined;
  readonly log: Logger;
  readonly version: string;
  ownAddresses: ReadonlySet<string>;
  private tlsContext: TlsCredentials | undefined;
  authenticator: Authenticator | undefined;
  readonly authFailures: AuthFailures;

  private dns: DnsResolver;
  private identities: IdentityCache;
  private readonly spoolDir: string;
  private readonly etrnHook: (node: string) => void;
  private readonly servers: Server[] = [];
  private readonly sessions = new Set<Session>();
  private readonly perClient = new Map<string, number>();
  private free: { blocks: number; blockSize: number } | undefined;
  private timers: NodeJS.Timeout[] = [];
  private sweeper: NodeJS.Timeout | undefined;
  private greetingCache: GreetingCache | undefined;
  private greetingFor: SmtpSettings | undefined;
  private nextSlot = 0;
  private stopping = false;

  constructor(deps: ServerDeps) {
    this.settings = deps.settings;
    this.directory = deps.directory;
    this.policy = deps.policy;
    this.spoolRef = deps.spool;
    this.spoolDir = deps.spoolDir;
    this.dns = deps.dns;
    this.identities = new IdentityCache(deps.dns);
    this.log = deps.log;
    this.version = deps.version;
    this.ownAddresses = deps.ownAddresses;
    this.etrnHook = deps.etrn ?? (() => undefined);
    this.tlsContext = credentialsOf(deps.tls);
    this.authenticator = deps.authenticator;
    this.authFailures = new AuthFailures(deps.settings.auth.failureWindow);
  }

  get tlsOffered(): boolean {
    return this.tlsContext !== undefined;
  }

  /** Before a `220 Ready to start TLS`: a renewed certificate is picked up by the next handshake. */
  refreshTls(): Promise<void> {
    return this.tlsContext?.refresh() ?? Promise.resolve();
  }

  startTls(session: Session): void {
    const ctx = this.tlsContext?.current;
    const raw = session.sock as SessionSocket;
    if (ctx === undefined) return;
    raw.off('data', onSocketData);
    const secure = new TLSSocket(raw, { isServer: true, secureContext: ctx, requestCert: false }) as SessionSocket;
    secure[SESSION] = session;
    secure.on('error', ignoreError);
    secure.on('close', onSocketClose);
    const limit = setTimeout(() => {
      session.log.info({ client: session.client.label, event: 'tls-timeout' }, 'TLS handshake timed out');
      secure.destroy();
    }, this.settings.timeouts.starttls);
    limit.unref();
    secure.once('secure', () => {
      clearTimeout(limit);
      secure.on('data', onSocketData);
      const f = tlsFacts(secure);
      session.log.info({ client: session.client.label, event: 'starttls', version: f.version, cipher: f.cipher, bits: f.bits, verify: f.verify }, 'STARTTLS');
      session.tlsEstablished(secure);
    });
  }

  now(): number {
    return Date.now();
  }

  freeSpace(): { blocks: number; blockSize: number } | undefined {
    return this.free;
  }

  etrn(node: string): void {
    this.etrnHook(node);
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Bound addresses, in listener order (tests bind port 0). */
  addresses(): Array<{ name: string; address: string; port: number }> {
    const out: Array<{ name: string; address: string; port: number }> = [];
    this.servers.forEach((srv, i) => {
      const a = srv.address();
      if (a !== null && typeof a === 'object') out.push({ name: this.settings.listeners[i]?.name ?? '', address: a.address, port: a.port });
    });
    return out;
  }

  /**
   * Binds and listens on every listener; or, given `fds` (a worker under the root master), listens on the
   * sockets the master bound, one per listener, null for an optional one the master could not bind.
   */
  async listen(fds?: ReadonlyArray<number | null>): Promise<void> {
    for (const [i, l] of this.settings.listeners.entries()) {
      const fd = fds?.[i];
      if (fds !== undefined && (fd === null || fd === undefined)) continue;
      const srv = createServer({ noDelay: true, pauseOnConnect: false }, (sock) => this.accept(sock, l));
      srv.on('error', (err) => this.log.error({ err, listener: l.name }, 'listener error'));
      try {
        await new Promise<void>((resolve, reject) => {
          srv.once('error', reject);
          srv.listen(fd !== undefined && fd !== null ? { fd, backlog: l.backlog } : { host: l.addr, port: l.port, backlog: l.backlog }, () => {
            srv.off('error', reject);
            resolve();
          });
        });
      } catch (err) {
        if (l.modifiers.includes('O')) {
          this.log.warn({ err, listener: l.name }, 'optional listener could not bind; skipped');
          continue;
        }
        await this.close();
        throw err;
      }
      this.servers.push(srv);
      const a = srv.address();
      this.log.info({ listener: l.name, address: typeof a === 'object' && a !== null ? `${a.address}:${a.port}` : String(a) }, 'listening');
    }
    if (this.spoolRef !== undefined) await this.watchFreeSpace();
    this.startSweeper();
  }

  private async watchFreeSpace(): Promise<void> {
    await this.refreshFreeSpace();
    this.timers.push(setInterval(() => void this.refreshFreeSpace(), 1000).unref());
  }

  /** The spool is opened after privileges are dropped, i.e. after the listeners are bound. */
  async setSpool(spool: Spool): Promise<void> {
    this.spoolRef = spool;
    await this.watchFreeSpace();
  }

  get spool(): Spool {
    if (this.spoolRef === undefined) throw new Error('spool not open');
    return this.spoolRef;
  }

  /** SIGHUP: new settings and maps for every later command; sessions stay up. */
  reload(
    settings: SmtpSettings,
    directory: LocalDirectory,
    policy: Policy,
    ownAddresses?: ReadonlySet<string>,
    dns?: DnsResolver,
    tls?: SecureContext | TlsCredentials,
    authenticator?: Authenticator,
  ): void {
    this.settings = settings;
    this.policy = policy;
    this.tlsContext = credentialsOf(tls);
    this.authenticator = authenticator;
    this.authFailures.setWindow(settings.auth.failureWindow);
    this.directory = directory;
    if (ownAddresses !== undefined) this.ownAddresses = ownAddresses;
    if (dns !== undefined) {
      const old = this.dns;
      this.dns = dns;
      this.identities = new IdentityCache(dns);
      // Lookups in flight on the old resolver finish on their own; cancel after a grace period.
      setTimeout(() => old.cancel(), 30_000).unref();
    }
    this.startSweeper();
  }

  private startSweeper(): void {
    const t = this.settings.timeouts;
    const shortest = Math.min(t.command, t.datablock, t.auth);
    const every = Math.max(50, Math.min(1000, Math.floor(shortest / 4)));
    if (this.sweeper !== undefined) clearInterval(this.sweeper);
    this.sweeper = setInterval(() => this.sweep(), every).unref();
  }

  private sweep(): void {
    const now = this.now();
    const t = this.settings.timeouts;
    for (const s of this.sessions) {
      if (s.idle && now - s.lastActivity > (s.inData ? t.datablock : s.inAuth ? t.auth : t.command)) s.timeout();
      else s.flushIfWaiting();
    }
  }

  private async refreshFreeSpace(): Promise<void> {
    try {
      const f = await freeSpace(this.spoolDir);
      this.free = { blocks: f.blocks, blockSize: f.blockSize };
    } catch (err) {
      this.log.warn({ err }, 'cannot read free space of the queue file system');
    }
  }

  private refuse(sock: Socket, r: Reply): void {
    sock.on('error', ignoreError);
    sock.end(wire(r), 'latin1');
    setTimeout(() => sock.destroy(), 2000).unref();
  }

  private accept(sock: Socket, listener: ListenerSettings): void {
    const st = this.settings;
    const ip = normaliseIp(sock.remoteAddress ?? '');
    if (this.stopping || this.spoolRef === undefined) {
      this.refuse(sock, reply(REPLIES.shuttingDown, { j: st.hostname }));
      return;
    }
    if (st.maxDaemonChildren > 0 && this.sessions.size >= st.maxDaemonChildren) {
      this.log.warn({ ip, event: 'limit', sessions: this.sessions.size }, 'MaxDaemonChildren reached');
      this.refuse(sock, reply(REPLIES.tooManyConnections, { j: st.hostname }));
      return;
    }
    const open = this.perClient.get(ip) ?? 0;
    if (st.maxConnectionsPerClient > 0 && !isThisHost(ip) && open >= st.maxConnectionsPerClient) {
      this.log.warn({ ip, event: 'limit', open }, 'MaxConnectionsPerClient reached');
      this.refuse(sock, reply(REPLIES.tooManyOpen));
      return;
    }
    this.perClient.set(ip, open + 1);

    const port = sock.remotePort ?? 0;
    const wait = this.throttleDelay();
    const known = wait === 0 ? identifyFromHosts(ip, port, this.dns) : undefined;
    let client = known;
    if (client === undefined) {
      const addr = clientAddrMacro(ip);
      client = { addr, ip, port, ptr: '', resolve: 'TEMP', ...labelFor(addr, '', 'TEMP') };
    }
    const session = new Session(this, sock, listener, client, this.log);
    this.sessions.add(session);
    // Shared listeners instead of closures per socket: idle connections must stay small.
    (sock as SessionSocket)[SESSION] = session;
    sock.on('data', onSocketData);
    sock.on('error', ignoreError);
    sock.on('close', onSocketClose);
    const counts = { recent: this.policy.countsConnections ? this.rates.hit(ip, this.now(), this.policy.cfg.rateWindow) : 0, open: open + 1 };
    if (known !== undefined) {
      // The common case (the host itself, named by /etc/hosts): decided without a single promise.
      const verdict = this.policy.connection(client, counts);
      if (!(verdict instanceof Promise)) {
        this.open(session, verdict);
        return;
      }
    }
    void this.greet(session, ip, port, wait, counts, known !== undefined);
  }

  /**
   * `sendmail -bs` through the daemon's control socket (smtp-session.md §14): a session on a stream that
   * is already connected, with `$_` = `<login>@localhost`, an empty ${client_addr} (local, so relaying
   * is allowed), no connection policy, and the caller's trust for the -bs rules of §12 and §14.
   */
  acceptLocal(sock: Socket, caller: LocalCaller): Session | undefined {
    const login = caller.login;
    if (this.stopping || this.spoolRef === undefined) {
      this.refuse(sock, reply(REPLIES.shuttingDown, { j: this.settings.hostname }));
      return undefined;
    }
    const client = { addr: '', ip: '', port: 0, ptr: '', resolve: 'OK' as const, name: 'localhost', label: `${login}@localhost` };
    const listener = { name: 'local', addr: '', port: 0, family: 'inet' as const, backlog: 0, modifiers: '' };
    const session = new Session(this, sock, listener, client, this.log);
    session.localCaller = caller;
    this.sessions.add(session);
    this.perClient.set('', (this.perClient.get('') ?? 0) + 1);
    (sock as SessionSocket)[SESSION] = session;
    sock.on('data', onSocketData);
    sock.on('error', ignoreError);
    sock.on('close', onSocketClose);
    session.start(this.greeting(session), false);
    return session;
  }

  /** Called once per session when its socket has closed. */
  sessionClosed(session: Session): void {
    if (!this.sessions.has(session)) return;
    session.onClose();
    this.sessions.delete(session);
    const ip = session.client.ip;
    const n = (this.perClient.get(ip) ?? 1) - 1;
    if (n <= 0) this.perClient.delete(ip);
    else this.perClient.set(ip, n);
  }

  /**
   * sendmail's ConnectionRateThrottle: at most N connections are greeted per second; a burst is spread
   * over the following seconds (each connection gets the next free slot) instead of being refused.
   */
  private throttleDelay(): number {
    const limit = this.settings.connectionRateThrottle;
    if (limit <= 0) return 0;
    const now = this.now();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + 1000 / limit;
    return slot - now;
  }

  private async greet(session: Session, ip: string, port: number, wait: number, counts: ConnectionCounts, known: boolean): Promise<void> {
    try {
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (!known) session.client = await this.identities.identify(ip, port, this.now());
      if (session.closed) return;
      const verdict = await this.policy.connection(session.client, counts);
      if (session.closed) return;
      this.open(session, verdict);
    } catch (err) {
      this.log.error({ err, ip }, 'greeting failed');
      session.start(wire(reply(REPLIES.shuttingDown, { j: this.settings.hostname })), true);
    }
  }

  /**
   * The connection verdict decides the greeting (smtp-session.md §2.1–§2.2, §4): a permanent rejection
   * greets 554 and makes a null session [Postern]; a 421 is sent instead of the greeting and closes;
   * another 4xx greets normally and makes a null session. Then the greet pause, if any.
   */
  private open(session: Session, verdict: Outcome): void {
    const c = session.client;
    const j = this.settings.hostname;
    if (verdict.kind === 'reject') {
      const r = renderPolicy(verdict.reply);
      this.log.info({ client: c.label, event: 'connection-refused', reply: r.lines[0] }, 'connection policy');
      if (verdict.reply.code === 421 || verdict.reply.close === true) return session.start(wire(r), true);
      session.nullReply = r;
      if (verdict.reply.code >= 500) return session.start(wire(reply(REPLIES.notAccepting, { j })), false);
    } else if (verdict.kind === 'discard') session.connDiscard = true;
    else if (verdict.kind === 'quarantine') session.connQuarantine = verdict.reason;
    const pause = this.policy.greetPause(c);
    if (pause <= 0) return session.start(this.greeting(session), false);
    setTimeout(() => {
      if (session.closed) return;
      if (session.hasInput) {
        // Spoke before being spoken to: no greeting from the option, and nothing but rejections.
        this.log.info({ client: c.label, event: 'greet-pause-violation' }, 'client talked during the greet pause');
        session.nullReply = reply(REPLIES.commandRejected);
        return session.start(wire(reply(REPLIES.notAccepting, { j })), false);
      }
      session.start(this.greeting(session), false);
    }, pause).unref();
  }

  /** The greeting on the wire for this session (smtp-session.md §2.2). */
  greeting(session: Session): string {
    const st = this.settings;
    if (this.greetingCache === undefined || this.greetingFor !== st) {
      this.greetingCache = new GreetingCache(st.greeting, { ...st.macros, j: st.hostname, v: this.version });
      this.greetingFor = st;
    }
    const c = session.client;
    const l = session.listener;
    return this.greetingCache.render(this.now(), (name) => {
      switch (name) {
        case '_':
          return c.label;
        case 'client_addr':
          return c.addr;
        case 'client_name':
          return c.name;
        case 'client_port':
          return String(c.port);
        case 'client_ptr':
          return c.ptr;
        case 'client_resolve':
          return c.resolve;
        case 'daemon_name':
          return l.name;
        case 'daemon_addr':
          return l.addr;
        case 'daemon_port':
          return String(l.port);
        case 'daemon_flags':
          return l.modifiers;
        case 'if_addr': {
          const a = session.sock.address();
          return typeof a === 'object' && a !== null && 'address' in a ? normaliseIp(a.address) : '';
        }
        default:
          return undefined;
      }
    });
  }

  /** SIGTERM: stop accepting, let transactions in flight finish, then resolve. */
  async shutdown(graceMs: number): Promise<void> {
    this.stopping = true;
    // net.Server#close stops accepting at once but calls back only when every connection has ended:
    // the sessions must be told (and finally cut) while we wait for it, not after.
    const listenersClosed = this.closeListeners();
    for (const s of this.sessions) s.shutdown();
    const deadline = this.now() + graceMs;
    while (this.sessions.size > 0 && this.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    for (const s of this.sessions) s.forceClose();
    await new Promise((r) => setTimeout(r, 50));
    await listenersClosed;
    await this.close();
  }

  private async closeListeners(): Promise<void> {
    const servers = this.servers.splice(0);
    await Promise.all(servers.map((srv) => new Promise<void>((r) => srv.close(() => r()))));
  }

  async close(): Promise<void> {
    // net.Server.close() completes only when every connection has ended: cut the sessions first, or an
    // idle client would hold close() until its command timeout.
    const listenersClosed = this.closeListeners();
    for (const s of this.sessions) s.sock.destroy();
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    if (this.sweeper !== undefined) clearInterval(this.sweeper);
    this.sweeper = undefined;
    this.dns.cancel();
    await listenersClosed;
  }
}
