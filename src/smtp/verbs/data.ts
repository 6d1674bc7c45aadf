// DATA (smtp-session.md §8): the checks before 354, and the end of the message: checks on the text, the
// headers the server adds, the durable commit and the one log line per transaction.

import { rfc5322Date } from '../dates.js';
import { receivedHeader } from '../received.js';
import { tlsFacts, tlsFactsText } from '../tls-facts.js';
import type { DataReader } from '../data-reader.js';
import { analyseHeader } from '../header-block.js';
import { REPLIES, reply } from '../replies.js';
import type { Session, Transaction } from '../session.js';
import type { Envelope } from '../../queue/envelope.js';
import { SpoolWriteError } from '../../queue/index.js';

/**
 * The envelope's AUTH= (RFC 4954 §5): the client's value is trusted only in an authenticated session
 * (`<>` otherwise); an authenticated client that gave none is named by its user, as sendmail does.
 */
function authParam(s: Session, tx: Transaction): { auth?: string } {
  if (tx.params.auth !== undefined) return { auth: s.authenticated ? tx.params.auth : '<>' };
  return s.authUser !== undefined ? { auth: s.authUser } : {};
}

export function data(s: Session): undefined {
  const tx = s.tx;
  if (tx === null) return void s.sendDef(REPLIES.needMailCommand);
  if (tx.recipients.length === 0) return void s.sendDef(REPLIES.needRcpt);
  if (s.host.settings.strictPipelining && s.moreInput) {
    // Transaction stuffing: never read what follows as message text. Nothing is queued.
    s.log.warn({ client: s.client.label, event: 'pipelining-violation', command: 'DATA' }, 'input after DATA before 354');
    s.resetTransaction();
    s.sendAndClose(reply(REPLIES.protocolError));
    return undefined;
  }
  s.sendDef(REPLIES.startData);
  s.beginData();
  return undefined;
}

function authWarningFields(s: Session, tx: Transaction): string {
  let out = '';
  for (const w of tx.authWarnings) out += `X-Authentication-Warning: ${s.host.settings.hostname}: ${w}\r\n`;
  return out;
}

/** The reply to the final dot, after every check; undefined when the message may be queued. */
function checkText(s: Session, tx: Transaction, r: DataReader, hops: number, tooLarge: boolean) {
  const st = s.host.settings;
  if (r.overflow) return reply(REPLIES.messageTooBig, { max: st.maxMessageSize });
  if (tooLarge) return reply(REPLIES.headersTooLarge, { max: st.maxHeadersLength });
  if (r.hasNul && st.rejectNul) return reply(REPLIES.nulByte);
  if (r.eightBit && st.eightBitMode === 's' && tx.params.body !== '8BITMIME') return reply(REPLIES.eightBitNotAllowed);
  if (hops > st.maxHopCount) {
    return reply(REPLIES.tooManyHops, {
      count: hops,
      max: st.maxHopCount,
      sender: tx.sender === '' ? '<>' : tx.sender,
      client: s.client.label,
      rcpt: tx.recipients[0]?.address ?? '',
    });
  }
  return undefined;
}

export async function finishData(s: Session, r: DataReader): Promise<void> {
  const tx = s.tx;
  s.resetTransaction();
  if (tx === null) return;
  const st = s.host.settings;
  const header = r.overflow ? { tooLarge: false, hops: 0, parts: [] as Buffer[] } : analyseHeader(r.parts, st.maxHeadersLength);
  const refusal = checkText(s, tx, r, header.hops, header.tooLarge);
  const from = tx.sender === '' ? '<>' : `<${tx.sender}>`;
  if (refusal !== undefined) {
    s.log.info(
      { from, size: r.size, nrcpts: tx.recipients.length, relay: s.client.label, stat: refusal.lines[0] },
      'message refused',
    );
    s.send(refusal);
    return;
  }

  const spool = s.host.spool;
  const id = spool.newId();
  const now = new Date(s.host.now());
  const tls = s.tls ? tlsFacts(s.sock) : undefined;
  const received = receivedHeader({
    ...(s.helo !== null ? { helo: s.helo } : {}),
    client: s.client.label,
    j: st.hostname,
    protocol: tx.params.smtputf8 === true ? `UTF8${s.protocol}` : s.protocol,
    qid: id,
    rcpts: tx.typed,
    date: rfc5322Date(now),
    // PLAIN and LOGIN have no security layer: `(authenticated)` without bits= (§8.5).
    ...(s.authenticated ? { auth: {} } : {}),
    ...(tls !== undefined ? { tls } : {}),
  });
  const added = Buffer.from(received + authWarningFields(s, tx), 'latin1');
  const parts = [added, ...header.parts];
  let size = 0;
  for (const p of parts) size += p.length;
  const envelope: Envelope = {
    version: 1,
    id,
    created: now.getTime(),
    sender: tx.sender,
    size,
    eightBit: r.eightBit,
    protocol: s.protocol,
    helo: s.helo ?? '',
    client: s.client.label,
    clientAddr: s.client.addr,
    recipients: tx.recipients,
    ...(tx.params.body !== undefined ? { bodyType: tx.params.body } : {}),
    ...(tx.params.ret !== undefined ? { ret: tx.params.ret } : {}),
    ...(tx.params.envid !== undefined ? { envid: tx.params.envid } : {}),
    ...authParam(s, tx),
    ...(tx.params.smtputf8 === true ? { smtputf8: true } : {}),
    ...(header.precedence !== undefined ? { precedence: header.precedence } : {}),
    ...(tx.quarantine !== undefined ? { quarantine: tx.quarantine } : {}),
  };
  if (tx.discard === true) {
    // DISCARD (access map or DNSBL): the client is told 250, nothing is kept (relay-and-access.md §2.2).
    s.log.info({ qid: id, from, size: r.size, nrcpts: tx.recipients.length, relay: s.client.label, stat: 'discarded' }, 'message discarded');
    s.send(reply(REPLIES.accepted, { qid: id }));
    return;
  }
  try {
    await spool.commit(envelope, parts);
  } catch (err) {
    const full = err instanceof SpoolWriteError && err.kind === 'disk-full';
    s.log.error({ qid: id, from, err, relay: s.client.label }, 'queue write failed; message not accepted');
    s.send(reply(full ? REPLIES.queueDiskFull : REPLIES.queueWriteError));
    return;
  }
  s.log.info(
    {
      qid: id,
      from,
      size: r.size,
      nrcpts: tx.recipients.length,
      proto: s.protocol,
      relay: s.client.label,
      ...(s.authUser !== undefined ? { authid: s.authUser, mech: s.authMech } : {}),
      ...(tls !== undefined ? { tls: tlsFactsText(tls) } : {}),
      ...(header.messageId !== undefined ? { msgid: header.messageId } : {}),
      stat: tx.quarantine !== undefined ? 'quarantined' : 'queued',
      ...(tx.quarantine !== undefined ? { quarantine: tx.quarantine } : {}),
    },
    'message accepted',
  );
  s.send(reply(REPLIES.accepted, { qid: id }));
}
