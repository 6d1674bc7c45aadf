// What the SMTP engine needs to know, in the units it uses. Built once from the effective configuration
// (src/smtp/settings-from-config.ts) and swapped as a whole on SIGHUP, so a session never sees half a
// reload and the hot path never looks options up by name.

export interface PrivacyFlags {
  needmailhelo: boolean;
  needexpnhelo: boolean;
  needvrfyhelo: boolean;
  noexpn: boolean;
  novrfy: boolean;
  noverb: boolean;
  noetrn: boolean;
  authwarnings: boolean;
  noreceipts: boolean;
  nobodyreturn: boolean;
  noactualrecipient: boolean;
  restrictmailq: boolean;
  restrictqrun: boolean;
  restrictexpand: boolean;
}

export interface ListenerSettings {
  name: string;
  addr: string;
  port: number;
  family: 'inet' | 'inet6';
  backlog: number;
  /** DaemonPortOptions modifier letters (a, A, E, S, s, u, f, O ...). */
  modifiers: string;
}

export interface SmtpSettings {
  /** $j */
  hostname: string;
  /** single-character and long macros available at connection time ($v, $Z, $w, $m, $n, ...). */
  macros: Readonly<Record<string, string>>;
  greeting: string;
  privacy: PrivacyFlags;
  maxMessageSize: number;
  maxRecipients: number;
  maxHeadersLength: number;
  maxHopCount: number;
  maxCommandLength: number;
  maxNoopCommands: number;
  minFreeBlocks: number;
  badRcptThrottle: number;
  rejectNul: boolean;
  strictCRLF: boolean;
  strictPipelining: boolean;
  /** EightBitMode: 's' rejects 8-bit data without BODY=8BITMIME. */
  eightBitMode: 'm' | 'p' | 's';
  smtputf8: boolean;
  sendMimeErrors: boolean;
  allowBogusHelo: boolean;
  timeouts: { command: number; datablock: number; starttls: number; auth: number };
  penaltyBase: number;
  maxPenaltyDelay: number;
  maxDaemonChildren: number;
  maxConnectionsPerClient: number;
  /** sendmail ConnectionRateThrottle: at most this many accepted connections per second (0 = off). */
  connectionRateThrottle: number;
  listeners: ListenerSettings[];
  auth: AuthSettings;
}

/** AUTH (smtp-session.md §10.2, docs/auth.md). Mechanisms are offered only when a password file is loaded. */
export interface AuthSettings {
  /** AuthMechanisms ∩ the mechanisms this server implements, in the configured order */
  mechanisms: readonly string[];
  /** AuthOptions `p`: PLAIN and LOGIN only while TLS is active */
  requireTls: boolean;
  /** class TrustAuthMech; undefined = every offered mechanism is trusted for relaying [Postern] */
  trusted: ReadonlySet<string> | undefined;
  /** failed AUTH attempts per client address within `failureWindow` ms before AUTH is refused (0 = no limit) */
  maxFailures: number;
  failureWindow: number;
}
