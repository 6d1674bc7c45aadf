// ClientOptions for tests: short timeouts so a stalled peer fails a test in seconds, not hours.

import type { ClientOptions, ClientTimeouts, NextHop, OutboundMessage, OutboundRecipient } from '../../src/outbound/client/index.js';

export function testTimeouts(ms = 3000): ClientTimeouts {
  return { connect: ms, initial: ms, helo: ms, starttls: ms, mail: ms, rcpt: ms, datainit: ms, datablock: ms, datafinal: ms, rset: ms, quit: ms };
}

export function testOptions(extra: Partial<ClientOptions> = {}): ClientOptions {
  return { heloName: 'client.postern.test', timeouts: testTimeouts(), softBounce: false, eightBitMode: 'pass8', tlsFallbackToClear: true, ...extra };
}

export function hop(port: number, extra: Partial<NextHop> = {}): NextHop {
  return { host: 'mx.dest.test', addresses: ['127.0.0.1'], port, tls: 'opportunistic', ...extra };
}

export function message(body: string | Buffer, recipients: Array<string | OutboundRecipient>, extra: Partial<OutboundMessage> = {}): OutboundMessage {
  const b = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return {
    qid: 'TESTQID0001',
    sender: 'ann@src.test',
    recipients: recipients.map((r) => (typeof r === 'string' ? { address: r } : r)),
    body: b,
    size: b.length,
    smtputf8: false,
    ...extra,
  };
}

export const SIMPLE_BODY = 'From: ann@src.test\r\nTo: bob@dest.test\r\nSubject: hello\r\n\r\nHello there.\r\n';
