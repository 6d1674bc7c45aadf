// Opening an SMTP session with one address of a next hop (RFC 5321 §3.1, §4.1.1.1; RFC 3207): connect,
// greeting, EHLO (HELO when EHLO is refused with 5xx), STARTTLS per the hop's policy and EHLO again. A
// failure is a SessionError telling the stage and the reply (the peer's, or Postern's own from texts.ts).

import type { SecureContext } from 'node:tls';
import { HELO_ONLY, parseCapabilities, type Capabilities } from './capabilities.js';
import { formatReply, outcomeReply, type PeerReply } from './reply.js';
import { CLIENT_TEXTS } from './texts.js';
import { tlsFactsOf } from './tls-facts.js';
import type { ClientTimeouts, NextHop, OutcomeReply, Stage, TlsFacts } from './types.js';
import { Wire, WireError } from './wire.js';

/**
 * Why a session could not be opened. `kind`: `connect` no TCP connection (the host status remembers it),
 * `reply` the peer refused, `wire` the connection broke or stalled, `tls` the handshake failed (an
 * opportunistic hop may try again in clear), `policy` the TLS policy was not met.
 */
export class SessionError extends Error {
  constructor(
    readonly stage: Stage,
    readonly reply: OutcomeReply,
    readonly source: 'remote' | 'local',
    readonly kind: 'connect' | 'reply' | 'wire' | 'tls' | 'policy',
  ) {
    super(formatReply(reply));
  }
}

export interface SessionParams {
  hop: NextHop;
  address: string;
  heloName: string;
  timeouts: ClientTimeouts;
  localAddress?: string;
  tlsContext?: SecureContext;
  /** skip STARTTLS even when offered (the retry in clear after a failed opportunistic handshake) */
  clear?: boolean;
}

export class Session {
  /** messages sent on this connection (the pool's reuse count) */
  transactions = 0;

  constructor(
    readonly wire: Wire,
    public caps: Capabilities,
    readonly host: string,
    readonly address: string,
    readonly port: number,
    public tls: TlsFacts | undefined,
  ) {}

  get alive(): boolean {
    return this.wire.alive;
  }

  onClose(f: () => void): void {
    this.wire.onClose(f);
  }

  /** An idle pooled connection does not keep the process alive (a one-shot run may end without close()). */
  setIdle(idle: boolean): void {
    this.wire.setRef(!idle);
  }

  /** RSET before another message on a reused connection; false = the connection is no good any more. */
  async rset(timeoutMs: number): Promise<boolean> {
    if (!this.wire.alive) return false;
    try {
      this.wire.write('RSET\r\n');
      const r = await this.wire.reply(timeoutMs);
      if (r.code === 250) return true;
    } catch {
      // a dead or silent peer: the caller opens a new connection instead
    }
    this.wire.destroy();
    return false;
  }

  /** QUIT, its reply read (within `timeoutMs`) only so the peer sees a clean end; never throws. */
  async quit(timeoutMs: number): Promise<void> {
    if (this.wire.alive) {
      try {
        this.wire.write('QUIT\r\n');
        await this.wire.reply(timeoutMs);
      } catch {
        // the peer went away first: nothing more to say
      }
    }
    this.wire.destroy();
  }
}

function lost(p: SessionParams, stage: Stage, err: unknown): SessionError {
  const why = err instanceof Error ? err.message : String(err);
  const reply =
    err instanceof WireError && err.kind === 'protocol'
      ? CLIENT_TEXTS.protocol(p.hop.host, p.address, why)
      : CLIENT_TEXTS.lost(p.hop.host, p.address, stage, why);
  return new SessionError(stage, reply, 'local', 'wire');
}

async function command(wire: Wire, p: SessionParams, line: string, stage: Stage, timeoutMs: number): Promise<PeerReply> {
  try {
    wire.write(`${line}\r\n`);
    return await wire.reply(timeoutMs);
  } catch (err) {
    wire.destroy();
    throw lost(p, stage, err);
  }
}

/** The peer refused: say QUIT in passing (without waiting long) and report its reply. */
function refused(wire: Wire, p: SessionParams, stage: Stage, r: PeerReply, kind: SessionError['kind'] = 'reply'): SessionError {
  const s = new Session(wire, HELO_ONLY, p.hop.host, p.address, p.hop.port, undefined);
  void s.quit(Math.min(p.timeouts.quit, 10_000));
  return new SessionError(stage, outcomeReply(r), 'remote', kind);
}

async function hello(wire: Wire, p: SessionParams): Promise<Capabilities> {
  const ehlo = await command(wire, p, `EHLO ${p.heloName}`, 'ehlo', p.timeouts.helo);
  if (ehlo.code === 250) return parseCapabilities(ehlo.lines);
  // RFC 5321 §3.2: a server that does not know EHLO answers 5xx; a 4xx (421) ends the session.
  if (ehlo.code < 500) throw refused(wire, p, 'ehlo', ehlo);
  const helo = await command(wire, p, `HELO ${p.heloName}`, 'ehlo', p.timeouts.helo);
  if (helo.code !== 250) throw refused(wire, p, 'ehlo', helo);
  return HELO_ONLY;
}

function closeWith(wire: Wire, p: SessionParams, err: SessionError): SessionError {
  const s = new Session(wire, HELO_ONLY, p.hop.host, p.address, p.hop.port, undefined);
  void s.quit(Math.min(p.timeouts.quit, 10_000));
  return err;
}

/** STARTTLS and EHLO again, per the hop's policy; returns the new capabilities and the TLS facts. */
async function secure(wire: Wire, p: SessionParams, caps: Capabilities): Promise<{ caps: Capabilities; tls?: TlsFacts }> {
  const { hop } = p;
  const must = hop.tls === 'verify';
  if (hop.tls === 'none' || p.clear === true) return { caps };
  if (!caps.starttls) {
    if (must) throw closeWith(wire, p, new SessionError('starttls', CLIENT_TEXTS.tlsNotOffered(hop.host), 'local', 'policy'));
    return { caps };
  }
  const r = await command(wire, p, 'STARTTLS', 'starttls', p.timeouts.starttls);
  if (r.code !== 220) {
    if (r.code === 421) throw refused(wire, p, 'starttls', r);
    if (must) throw closeWith(wire, p, new SessionError('starttls', CLIENT_TEXTS.tlsRefused(hop.host, formatReply(r)), 'local', 'policy'));
    return { caps };
  }
  // Anything after the 220 arrived in clear text and would be taken as said under TLS (CVE-2011-0411).
  if (wire.pending > 0) {
    wire.destroy();
    throw new SessionError('starttls', CLIENT_TEXTS.protocol(hop.host, p.address, 'data after the 220 to STARTTLS'), 'local', 'tls');
  }
  // An address literal host ([192.0.2.1]) is checked as the address it names.
  const expected = (hop.mxName ?? hop.host).replace(/^\[(?:IPv6:)?(.*)\]$/i, '$1');
  let facts: TlsFacts;
  try {
    const sock = await wire.startTls(
      {
        servername: expected,
        minVersion: 'TLSv1.2',
        // The name is checked in tlsFactsOf, which also handles address literals.
        checkServerIdentity: () => undefined,
        ...(p.tlsContext !== undefined ? { secureContext: p.tlsContext } : {}),
      },
      p.timeouts.starttls,
    );
    facts = tlsFactsOf(sock, expected);
  } catch (err) {
    wire.destroy();
    throw new SessionError('starttls', CLIENT_TEXTS.tlsFailed(hop.host, err instanceof Error ? err.message : String(err)), 'local', 'tls');
  }
  if (must && !facts.verified) {
    throw closeWith(wire, p, new SessionError('starttls', CLIENT_TEXTS.tlsNotVerified(hop.host, facts.verifyError ?? 'unknown'), 'local', 'policy'));
  }
  return { caps: await hello(wire, p), tls: facts };
}

export async function openSession(p: SessionParams): Promise<Session> {
  const { hop, address } = p;
  let wire: Wire;
  try {
    wire = await Wire.open({
      address,
      port: hop.port,
      timeoutMs: p.timeouts.connect,
      ...(p.localAddress !== undefined ? { localAddress: p.localAddress } : {}),
    });
  } catch (err) {
    throw new SessionError('connect', CLIENT_TEXTS.connectFailed(hop.host, address, err instanceof Error ? err.message : String(err)), 'local', 'connect');
  }
  let greeting: PeerReply;
  try {
    greeting = await wire.reply(p.timeouts.initial);
  } catch (err) {
    wire.destroy();
    throw lost(p, 'greeting', err);
  }
  if (greeting.code !== 220) throw refused(wire, p, 'greeting', greeting);
  const plain = await hello(wire, p);
  const { caps, tls } = await secure(wire, p, plain);
  return new Session(wire, caps, hop.host, address, hop.port, tls);
}
