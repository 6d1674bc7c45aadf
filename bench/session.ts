// One load-generating SMTP connection: greeting, EHLO, then transactions back to back (MAIL, RCPT...,
// DATA, message), QUIT after `perConn` messages and reconnect. Every reply code is checked; a
// transaction that goes wrong is counted by what ended it, reset with RSET, and the session goes on.

import { connect, type Socket } from 'node:net';
import type { LoadCounters } from './counters.js';
import type { Wire } from './message.js';
import { ReplyReader, type ReplySink } from './reply-reader.js';

/** Answers of SessionControl.claim(). */
export const CLAIM_NONE = 0;
export const CLAIM_WARMUP = 1;
export const CLAIM_MEASURED = 2;

export interface SessionControl {
  readonly wire: Wire;
  readonly host: string;
  readonly port: number;
  readonly rcptsPerMessage: number;
  readonly perConn: number;
  readonly pipelining: boolean;
  readonly timeoutMs: number;
  /** The counters of the current phase (replaced when the measured window starts). */
  readonly counters: LoadCounters;
  /** True once no new transaction may start: sessions quit instead of reconnecting. */
  readonly stopping: boolean;
  /** May this session start another transaction? One of the CLAIM_* values. */
  claim(): number;
  /** A claimed transaction ended (accepted or not). */
  finished(claim: number, accepted: boolean, latencyMs: number): void;
  /** The server's EHLO reply was read; tells whether it offers PIPELINING. */
  offered(pipelining: boolean): void;
  /** The session's connection closed and it will not reconnect. */
  closed(): void;
  /** Something was received: the run is making progress. */
  progress(): void;
}

// Where a session is in the dialogue.
const S_CONNECTING = 0;
const S_GREETING = 1;
const S_EHLO = 2;
const S_ENVELOPE = 3; // replies to MAIL, RCPT..., DATA
const S_FINAL = 4; // reply to the final dot
const S_RSET = 5;
const S_QUIT = 6;
const S_DONE = 7;

const RECONNECT_DELAY_MS = 100;

export class LoadSession implements ReplySink {
  private socket: Socket | undefined;
  private readonly reader = new ReplyReader(this);
  private state = S_DONE;
  private stopped = false;
  private pipelined = false;
  private onConn = 0;
  private nextGroup: number;
  // The transaction in progress.
  private claimKind = CLAIM_NONE;
  private startedAt = 0;
  private group = 0;
  private replyIndex = 0;
  private mailOk = false;
  private rcptOk = 0;
  private failCode = 0;

  constructor(
    private readonly ctl: SessionControl,
    private readonly localAddress: string | undefined,
    firstGroup: number,
  ) {
    this.nextGroup = firstGroup % ctl.wire.groups;
  }

  /** Ends the session at once, without counting anything (the run is over). */
  stop(): void {
    this.stopped = true;
    this.reader.stop();
    this.socket?.destroy();
  }

  start(): void {
    if (this.stopped) return;
    this.state = S_CONNECTING;
    this.onConn = 0;
    this.reader.reset();
    const s = connect({ host: this.ctl.host, port: this.ctl.port, localAddress: this.localAddress, noDelay: true });
    this.socket = s;
    s.setTimeout(this.ctl.timeoutMs);
    s.on('connect', () => {
      if (this.state === S_CONNECTING) this.state = S_GREETING;
    });
    s.on('data', (chunk: Buffer) => {
      this.ctl.progress();
      this.reader.push(chunk);
    });
    s.on('timeout', () => {
      this.ctl.counters.protocolError(`no reply within ${this.ctl.timeoutMs} ms (${STATE_NAMES[this.state]})`);
      this.abandon();
    });
    s.on('error', (err: NodeJS.ErrnoException) => {
      if (this.state === S_CONNECTING) this.ctl.counters.connectError(`connect: ${err.code ?? err.message}`);
      else if (this.state !== S_QUIT && this.state !== S_DONE) {
        this.ctl.counters.protocolError(`socket error ${err.code ?? err.message} (${STATE_NAMES[this.state]})`);
        // Counted here: the close that follows is not a second error.
        if (this.claimKind !== CLAIM_NONE) this.endTransaction(false, 0, '');
        this.state = S_DONE;
      }
    });
    s.on('close', () => this.onClose(s));
  }

  private onClose(s: Socket): void {
    if (s !== this.socket || this.stopped) return;
    this.socket = undefined;
    this.reader.stop();
    const was = this.state;
    this.state = S_DONE;
    if (this.claimKind !== CLAIM_NONE) this.endTransaction(false, 0, `connection lost (${STATE_NAMES[was]})`);
    else if (was === S_GREETING || was === S_EHLO || was === S_RSET) {
      this.ctl.counters.protocolError(`connection closed by the server (${STATE_NAMES[was]})`);
    }
    if (this.ctl.stopping) {
      this.ctl.closed();
      return;
    }
    const delay = was === S_QUIT ? 0 : RECONNECT_DELAY_MS;
    setTimeout(() => (this.ctl.stopping ? this.ctl.closed() : this.start()), delay);
  }

  /** Gives up on the connection: the stream can no longer be trusted. */
  private abandon(): void {
    this.reader.stop();
    if (this.claimKind !== CLAIM_NONE) this.endTransaction(false, 0, '');
    this.state = S_DONE;
    this.socket?.destroy();
  }

  malformed(line: string): void {
    this.ctl.counters.protocolError(`malformed reply line ${JSON.stringify(line.slice(0, 80))}`);
    this.abandon();
  }

  reply(code: number, lines: readonly string[] | undefined): void {
    switch (this.state) {
      case S_GREETING:
        if (code !== 220) return this.refused(code, 'greeting');
        this.ctl.counters.connections++;
        this.state = S_EHLO;
        this.reader.capture = true;
        return this.write(this.ctl.wire.ehlo);
      case S_EHLO: {
        this.reader.capture = false;
        if (code !== 250) return this.refused(code, 'EHLO');
        const offers = (lines ?? []).some((l) => /^PIPELINING\b/i.test(l));
        this.ctl.offered(offers);
        this.pipelined = offers && this.ctl.pipelining;
        return this.next();
      }
      case S_ENVELOPE:
        return this.envelopeReply(code);
      case S_FINAL:
        if (code === 250) return this.endTransaction(true, 0, '');
        this.ctl.counters.code(code);
        return this.failTransaction(code);
      case S_RSET:
        if (code !== 250) this.ctl.counters.code(code);
        return this.next();
      case S_QUIT:
        if (code !== 221) this.ctl.counters.code(code);
        this.socket?.end();
        return;
      default:
        this.ctl.counters.protocolError(`unexpected reply ${code} (${STATE_NAMES[this.state]})`);
        this.abandon();
    }
  }

  /** A greeting or EHLO reply that was not the expected success. */
  private refused(code: number, what: string): void {
    this.ctl.counters.code(code);
    this.ctl.counters.protocolError(`${what} answered ${code}`);
    if (code === 421 || this.state === S_GREETING) this.abandon();
    else this.quit();
  }

  /** Starts the next transaction, or quits when the connection has done its share or the run ends. */
  private next(): void {
    if (this.onConn >= this.ctl.perConn) return this.quit();
    const claim = this.ctl.claim();
    if (claim === CLAIM_NONE) return this.quit();
    const wire = this.ctl.wire;
    this.claimKind = claim;
    this.onConn++;
    this.replyIndex = 0;
    this.mailOk = false;
    this.rcptOk = 0;
    this.failCode = 0;
    this.state = S_ENVELOPE;
    const g = this.nextGroup;
    this.group = g;
    this.nextGroup = g + 1 === wire.groups ? 0 : g + 1;
    this.startedAt = performance.now();
    this.write(this.pipelined ? (wire.pipelined[g] as Buffer) : wire.mail);
  }

  /** Replies to MAIL (index 0), each RCPT (1..rcpts) and DATA (rcpts + 1). */
  private envelopeReply(code: number): void {
    const i = this.replyIndex++;
    const rcpts = this.ctl.rcptsPerMessage;
    const wire = this.ctl.wire;
    if (code !== (i === 0 ? 250 : i <= rcpts ? (code === 251 ? 251 : 250) : 354)) this.ctl.counters.code(code);
    if (i === 0) {
      this.mailOk = code === 250;
      if (this.pipelined) {
        if (!this.mailOk) this.failCode = code;
        return;
      }
      if (!this.mailOk) return this.failTransaction(code);
      return this.write(wire.rcpt[this.group % wire.rcpt.length] as Buffer);
    }
    if (i <= rcpts) {
      if (code === 250 || code === 251) this.rcptOk++;
      else if (this.failCode === 0) this.failCode = code;
      if (this.pipelined) return;
      if (i < rcpts) return this.write(wire.rcpt[(this.group + i) % wire.rcpt.length] as Buffer);
      if (this.rcptOk === 0) return this.failTransaction(this.failCode);
      return this.write(wire.data);
    }
    if (code === 354) {
      if (!this.mailOk || this.rcptOk === 0) {
        // The server would now read the message for nobody: the dialogue is out of step.
        this.ctl.counters.protocolError('354 to DATA after the envelope was refused');
        return this.abandon();
      }
      this.state = S_FINAL;
      return this.write(wire.body);
    }
    this.failTransaction(this.failCode !== 0 ? this.failCode : code);
  }

  private failTransaction(code: number): void {
    this.endTransaction(false, code, '');
    if (code === 421) return this.abandon();
    this.state = S_RSET;
    this.write(this.ctl.wire.rset);
  }

  /**
   * Books the end of the claimed transaction. `code` is the reply that failed it; 0 with `why` is a
   * protocol error (0 with no `why` was already counted by the caller).
   */
  private endTransaction(accepted: boolean, code: number, why: string): void {
    const claim = this.claimKind;
    this.claimKind = CLAIM_NONE;
    if (claim === CLAIM_MEASURED) {
      const c = this.ctl.counters;
      if (accepted) {
        const refused = this.ctl.rcptsPerMessage - this.rcptOk;
        if (refused > 0) c.rcptRefused += refused;
      } else if (code !== 0) c.failed(code);
      else if (why !== '') c.protocolError(why);
    }
    this.ctl.finished(claim, accepted, performance.now() - this.startedAt);
    if (accepted) this.next();
  }

  private quit(): void {
    this.state = S_QUIT;
    this.write(this.ctl.wire.quit);
  }

  private write(buf: Buffer): void {
    this.socket?.write(buf);
  }
}

const STATE_NAMES = ['connecting', 'greeting', 'EHLO', 'envelope', 'final dot', 'RSET', 'QUIT', 'closed'];
