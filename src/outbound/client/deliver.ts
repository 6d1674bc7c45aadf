// One delivery attempt of one message to one destination (RFC 5321 §5.1, queue-and-bounces.md §7): the
// hops and their addresses are tried in order until every recipient has a final answer. A host that cannot
// be reached, greets with an error or breaks the session sends us on to the next address; recipients
// refused with 4xx are offered to the next address too (a backup MX may take them), but never once the
// final dot has been sent (the message may have arrived). Sessions come from the pool (reused and
// limited); without a pool each delivery opens and QUITs its own.

import { isIP } from 'node:net';
import { ConnectionPool } from '../pool/pool.js';
import { mimefy } from './mimefy.js';
import { outcomeOf, softened } from './outcome.js';
import { formatReply } from './reply.js';
import { openSession, Session, SessionError, type SessionParams } from './session.js';
import { CLIENT_TEXTS } from './texts.js';
import { runTransaction } from './transaction.js';
import type { ClientOptions, DeliveryReport, HostAttempt, NextHop, OutboundMessage, OutcomeReply, RecipientOutcome } from './types.js';

const DEFAULT_MAX_RECIPIENTS = 100;

export function hasEightBit(buf: Buffer, end = buf.length): boolean {
  for (let i = 0; i < end; i++) if (buf[i]! > 0x7f) return true;
  return false;
}

function headerEnd(body: Buffer): number {
  const at = body.indexOf('\r\n\r\n');
  if (at !== -1) return at;
  const lf = body.indexOf('\n\n');
  return lf !== -1 ? lf : body.length;
}

/**
 * The message really needs SMTPUTF8 downstream (RFC 6531 §3.2): it was received with SMTPUTF8 and an
 * envelope address or a header has UTF-8 in it. A message that merely carried the parameter goes on
 * without it to a peer that lacks the extension.
 */
export function needsSmtputf8(msg: OutboundMessage): boolean {
  if (!msg.smtputf8) return false;
  const nonAscii = /[^\x00-\x7f]/;
  if (nonAscii.test(msg.sender) || msg.recipients.some((r) => nonAscii.test(r.address))) return true;
  return hasEightBit(msg.body, headerEnd(msg.body));
}

function tooManyRecipients(o: RecipientOutcome): boolean {
  return o.stage === 'rcpt' && o.reply.code === 452 && (o.reply.enh === '4.5.3' || /too many recipients/i.test(o.reply.text));
}

function sendable(address: string): boolean {
  return !/[\r\n\0<>]/.test(address);
}

/** The limits count connections per peer address and port. */
export function destinationOf(address: string, port: number): string {
  return isIP(address) === 6 ? `[${address}]:${port}` : `${address}:${port}`;
}

function keyOf(hop: NextHop, address: string, localAddress: string | undefined, heloName: string): string {
  const verifyName = hop.tls === 'verify' ? (hop.mxName ?? hop.host) : '';
  return [destinationOf(address, hop.port), hop.tls, verifyName, localAddress ?? '', heloName].join('|');
}

interface Progress {
  best: Array<RecipientOutcome | undefined>;
  /** best[i] is a session failure (no transaction reached the recipient there) */
  bySession: boolean[];
  open: Set<number>;
  /** every session failure so far was a 5xx from the peer */
  all5xx: boolean;
}

interface Opened {
  session: Session;
  reused: boolean;
  /** a pooled connection of a PIPELINING peer: its RSET goes out with the next transaction's commands */
  rsetPending: boolean;
}

async function sessionFor(
  hop: NextHop,
  address: string,
  reuse: Session | undefined,
  opts: ClientOptions,
  pool: ConnectionPool<Session>,
  localAddress: string | undefined,
): Promise<Opened> {
  if (reuse !== undefined) {
    if (reuse.caps.pipelining && reuse.alive) return { session: reuse, reused: true, rsetPending: true };
    if (await reuse.rset(opts.timeouts.rset)) return { session: reuse, reused: true, rsetPending: false };
  }
  const dest = destinationOf(address, hop.port);
  const params: SessionParams = {
    hop,
    address,
    heloName: opts.heloName,
    timeouts: opts.timeouts,
    ...(localAddress !== undefined ? { localAddress } : {}),
    ...(opts.tlsContext !== undefined ? { tlsContext: opts.tlsContext } : {}),
  };
  const clear = hop.tls === 'opportunistic' && pool.tlsBroken(dest);
  try {
    return { session: await openSession({ ...params, clear }), reused: false, rsetPending: false };
  } catch (err) {
    // [Postern] TLSFallbacktoClear: an opportunistic handshake that fails is retried once in clear text.
    if (err instanceof SessionError && err.kind === 'tls' && hop.tls === 'opportunistic' && opts.tlsFallbackToClear && !clear) {
      pool.markTlsBroken(dest);
      return { session: await openSession({ ...params, clear: true }), reused: false, rsetPending: false };
    }
    throw err;
  }
}

/** The check before MAIL that fails every recipient at this peer, if any (SIZE, SMTPUTF8, 8-bit). */
function refusalBeforeMail(s: Session, msg: OutboundMessage, opts: ClientOptions, eightBit: boolean, utf8: boolean): OutcomeReply | undefined {
  if (s.caps.size !== undefined && s.caps.size > 0 && msg.size > s.caps.size) return CLIENT_TEXTS.tooBig(s.host, msg.size, s.caps.size);
  if (utf8 && !s.caps.smtputf8) return CLIENT_TEXTS.needsSmtputf8(s.host);
  if (eightBit && !s.caps.eightBitMime && opts.eightBitMode === 'strict') return CLIENT_TEXTS.eightBitTo7Bit(s.host);
  return undefined;
}

function sessionFailed(p: Progress, msg: OutboundMessage, err: SessionError, hop: NextHop, address: string, softBounce: boolean): void {
  if (!(err.source === 'remote' && err.reply.code >= 500)) p.all5xx = false;
  for (const i of p.open) {
    if (p.best[i] !== undefined && !p.bySession[i]) continue;
    p.best[i] = outcomeOf(msg.recipients[i]!.address, err.reply, err.stage, err.source, { host: hop.host, hostAddress: address }, softBounce);
    p.bySession[i] = true;
  }
}

export async function deliver(hops: NextHop[], msg: OutboundMessage, opts: ClientOptions): Promise<DeliveryReport> {
  const pool = opts.pool ?? ConnectionPool.unpooled<Session>(opts.timeouts.quit);
  // Without a pool of its own caller, this delivery ends its connections (QUIT and its reply) before returning.
  const ending: Array<Promise<void>> = [];
  const eightBit = msg.eightBit ?? hasEightBit(msg.body);
  const utf8 = needsSmtputf8(msg);
  const maxRcpt = Math.max(1, opts.maxRecipients ?? DEFAULT_MAX_RECIPIENTS);
  const p: Progress = {
    best: msg.recipients.map(() => undefined),
    bySession: msg.recipients.map(() => false),
    open: new Set(msg.recipients.map((_, i) => i)),
    all5xx: true,
  };
  const report: DeliveryReport = { outcomes: [], tried: [] };
  let sevenBit: Buffer | undefined;
  // Addresses were checked when they entered the queue; one that could still break the command line
  // (CR, LF, NUL, angle brackets) never goes on the wire.
  const badSender = !sendable(msg.sender);
  msg.recipients.forEach((r, i) => {
    if (!badSender && sendable(r.address)) return;
    p.best[i] = outcomeOf(r.address, CLIENT_TEXTS.badAddress(badSender ? `<${msg.sender}>` : `<${r.address}>`), 'mail', 'local', {}, opts.softBounce);
    p.open.delete(i);
  });

  outer: for (const hop of hops) {
    for (const address of hop.addresses) {
      if (p.open.size === 0) break outer;
      const dest = destinationOf(address, hop.port);
      const attempt: HostAttempt = { host: hop.host, address, port: hop.port, result: 'failed' };
      report.tried.push(attempt);
      const down = pool.hostDown(dest);
      if (down !== undefined) {
        attempt.result = 'skipped';
        attempt.stage = 'connect';
        attempt.reply = down;
        sessionFailed(p, msg, new SessionError('connect', down, 'local', 'connect'), hop, address, opts.softBounce);
        continue;
      }
      const localAddress = isIP(address) === 6 ? opts.localAddress6 : opts.localAddress;
      const lease = await pool.acquire(keyOf(hop, address, localAddress, opts.heloName), dest);
      let reuse = lease.conn;
      // Twice at most: a pooled connection found dead at its RSET is replaced by a new one, silently.
      for (;;) {
        let opened: Opened;
        try {
          opened = await sessionFor(hop, address, reuse, opts, pool, localAddress);
        } catch (err) {
          void lease.release(undefined, false);
          if (!(err instanceof SessionError)) throw err;
          attempt.stage = err.stage;
          attempt.reply = err.reply;
          if (err.kind === 'connect') pool.markDown(dest, err.reply);
          sessionFailed(p, msg, err, hop, address, opts.softBounce);
          break;
        }
        const { session } = opened;
        if (opened.reused) attempt.reused = true;
        else delete attempt.reused;
        if (session.tls !== undefined) attempt.tls = session.tls;
        else delete attempt.tls;
        attempt.result = 'session';
        report.host = hop.host;
        report.address = address;
        if (session.tls !== undefined) report.tls = session.tls;
        else delete report.tls;

        const refusal = refusalBeforeMail(session, msg, opts, eightBit, utf8);
        if (refusal !== undefined) {
          attempt.stage = 'mail';
          attempt.reply = refusal;
          for (const i of p.open) {
            p.best[i] = outcomeOf(msg.recipients[i]!.address, refusal, 'mail', 'local', { host: hop.host, hostAddress: address }, opts.softBounce);
            p.bySession[i] = false;
          }
          p.open.clear();
          // A pooled connection still owes its RSET: do it before the connection goes back.
          const clean = !opened.rsetPending || (await session.rset(opts.timeouts.rset));
          ending.push(lease.release(session, clean));
          break outer;
        }

        // EightBitMode=mimefy: a 7-bit peer gets the message converted (once per delivery).
        const convert = eightBit && !session.caps.eightBitMime && opts.eightBitMode === 'mimefy';
        let usable = true;
        let rsetFirst = opened.rsetPending;
        let stale = false;
        const queue = [...p.open];
        while (queue.length > 0 && usable) {
          const chunk = queue.splice(0, maxRcpt);
          const result = await runTransaction(session, {
            msg,
            recipients: chunk.map((i) => msg.recipients[i]!),
            timeouts: opts.timeouts,
            softBounce: opts.softBounce,
            eightBit,
            rsetFirst,
            ...(convert ? { converted: (sevenBit ??= mimefy(msg.body)) } : {}),
          });
          rsetFirst = false;
          if (result.stale) {
            stale = true;
            break;
          }
          usable = result.usable;
          result.outcomes.forEach((o, k) => {
            const i = chunk[k]!;
            p.best[i] = o;
            p.bySession[i] = false;
            // A recipient that was in the DATA whose dot went out may have been delivered: not elsewhere now.
            if (o.status !== 'temp' || (result.dataSent && o.stage === 'datafinal')) p.open.delete(i);
          });
          // RFC 5321 §4.5.3.1.10: "452 too many recipients" means "the rest in another transaction" — done
          // at once on this connection, as long as each transaction delivers to someone.
          const again = chunk.filter((_, k) => tooManyRecipients(result.outcomes[k]!));
          if (again.length > 0 && result.outcomes.some((o) => o.status === 'sent')) queue.unshift(...again);
          const last = result.outcomes[result.outcomes.length - 1];
          if (last !== undefined) {
            attempt.stage = last.stage;
            attempt.reply = last.reply;
          }
        }
        if (stale) {
          session.wire.destroy();
          reuse = undefined;
          continue;
        }
        ending.push(lease.release(session, usable && session.alive));
        break;
      }
    }
  }

  if (opts.pool === undefined) await Promise.all(ending);
  report.outcomes = msg.recipients.map((r, i) => finalOutcome(p, i, r.address, opts.softBounce));
  return report;
}

function finalOutcome(p: Progress, i: number, address: string, softBounce: boolean): RecipientOutcome {
  const o = p.best[i];
  if (o === undefined) return outcomeOf(address, CLIENT_TEXTS.noHosts(), 'connect', 'local', {}, softBounce);
  if (!p.bySession[i] || o.status !== 'perm') return o;
  // A 5xx at greeting or EHLO is permanent only when every host said so; one that could not be reached
  // may still take the mail later.
  if (p.all5xx) return o;
  return { ...o, status: 'temp', reply: softened(o.reply) };
}

/** One line for logs: `host [addr]: 550 5.1.1 text`. */
export function describeAttempt(a: HostAttempt): string {
  const what = a.reply !== undefined ? formatReply(a.reply) : a.result;
  return `${a.host} [${a.address}]: ${what}`;
}
