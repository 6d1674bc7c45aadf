// One mail transaction on an open session (RFC 5321 §3.3, RFC 2920): MAIL, RCPT for each recipient and
// DATA — as one pipelined group when the peer offers PIPELINING, one by one otherwise — then the body and
// the final reply. Every recipient ends with an outcome: its RCPT reply if that refused it, else the reply
// to DATA or to the final dot. A broken connection or a 421 decides all recipients still open.

import { encodeXtext } from '../../smtp/xtext.js';
import { dataPayload } from './body.js';
import type { Capabilities } from './capabilities.js';
import { outcomeOf } from './outcome.js';
import { formatReply, outcomeReply, type PeerReply } from './reply.js';
import type { Session } from './session.js';
import { CLIENT_TEXTS } from './texts.js';
import type { ClientTimeouts, OutboundMessage, OutboundRecipient, OutcomeReply, RecipientOutcome, Stage } from './types.js';
import { WireError } from './wire.js';

export interface TransactionParams {
  msg: OutboundMessage;
  recipients: OutboundRecipient[];
  timeouts: ClientTimeouts;
  softBounce: boolean;
  /** the body has octets > 0x7f */
  eightBit: boolean;
  /** a reused connection: RSET goes first in the pipelined group; if it fails, the result is `stale` */
  rsetFirst?: boolean;
  /** the body to send instead of msg.body (EightBitMode=mimefy's 7-bit version), with its size */
  converted?: Buffer;
}

export interface TransactionResult {
  /** in the order of `recipients` */
  outcomes: RecipientOutcome[];
  /** the connection can carry another message */
  usable: boolean;
  /** the final dot was sent: whatever happened, do not send this message elsewhere in this attempt */
  dataSent: boolean;
  /** the reused connection's RSET failed: nothing was decided, the connection is dead; try a new one */
  stale?: boolean;
}

/** MAIL FROM parameters (RFC 1870, 6152, 6531, 3461) for what the peer offers. */
export function mailParams(msg: OutboundMessage, caps: Capabilities, eightBit: boolean, size = msg.size): string {
  const p: string[] = [];
  if (caps.size !== undefined) p.push(`SIZE=${size}`);
  if (caps.eightBitMime) {
    if (msg.bodyType === '8BITMIME' || eightBit) p.push('BODY=8BITMIME');
    else if (msg.bodyType === '7BIT') p.push('BODY=7BIT');
  }
  if (msg.smtputf8 && caps.smtputf8) p.push('SMTPUTF8');
  if (caps.dsn) {
    if (msg.ret !== undefined) p.push(`RET=${msg.ret}`);
    if (msg.envid !== undefined) p.push(`ENVID=${encodeXtext(msg.envid)}`);
  }
  return p.length === 0 ? '' : ` ${p.join(' ')}`;
}

export function rcptParams(r: OutboundRecipient, caps: Capabilities): string {
  if (!caps.dsn) return '';
  const p: string[] = [];
  if (r.notify !== undefined && r.notify.length > 0) p.push(`NOTIFY=${r.notify.join(',')}`);
  if (r.orcpt !== undefined) p.push(`ORCPT=${r.orcpt}`);
  return p.length === 0 ? '' : ` ${p.join(' ')}`;
}

const BATCH = 64 * 1024;

class Broken extends Error {
  constructor(
    readonly stage: Stage,
    readonly reply: OutcomeReply,
    readonly source: 'remote' | 'local',
  ) {
    super(formatReply(reply));
  }
}

export async function runTransaction(s: Session, p: TransactionParams): Promise<TransactionResult> {
  const { msg, recipients, timeouts } = p;
  const where = { host: s.host, hostAddress: s.address };
  const outcomes: Array<RecipientOutcome | undefined> = recipients.map(() => undefined);
  const decide = (i: number, reply: OutcomeReply, stage: Stage, source: RecipientOutcome['source'] = 'remote'): void => {
    outcomes[i] = outcomeOf(recipients[i]!.address, outcomeReply(reply), stage, source, where, p.softBounce);
  };
  const decideOpen = (reply: OutcomeReply, stage: Stage, source: RecipientOutcome['source']): void => {
    for (let i = 0; i < outcomes.length; i++) if (outcomes[i] === undefined) decide(i, reply, stage, source);
  };
  let dataSent = false;
  let usable = true;

  const read = async (st: Stage, timeoutMs: number): Promise<PeerReply> => {
    let r: PeerReply;
    try {
      r = await s.wire.reply(timeoutMs);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      const reply = err instanceof WireError && err.kind === 'protocol' ? CLIENT_TEXTS.protocol(s.host, s.address, why) : CLIENT_TEXTS.lost(s.host, s.address, st, why);
      throw new Broken(st, reply, 'local');
    }
    // 421: the peer is closing the connection; its reply decides everything still open.
    if (r.code === 421) throw new Broken(st, r, 'remote');
    return r;
  };
  const send = (data: string): void => {
    s.wire.write(data);
  };

  const body = p.converted ?? msg.body;
  const mailLine =
    p.converted !== undefined
      ? `MAIL FROM:<${msg.sender}>${mailParams({ ...msg, bodyType: '7BIT' }, s.caps, false, body.length)}\r\n`
      : `MAIL FROM:<${msg.sender}>${mailParams(msg, s.caps, p.eightBit)}\r\n`;
  const rcptLines = recipients.map((r) => `RCPT TO:<${r.address}>${rcptParams(r, s.caps)}\r\n`);
  try {
    let dataReply: PeerReply | undefined;
    const accepted: number[] = [];
    if (s.caps.pipelining) {
      send((p.rsetFirst === true ? 'RSET\r\n' : '') + mailLine + rcptLines.join('') + 'DATA\r\n');
      if (p.rsetFirst === true) {
        let ok = false;
        try {
          ok = (await s.wire.reply(timeouts.rset)).code === 250;
        } catch {
          // a connection the peer has closed meanwhile: the caller opens a new one
        }
        if (!ok) {
          s.wire.destroy();
          return { outcomes: [], usable: false, dataSent: false, stale: true };
        }
      }
      const mail = await read('mail', timeouts.mail);
      for (let i = 0; i < recipients.length; i++) {
        const r = await read('rcpt', timeouts.rcpt);
        if (mail.code !== 250) continue;
        if (r.code >= 200 && r.code < 300) accepted.push(i);
        else decide(i, r, 'rcpt');
      }
      dataReply = await read('data', timeouts.datainit);
      if (mail.code !== 250 || accepted.length === 0) {
        if (mail.code !== 250) decideOpen(mail, 'mail', 'remote');
        // A peer that says 354 with no recipient is wrong (RFC 2920 §3.1), but the dot ends it cleanly.
        if (dataReply.code === 354) {
          send('.\r\n');
          await read('datafinal', timeouts.datafinal);
        }
        return { outcomes: outcomes as RecipientOutcome[], usable, dataSent };
      }
    } else {
      send(mailLine);
      const mail = await read('mail', timeouts.mail);
      if (mail.code !== 250) {
        decideOpen(mail, 'mail', 'remote');
        return { outcomes: outcomes as RecipientOutcome[], usable, dataSent };
      }
      for (let i = 0; i < recipients.length; i++) {
        send(rcptLines[i]!);
        const r = await read('rcpt', timeouts.rcpt);
        if (r.code >= 200 && r.code < 300) accepted.push(i);
        else decide(i, r, 'rcpt');
      }
      if (accepted.length === 0) {
        send('RSET\r\n');
        await read('rcpt', timeouts.rset);
        return { outcomes: outcomes as RecipientOutcome[], usable, dataSent };
      }
      send('DATA\r\n');
      dataReply = await read('data', timeouts.datainit);
    }
    if (dataReply.code !== 354) {
      decideOpen(dataReply, 'data', 'remote');
      return { outcomes: outcomes as RecipientOutcome[], usable, dataSent };
    }
    // Written in batches of up to 64 KiB (one system call each), waiting for the peer to take them.
    // Pieces of at most 64 KiB, so that Timeout.datablock bounds each wait, not the whole transfer.
    const parts = dataPayload(body).flatMap((b) => (b.length <= BATCH ? [b] : Array.from({ length: Math.ceil(b.length / BATCH) }, (_, k) => b.subarray(k * BATCH, (k + 1) * BATCH))));
    for (let at = 0; at < parts.length; ) {
      const batch: Buffer[] = [];
      let bytes = 0;
      while (at < parts.length && (batch.length === 0 || bytes + parts[at]!.length <= BATCH)) {
        bytes += parts[at]!.length;
        batch.push(parts[at++]!);
      }
      if (!s.wire.writeAll(batch)) {
        try {
          await s.wire.drain(timeouts.datablock);
        } catch (err) {
          throw new Broken('data', CLIENT_TEXTS.lost(s.host, s.address, 'data', err instanceof Error ? err.message : String(err)), 'local');
        }
      }
    }
    dataSent = true;
    const final = await read('datafinal', timeouts.datafinal);
    s.transactions++;
    for (const i of accepted) {
      decide(i, final, 'datafinal');
      // RFC 3461 §4.1: past a peer without DSN, success can only be reported as "relayed".
      if (final.code === 250 && !s.caps.dsn) outcomes[i] = { ...outcomes[i]!, relayed: true };
    }
    return { outcomes: outcomes as RecipientOutcome[], usable, dataSent };
  } catch (err) {
    if (!(err instanceof Broken)) throw err;
    usable = false;
    s.wire.destroy();
    decideOpen(err.reply, err.stage, err.source);
    return { outcomes: outcomes as RecipientOutcome[], usable, dataSent: dataSent || err.stage === 'datafinal' };
  }
}
