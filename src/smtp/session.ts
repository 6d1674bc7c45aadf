// One SMTP conversation: reads octets, enforces the line discipline, dispatches commands in order
// (pipelined commands wait while an earlier one is still being answered), and writes replies in
// command order, batched per read (RFC 2920). Policy lives in src/policy and the verbs/ files; this file
// is the conversation's state and its input/output loop.

import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { CommandReader } from './command-reader.js';
import { DataReader } from './data-reader.js';
import { LaxLineEnds } from './lax-line-ends.js';
import { type Reply, type ReplyDef, REPLIES, type Vars, render, reply } from './replies.js';
import type { ClientIdentity } from './client-identity.js';
import type { SessionHost } from './session-host.js';
import { dispatch } from './verbs/dispatch.js';
import { authContinue } from './verbs/auth.js';
import type { Exchange } from './sasl.js';
import { finishData } from './verbs/data.js';
import { MAX_BAD_COMMANDS, penaltyFor, type CountedKind } from '../policy/penalty.js';
import type { ListenerSettings } from './settings.js';
import type { RecipientRecord } from '../queue/envelope.js';
import type { MailParams } from './params.js';

export interface Transaction {
  /** envelope sender without brackets ('' = null sender) */
  sender: string;
  /** the path as typed, for log lines */
  senderTyped: string;
  params: MailParams;
  recipients: RecipientRecord[];
  /** the first spelling of each accepted recipient, keyed by its canonical form (§1 rule 3) */
  seen: Map<string, string>;
  /** recipients as typed, in order; the Received header names the only one */
  typed: string[];
  /** 250 replies given (duplicates included), counted against MaxRecipientsPerMessage */
  accepted: number;
  rejected: number;
  authWarnings: string[];
  /** accept, then drop without delivery (access DISCARD) */
  discard?: boolean;
  /** accept and hold (access/DNSBL QUARANTINE) */
  quarantine?: string;
}

/** The account running `sendmail -bs`, as the daemon established it from the kernel. */
export interface LocalCaller {
  login: string;
  /** in class t: no `owned process doing -bs` warning */
  classT: boolean;
  /** root, TrustedUser, the queue owner: may use ETRN */
  trusted: boolean;
}

const enum Mode {
  Command,
  Data,
  Closed,
}

const AUTH_PREFIX = /^\s*auth\s/i;

/** Line-discipline violations (smtp-session.md §3.1, §3.2): each closes the session with its 421. */
const VIOLATIONS = {
  bareLF: { reply: REPLIES.bareLF, what: 'bare LF' },
  bareCR: { reply: REPLIES.bareCR, what: 'bare CR' },
  tooLong: { reply: REPLIES.commandTooLong, what: 'over-long line' },
} as const;

function allowsLongLine(start: Buffer): boolean {
  return AUTH_PREFIX.test(start.toString('latin1'));
}

export class Session {
  /** HELO/EHLO argument ($s), null before a successful HELO/EHLO. */
  helo: string | null = null;
  /** 'SMTP' after HELO, 'ESMTP' after EHLO. */
  protocol = 'SMTP';
  tx: Transaction | null = null;
  /** Set in a null session: every command but QUIT/NOOP/RSET/HELO/EHLO gets this reply. */
  nullReply: Reply | null = null;
  tls = false;
  authenticated = false;
  /** ${auth_authen} and ${auth_type} after a successful AUTH. */
  authUser: string | undefined = undefined;
  authMech: string | undefined = undefined;
  /** An AUTH exchange waiting for the client's next continuation line (after a 334). */
  authExchange: Exchange | null = null;
  firstCommand = true;
  /** The connection verdict said DISCARD / QUARANTINE: every message of the session (relay-and-access.md §2.2). */
  connDiscard = false;
  connQuarantine: string | undefined = undefined;
  /** `sendmail -bs` through the control socket: who runs it (smtp-session.md §12, §14). */
  localCaller: LocalCaller | undefined = undefined;
  /** SIGTERM received: finish the transaction in flight, then say goodbye. */
  draining = false;
  lastActivity: number;

  bad = 0;
  private counts: Record<CountedKind, number> | null = null;

  private mode = Mode.Command;
  private readonly commands: CommandReader;
  /** Only with StrictCRLF=False: bare CR/LF become spaces before any reader sees them. */
  private readonly lax: LaxLineEnds | null;
  private data: DataReader | null = null;
  private readonly inq: Buffer[] = [];
  private inPos = 0;
  private busy = true;
  /** Between `220 Ready to start TLS` and the end of the handshake: input belongs to the TLS layer. */
  private handshaking = false;
  private out = '';
  private closeAfterFlush = false;

  constructor(
    readonly host: SessionHost,
    public sock: Socket,
    readonly listener: ListenerSettings,
    public client: ClientIdentity,
    readonly log: Logger,
  ) {
    this.lastActivity = host.now();
    const s = host.settings;
    // AUTH lines and AUTH continuation lines may be longer than commands (RFC 4954 §4: 12288 octets).
    this.commands = new CommandReader(s.maxCommandLength, 12288, (start) => this.authExchange !== null || allowsLongLine(start));
    this.lax = s.strictCRLF ? null : new LaxLineEnds();
  }

  /** Placeholders every reply may use. */
  get vars(): Vars {
    return { j: this.host.settings.hostname, client: this.client.label };
  }

  get inData(): boolean {
    return this.mode === Mode.Data;
  }

  /** Waiting for an AUTH continuation line (Timeout.auth applies). */
  get inAuth(): boolean {
    return this.authExchange !== null;
  }

  get closed(): boolean {
    return this.mode === Mode.Closed;
  }

  /** True while the session waits for the client (timeouts apply), false while we are working. */
  get idle(): boolean {
    return !this.busy && this.mode !== Mode.Closed;
  }

  // ---- output -------------------------------------------------------------------------------

  /** Replies are waiting while the session works on something slow: send them now. */
  flushIfWaiting(): void {
    if (this.busy && this.out.length > 0 && this.mode !== Mode.Closed) this.flush();
  }

  send(r: Reply): void {
    for (const line of r.lines) this.out += `${line}\r\n`;
  }

  sendDef(d: ReplyDef, vars?: Vars, addr?: string): void {
    this.out += `${render(d, vars, addr)}\r\n`;
  }

  /** Sends the reply, then closes the connection (used for every 421 and for QUIT). */
  sendAndClose(r: Reply): void {
    this.send(r);
    this.closeAfterFlush = true;
    this.mode = Mode.Closed;
  }

  private flush(): void {
    if (this.out.length > 0 && !this.sock.destroyed) {
      this.sock.write(this.out, 'latin1');
    }
    this.out = '';
    if (this.closeAfterFlush) {
      this.closeAfterFlush = false;
      this.inq.length = 0;
      this.sock.end();
      // A client that never reads would keep the socket half-open; give it a moment, then cut.
      setTimeout(() => this.sock.destroy(), 2000).unref();
    }
  }

  // ---- input --------------------------------------------------------------------------------

  /** Greeting done (or null session set up): start reading commands. */
  start(greeting: string, closeAfter: boolean): void {
    this.out += greeting;
    if (closeAfter) {
      this.closeAfterFlush = true;
      this.mode = Mode.Closed;
    }
    this.busy = false;
    this.pump();
  }

  onData(raw: Buffer): void {
    if (this.mode === Mode.Closed) return;
    this.lastActivity = this.host.now();
    const chunk = this.lax === null ? raw : this.lax.relax(raw);
    if (chunk.length === 0) return;
    this.inq.push(chunk);
    if (this.inq.length > 64) this.sock.pause();
    if (!this.busy) this.pump();
  }

  /** The client has sent something not yet read (greet pause). */
  get hasInput(): boolean {
    return this.inq.length > 0;
  }

  /** More client octets are already here behind the current command (StrictPipelining). */
  get moreInput(): boolean {
    const head = this.inq[0];
    return (head !== undefined && this.inPos < head.length) || this.inq.length > 1 || this.commands.midLine;
  }

  private pump(): void {
    while (!this.busy && this.mode !== Mode.Closed) {
      const buf = this.inq[0];
      if (buf === undefined) break;
      if (this.inPos >= buf.length) {
        this.inq.shift();
        this.inPos = 0;
        continue;
      }
      if (this.mode === Mode.Data) this.readData(buf);
      else this.readCommand(buf);
    }
    if (this.draining && !this.busy && this.mode === Mode.Command && this.tx === null) {
      this.sendAndClose(reply(REPLIES.shuttingDown, this.vars));
    }
    if (this.inq.length <= 16 && this.sock.isPaused()) this.sock.resume();
    this.flush();
  }

  private consumed(buf: Buffer, next: number): void {
    this.inPos = next;
    if (next >= buf.length) {
      this.inq.shift();
      this.inPos = 0;
    }
  }

  /** The current chunk is used up (its tail, if any, is kept by the reader). */
  private nextChunk(): void {
    this.inq.shift();
    this.inPos = 0;
  }

  private readCommand(buf: Buffer): void {
    const r = this.commands.next(buf, this.inPos);
    if (r.kind === 'line') {
      this.consumed(buf, r.next);
      this.runCommand(r.line, r.hasNul);
    } else if (r.kind === 'more') this.nextChunk();
    else this.violation(r.kind, 'command line');
  }

  private readData(buf: Buffer): void {
    const reader = this.data;
    if (reader === null) return;
    const r = reader.feed(buf, this.inPos);
    if (r.kind === 'end') {
      this.consumed(buf, r.next);
      this.data = null;
      this.mode = Mode.Command;
      this.await(finishData(this, reader));
    } else if (r.kind === 'more') this.nextChunk();
    else {
      // Nothing of a message with a smuggling-shaped line end is ever queued.
      this.data = null;
      this.tx = null;
      this.violation(r.kind, 'message text; message discarded');
    }
  }

  private violation(kind: keyof typeof VIOLATIONS, where: string): void {
    this.log.warn({ client: this.client.label, event: 'protocol-violation', violation: kind }, `${VIOLATIONS[kind].what} in ${where}`);
    this.sendAndClose(reply(VIOLATIONS[kind].reply, this.vars));
  }

  private runCommand(line: string, hasNul: boolean): void {
    const result = this.authExchange !== null ? authContinue(this, line, hasNul) : dispatch(this, line, hasNul);
    this.firstCommand = false;
    if (result !== undefined) this.await(result);
  }

  /** Holds further input until `work` is done; replies written meanwhile go out in order. */
  await(work: Promise<void>): void {
    // Replies already produced wait with the rest of this read's replies (RFC 2920 allows it); the
    // server's sweep flushes a session that stays busy for long (a slow DNS answer).
    this.busy = true;
    work
      .catch((err: unknown) => {
        this.log.error({ err, client: this.client.label }, 'internal error in session');
        if (this.mode !== Mode.Closed) this.sendAndClose(reply(REPLIES.shuttingDown, this.vars));
      })
      .finally(() => {
        // STARTTLS answered from a promise: the session stays busy until the handshake is over.
        if (this.handshaking) return;
        this.busy = false;
        if (this.mode === Mode.Closed) this.flush();
        else this.pump();
      });
  }

  beginData(): void {
    this.mode = Mode.Data;
    this.data = new DataReader(this.host.settings.maxMessageSize);
  }

  // ---- STARTTLS -----------------------------------------------------------------------------

  /**
   * After `220 2.0.0 Ready to start TLS`: plaintext the client sent behind the STARTTLS line is thrown
   * away unread (CVE-2011-0411 class), and input waits for the handshake.
   */
  beginTls(): void {
    const head = this.inq[0];
    const left = (head !== undefined ? head.length - this.inPos : 0) + this.inq.slice(1).reduce((n, b) => n + b.length, 0);
    if (left > 0) {
      this.log.warn({ client: this.client.label, event: 'starttls-plaintext-discarded', octets: left }, 'plaintext after STARTTLS discarded');
    }
    this.inq.length = 0;
    this.inPos = 0;
    this.commands.reset();
    this.busy = true;
    this.handshaking = true;
    this.flush();
    this.host.startTls(this);
  }

  /** The handshake succeeded: a fresh start inside TLS (RFC 3207 §4.2). */
  tlsEstablished(secure: Socket): void {
    this.sock = secure;
    this.handshaking = false;
    this.tls = true;
    this.helo = null;
    this.protocol = 'SMTP';
    this.tx = null;
    // Nothing learnt before the handshake survives it (RFC 3207 §4.2), AUTH included.
    this.authenticated = false;
    this.authUser = undefined;
    this.authMech = undefined;
    this.authExchange = null;
    this.firstCommand = true;
    this.resetCount('helo');
    this.lastActivity = this.host.now();
    this.busy = false;
    this.pump();
  }

  // ---- counters -----------------------------------------------------------------------------

  /** Counts a bad command; true when this one is over the limit (the reply was replaced by 421). */
  countBad(): boolean {
    this.bad += 1;
    if (this.bad > MAX_BAD_COMMANDS) {
      this.sendAndClose(reply(REPLIES.tooManyBad, this.vars));
      return true;
    }
    return false;
  }

  /** Counts a command of a limited kind and returns its penalty (smtp-session.md §3.4). */
  count(kind: CountedKind, limit: number, succeeded = false): { delay: number; close: boolean } {
    if (this.counts === null) this.counts = { helo: 0, noop: 0, vrfy: 0, etrn: 0, auth: 0 };
    const n = (this.counts[kind] += 1);
    const s = this.host.settings;
    return penaltyFor(kind, n, limit, s.penaltyBase, s.maxPenaltyDelay, succeeded);
  }

  resetCount(kind: CountedKind): void {
    if (this.counts !== null) this.counts[kind] = 0;
  }

  /**
   * Sends `r` after the penalty delay, or closes with 421 if the counter is at twice its limit.
   * Returns the promise to wait on when there is a delay.
   */
  answerAfter(p: { delay: number; close: boolean }, r: Reply | string): Promise<void> | undefined {
    if (p.close) {
      this.sendAndClose(reply(REPLIES.tooManyBad, this.vars));
      return undefined;
    }
    if (p.delay <= 0) {
      this.sendEither(r);
      return undefined;
    }
    return new Promise<void>((resolve) => {
      setTimeout(() => {
        if (this.mode !== Mode.Closed) this.sendEither(r);
        resolve();
      }, p.delay).unref();
    });
  }

  /** A reply, or reply text already on wire form (CR LF line ends). */
  private sendEither(r: Reply | string): void {
    if (typeof r === 'string') this.out += r;
    else this.send(r);
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  /** The client went quiet for too long. */
  timeout(): void {
    if (this.mode === Mode.Closed) return;
    const inData = this.mode === Mode.Data;
    this.log.info({ client: this.client.label, event: 'timeout', inData }, 'timeout waiting for input');
    this.data = null;
    this.tx = null;
    this.sendAndClose(reply(REPLIES.timeout, this.vars));
    this.flush();
  }

  /** The connection closed under us. */
  onClose(): void {
    if (this.mode !== Mode.Closed) {
      this.log.info(
        { client: this.client.label, event: 'lost-input', inData: this.mode === Mode.Data },
        render(REPLIES.lostInput, this.vars),
      );
    }
    this.mode = Mode.Closed;
    this.data = null;
    this.tx = null;
    this.inq.length = 0;
  }

  /** SIGTERM: a session waiting for its next command is told goodbye; one mid-message finishes it. */
  shutdown(): void {
    this.draining = true;
    if (!this.busy) this.pump();
  }

  /** The SIGTERM grace period is over: say why, then cut the connection (a message in progress is lost). */
  forceClose(): void {
    if (this.mode !== Mode.Closed) {
      this.log.info({ client: this.client.label, event: 'shutdown-cut', inData: this.mode === Mode.Data }, 'grace period over');
      this.out += `${render(REPLIES.shuttingDown, this.vars)}\r\n`;
      this.mode = Mode.Closed;
      this.data = null;
      this.tx = null;
    }
    if (!this.sock.destroyed) {
      if (this.out.length > 0) this.sock.write(this.out, 'latin1');
      this.out = '';
      this.sock.destroySoon();
    }
  }

  /** Ends the transaction (after RSET, HELO/EHLO, the end of a message). */
  resetTransaction(): void {
    this.tx = null;
  }
}
