// The listeners and everything that is per server rather than per session: connection limits, client
// identification, the greeting, timeouts (one sweep for all sessions instead of a timer per socket, which
// keeps idle connections cheap), SIGHUP swaps and the SIGTERM drain.

import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { DnsResolver } from '../dns/resolver.js';
import type { LocalDirectory } from '../policy/local-directory.js';
import { freeSpace, type Spool } from '../queue/index.js';
import { clientAddrMacro, identifyClient, labelFor, normaliseIp, type ClientIdentity } from './client-identity.js';
import { compactDate, ctimeDate, rfc5322Date } from './dates.js';
import { buildGreeting } from './greeting.js';
import { REPLIES, type Reply, reply, wire } from './replies.js';
import { Session } from './session.js';
import type { SessionHost } from './session-host.js';
import type { ListenerSettings, SmtpSettings } from './settings.js';

export interface ServerDeps {
  settings: SmtpSettings;
  directory: LocalDirectory;
  /** Absent when the spool is opened after binding (root drops privileges first): see setSpool. */
  spool?: Spool;
  spoolDir: string;
  dns: DnsResolver;
  log: Logger;
  version: string;
  ownAddresses: ReadonlySet<string>;
  /** ETRN hook (the queue runner, when there is one). */
  etrn?: (node: string) => void;
}

/** Only the host itself is exempt from the per-client limit; other 127/8 addresses are ordinary clients. */
function isThisHost(ip: string): boolean {
  return ip === '127.0.0.1' || ip === '::1';
}

export class SmtpServer implements SessionHost {
  settings: SmtpSettings;
  directory: LocalDirectory;
  private spoolRef: Spool | undefined;
  readonly log: Logger;
  readonly version: string;
  ownAddresses: ReadonlySet<string>;
  readonly tlsOffered = false;

  private dns: DnsResolver;
  private readonly spoolDir: string;
  private readonly etrnHook: (node: string) => void;
  private readonly servers: Server[] = [];
  private readonly sessions = new Set<Session>();
  private readonly perClient = new Map<string, number>();
  private free: { blocks: number; blockSize: number } | undefined;
  private timers: NodeJS.Timeout[] = [];
  private sweeper: NodeJS.Timeout | undefined;
  private rateWindow = 0;
  private rateCount = 0;
  private stopping = false;

  constructor(deps: ServerDeps) {
    this.settings = deps.settings;
    this.directory = deps.directory;
    this.spoolRef = deps.spool;
    this.spoolDir = deps.spoolDir;
    this.dns = deps.dns;
    this.log = deps.log;
    this.version = deps.version;
    this.ownAddresses = deps.ownAddresses;
    this.etrnHook = deps.etrn ?? (() => undefined);
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

  async listen(): Promise<void> {
    for (const l of this.settings.listeners) {
      const srv = createServer({ noDelay: true, pauseOnConnect: false }, (sock) => this.accept(sock, l));
      srv.on('error', (err) => this.log.error({ err, listener: l.name }, 'listener error'));
      try {
        await new Promise<void>((resolve, reject) => {
          srv.once('error', reject);
          srv.listen({ host: l.addr, port: l.port, backlog: l.backlog }, () => {
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
  reload(settings: SmtpSettings, directory: LocalDirectory, ownAddresses?: ReadonlySet<string>, dns?: DnsResolver): void {
    this.settings = settings;
    this.directory = directory;
    if (ownAddresses !== undefined) this.ownAddresses = ownAddresses;
    if (dns !== undefined) {
      const old = this.dns;
      this.dns = dns;
      // Lookups in flight on the old resolver finish on their own; cancel after a grace period.
      setTimeout(() => old.cancel(), 30_000).unref();
    }
    this.startSweeper();
  }

  private startSweeper(): void {
    const t = this.settings.timeouts;
    const shortest = Math.min(t.command, t.datablock);
    const every = Math.max(50, Math.min(1000, Math.floor(shortest / 4)));
    if (this.sweeper !== undefined) clearInterval(this.sweeper);
    this.sweeper = setInterval(() => this.sweep(), every).unref();
  }

  private sweep(): void {
    const now = this.now();
    const t = this.settings.timeouts;
    for (const s of this.sessions) {
      if (s.idle && now - s.lastActivity > (s.inData ? t.datablock : t.command)) s.timeout();
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
    sock.on('error', () => undefined);
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

    const addr = clientAddrMacro(ip);
    const provisional: ClientIdentity = { addr, ip, port: sock.remotePort ?? 0, ptr: '', resolve: 'TEMP', ...labelFor(addr, '', 'TEMP') };
    const log = this.log;
    const session = new Session(this, sock, listener, provisional, log);
    this.sessions.add(session);
    sock.on('data', (chunk: Buffer) => session.onData(chunk));
    sock.on('error', () => undefined);
    sock.on('close', () => {
      session.onClose();
      this.sessions.delete(session);
      const n = (this.perClient.get(ip) ?? 1) - 1;
      if (n <= 0) this.perClient.delete(ip);
      else this.perClient.set(ip, n);
    });
    void this.greet(session, ip, sock.remotePort ?? 0);
  }

  /** sendmail's ConnectionRateThrottle: spread bursts over seconds instead of refusing them. */
  private throttleDelay(): number {
    const limit = this.settings.connectionRateThrottle;
    if (limit <= 0) return 0;
    const now = this.now();
    const second = Math.floor(now / 1000);
    if (second !== this.rateWindow) {
      this.rateWindow = second;
      this.rateCount = 0;
    }
    this.rateCount += 1;
    const windowsAhead = Math.floor((this.rateCount - 1) / limit);
    return windowsAhead === 0 ? 0 : windowsAhead * 1000 - (now % 1000);
  }

  private async greet(session: Session, ip: string, port: number): Promise<void> {
    try {
      const wait = this.throttleDelay();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      session.client = await identifyClient(ip, port, this.dns);
      if (session.closed) return;
      session.start(this.greeting(session), false);
    } catch (err) {
      this.log.error({ err, ip }, 'greeting failed');
      session.start(reply(REPLIES.shuttingDown, { j: this.settings.hostname }), true);
    }
  }

  greeting(session: Session): Reply {
    const st = this.settings;
    const now = new Date(this.now());
    const c = session.client;
    const a = session.sock.address();
    const local = typeof a === 'object' && a !== null && 'address' in a ? a : undefined;
    const macros: Record<string, string> = {
      ...st.macros,
      j: st.hostname,
      v: this.version,
      b: rfc5322Date(now),
      d: ctimeDate(now),
      t: compactDate(now),
      _: c.label,
      client_addr: c.addr,
      client_name: c.name,
      client_port: String(c.port),
      client_ptr: c.ptr,
      client_resolve: c.resolve,
      daemon_name: session.listener.name,
      daemon_addr: session.listener.addr,
      daemon_port: String(session.listener.port),
      daemon_flags: session.listener.modifiers,
      if_addr: local !== undefined ? normaliseIp(local.address) : '',
    };
    return buildGreeting(st.greeting, (name) => macros[name]);
  }

  /** SIGTERM: stop accepting, let transactions in flight finish, then resolve. */
  async shutdown(graceMs: number): Promise<void> {
    this.stopping = true;
    await this.closeListeners();
    for (const s of this.sessions) s.shutdown();
    const deadline = this.now() + graceMs;
    while (this.sessions.size > 0 && this.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    for (const s of this.sessions) s.sock.destroy();
    await this.close();
  }

  private async closeListeners(): Promise<void> {
    await Promise.all(this.servers.map((srv) => new Promise<void>((r) => srv.close(() => r()))));
    this.servers.length = 0;
  }

  async close(): Promise<void> {
    // net.Server.close() completes only when every connection has ended: cut the sessions first, or an
    // idle client would hold close() until its command timeout.
    for (const s of this.sessions) s.sock.destroy();
    await this.closeListeners();
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    if (this.sweeper !== undefined) clearInterval(this.sweeper);
    this.sweeper = undefined;
    this.dns.cancel();
  }
}
