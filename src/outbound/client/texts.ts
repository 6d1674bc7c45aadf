// Every outcome the client decides itself (no peer reply to quote): connection failures, TLS policy, and
// the checks before MAIL (SIZE, SMTPUTF8, 8-bit to a 7-bit peer). One table, like src/smtp/replies.ts for
// the server; the mapping of peer replies to outcomes is in outcome.ts.

import type { OutcomeReply } from './types.js';

function r(code: number, enh: string, text: string): OutcomeReply {
  return { code, enh, text };
}

export const CLIENT_TEXTS = {
  noHosts: (): OutcomeReply => r(451, '4.4.3', 'No host to deliver to'),
  connectFailed: (host: string, addr: string, why: string): OutcomeReply => r(451, '4.4.1', `Cannot connect to ${host} [${addr}]: ${why}`),
  lost: (host: string, addr: string, stage: string, why: string): OutcomeReply =>
    r(451, '4.4.2', `Connection to ${host} [${addr}] lost during ${stage}: ${why}`),
  protocol: (host: string, addr: string, why: string): OutcomeReply => r(451, '4.5.0', `Protocol error from ${host} [${addr}]: ${why}`),
  tlsNotOffered: (host: string): OutcomeReply => r(451, '4.7.10', `TLS is required for ${host} but it does not offer STARTTLS`),
  tlsRefused: (host: string, reply: string): OutcomeReply => r(451, '4.7.10', `TLS is required for ${host} but STARTTLS was refused: ${reply}`),
  tlsNotVerified: (host: string, why: string): OutcomeReply => r(451, '4.7.5', `TLS certificate of ${host} not verified: ${why}`),
  tlsFailed: (host: string, why: string): OutcomeReply => r(451, '4.7.5', `TLS with ${host} failed: ${why}`),
  tooBig: (host: string, size: number, max: number): OutcomeReply =>
    r(552, '5.3.4', `Message is too large for ${host} (${size} bytes, ${max} bytes max)`),
  needsSmtputf8: (host: string): OutcomeReply => r(553, '5.6.7', `SMTPUTF8 is required, but ${host} does not offer it`),
  eightBitTo7Bit: (host: string): OutcomeReply => r(554, '5.6.3', `Cannot send 8-bit data to 7-bit destination ${host}`),
  badAddress: (what: string): OutcomeReply => r(553, '5.1.3', `Address not sendable over SMTP: ${what}`),
} as const;
