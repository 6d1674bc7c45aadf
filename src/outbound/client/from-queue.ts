// The OutboundMessage of a queued message: the envelope's fields the client passes on (BODY, SMTPUTF8,
// RET, ENVID, the 8-bit flag) and the recipients routing sends to one next hop.

import type { Envelope } from '../../queue/envelope.js';
import type { OutboundMessage, OutboundRecipient } from './types.js';

/** `body` is the queued data (CR LF line ends), `recipients` those of this delivery with their DSN parameters. */
export function outboundMessage(env: Envelope, recipients: OutboundRecipient[], body: Buffer): OutboundMessage {
  return {
    qid: env.id,
    sender: env.sender,
    recipients,
    body,
    size: body.length,
    eightBit: env.eightBit,
    smtputf8: env.smtputf8 === true,
    ...(env.bodyType !== undefined ? { bodyType: env.bodyType } : {}),
    ...(env.ret !== undefined ? { ret: env.ret } : {}),
    ...(env.envid !== undefined ? { envid: env.envid } : {}),
  };
}
