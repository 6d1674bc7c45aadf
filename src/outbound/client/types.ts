// The public shapes of the SMTP client (queue-and-bounces.md §7): what the runner hands over (next hops and
// one message with its recipients) and what it gets back (one outcome per recipient, the TLS facts and the
// host that took the mail). Plain data: routing decides the hops, the runner records and DSNs the outcomes.

import type { SecureContext } from 'node:tls';
import type { ConnectionPool } from '../pool/pool.js';
import type { Session } from './session.js';

/** One host to try, with its addresses in the order to try them (routing resolved them). */
export interface NextHop {
  /** the host name (MX name, smart host) or an address literal; shown in logs and DSNs */
  host: string;
  /** IPv4 and IPv6 addresses, tried in this order */
  addresses: string[];
  port: number;
  /**
   * `opportunistic`: STARTTLS when offered, unverified is fine, a failed handshake retried once in clear
   * (TLSFallbacktoClear); `verify`: TLS required and the certificate must validate for `mxName ?? host`,
   * else a temporary failure; `none`: never STARTTLS.
   */
  tls: 'opportunistic' | 'verify' | 'none';
  /** the name the certificate must match (defaults to `host`) */
  mxName?: string;
}

export interface OutboundRecipient {
  address: string;
  /** NOTIFY words (SUCCESS, FAILURE, DELAY or NEVER) as received; passed on when the peer offers DSN */
  notify?: string[];
  /** ORCPT as received ("rfc822;xtext"), passed on verbatim when the peer offers DSN */
  orcpt?: string;
}

export interface OutboundMessage {
  qid: string;
  /** envelope sender without brackets; '' = null sender */
  sender: string;
  recipients: OutboundRecipient[];
  /** the message as queued: lines end in CR LF (a bare LF is sent as CR LF), not dot-stuffed */
  body: Buffer;
  /** octets of `body` (the SIZE= value) */
  size: number;
  bodyType?: '7BIT' | '8BITMIME';
  /** the body holds octets > 0x7f (the envelope's eightBit); scanned from `body` when absent */
  eightBit?: boolean;
  /** received with SMTPUTF8 */
  smtputf8: boolean;
  ret?: 'FULL' | 'HDRS';
  /** ENVID, decoded (xtext-encoded again on the wire) */
  envid?: string;
}

/** The SMTP command (or phase) whose reply decided an outcome. */
export type Stage = 'connect' | 'greeting' | 'ehlo' | 'starttls' | 'mail' | 'rcpt' | 'data' | 'datafinal' | 'quit';

export interface OutcomeReply {
  code: number;
  /** the enhanced status code, when the peer (or Postern) gave one */
  enh?: string;
  /** the reply text without code and enhanced code; lines of a multi-line reply joined by a space */
  text: string;
}

export interface RecipientOutcome {
  address: string;
  status: 'sent' | 'temp' | 'perm';
  /** the remote reply, or one of Postern's own (connection failures, SIZE, SMTPUTF8: see texts.ts) */
  reply: OutcomeReply;
  /** `remote`: the peer said it; `local`: Postern decided (no peer reply) — DSNs name the Remote-MTA only for `remote` */
  source: 'remote' | 'local';
  /** the host name and address the outcome came from (absent when no host could be reached at all) */
  host?: string;
  hostAddress?: string;
  stage: Stage;
  /** delivered to a peer that does not offer DSN: a NOTIFY=SUCCESS recipient gets a "relayed" DSN (RFC 3461 §4.1) */
  relayed?: boolean;
}

/** The negotiated TLS of the session that delivered (for logs and the Received-style summary). */
export interface TlsFacts {
  /** e.g. TLSv1.3 */
  version: string;
  /** OpenSSL cipher name, e.g. TLS_AES_256_GCM_SHA384 */
  cipher: string;
  bits: number;
  /** the certificate chain validated and matched the expected name */
  verified: boolean;
  /** why it did not verify (OpenSSL's code or the name mismatch) */
  verifyError?: string;
  /** the peer certificate's subject CN and issuer CN, when it sent one */
  peerCN?: string;
  issuerCN?: string;
}

/** One host address tried during a delivery, for the log. */
export interface HostAttempt {
  host: string;
  address: string;
  port: number;
  /**
   * `session`: a session was opened (the outcomes say what its transactions achieved); `failed`: no
   * session (stage and reply say why); `skipped`: not tried, the host status remembers a failure
   */
  result: 'session' | 'failed' | 'skipped';
  stage?: Stage;
  reply?: OutcomeReply;
  tls?: TlsFacts;
  /** the connection came from the pool (already open) */
  reused?: boolean;
}

export interface DeliveryReport {
  /** one per recipient, in the order of `msg.recipients` */
  outcomes: RecipientOutcome[];
  /** TLS of the last session that ran a transaction, if it used TLS */
  tls?: TlsFacts;
  /** host name and address of the last session that ran a transaction */
  host?: string;
  address?: string;
  /** every address tried, in order */
  tried: HostAttempt[];
}

/** The client timeouts of op.me §4.1.2, in milliseconds; 0 = none (connect: the system's own). */
export interface ClientTimeouts {
  connect: number;
  initial: number;
  helo: number;
  starttls: number;
  mail: number;
  rcpt: number;
  datainit: number;
  datablock: number;
  datafinal: number;
  rset: number;
  quit: number;
}

export interface ClientOptions {
  /** the EHLO/HELO argument (HeloName, default $j) */
  heloName: string;
  timeouts: ClientTimeouts;
  /** SoftBounce: every permanent failure is reported as temporary */
  softBounce: boolean;
  /** EightBitMode: what an 8-bit body does to a peer without 8BITMIME (see docs/outbound.md) */
  eightBitMode: 'pass8' | 'strict' | 'mimefy';
  /** TLSFallbacktoClear: an opportunistic TLS handshake that fails is retried once without TLS */
  tlsFallbackToClear: boolean;
  /** trust anchors and client certificate for STARTTLS (see clientTlsContext); default: the system CAs */
  tlsContext?: SecureContext;
  /** source addresses (ClientPortOptions Addr=): the one of the target's family is used */
  localAddress?: string;
  localAddress6?: string;
  /** reuse connections and limit concurrency; without one, each delivery opens and QUITs its own */
  pool?: ConnectionPool<Session>;
  /** at most this many recipients per transaction (RFC 5321 §4.5.3.1.8 minimum: 100) */
  maxRecipients?: number;
}
