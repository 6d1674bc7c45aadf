// The one table of every reply the SMTP server sends (smtp-session.md §1 rule 7). Code elsewhere names a
// reply by its key and fills its placeholders; nobody types "550 5.7.1" twice. Tests render expected
// replies from this same table.
//
// Placeholders in `text` are written {name}: {j} server FQDN, {client} the $_ client identity, {addr}
// an address as typed, and reply-specific ones. `addr: true` marks replies about one address: they get
// the `<addr>... ` prefix when their code is 250, 252, 450, 550 or 553 (rule 3).

export interface ReplyDef {
  readonly code: number;
  /** Enhanced status code, or null for the replies that never carry one (rule 1). */
  readonly enh: string | null;
  readonly text: string;
  /** A reply about one address (MAIL, RCPT, VRFY, EXPN): subject to the prefix rule. */
  readonly addr?: boolean;
  readonly spec: string;
}

function def(code: number, enh: string | null, text: string, spec: string, addr = false): ReplyDef {
  return addr ? { code, enh, text, spec, addr } : { code, enh, text, spec };
}

export const REPLIES = {
  // §2 connection and greeting
  tooManyConnections: def(421, '4.3.2', '{j} Too many concurrent connections; try again later', 'smtp-session.md §2.1'),
  notAccepting: def(554, null, '{j} ESMTP not accepting messages', 'smtp-session.md §2.2'),
  commandRejected: def(550, '5.0.0', 'Command rejected', 'smtp-session.md §2.1, §4'),
  tooManyOpen: def(421, '4.3.2', 'Too many open connections.', 'relay-and-access.md §5 [Postern]'),
  connectionRate: def(421, '4.3.2', 'Connection rate limit exceeded.', 'relay-and-access.md §5'),
  shuttingDown: def(421, '4.3.2', '{j} Shutting down; try again later', '[Postern] SIGTERM'),

  // §3 reading commands
  bareLF: def(421, '4.5.0', 'Bare linefeed (LF) not allowed', 'smtp-session.md §3.1'),
  bareCR: def(421, '4.5.0', 'Bare carriage return (CR) not allowed', 'smtp-session.md §3.1'),
  commandTooLong: def(421, '4.7.0', '{j} Command too long, possible attack {client}', 'smtp-session.md §3.2'),
  unrecognized: def(500, '5.5.1', 'Command unrecognized: "{line}"', 'smtp-session.md §3.3'),
  notImplemented: def(502, '5.5.1', 'Command not implemented: "{line}"', 'smtp-session.md §3.3'),
  openProxy: def(421, '4.7.0', '{j} Rejecting open proxy {client}', 'smtp-session.md §3.3'),
  tooManyBad: def(421, '4.7.0', '{j} Too many bad commands; closing connection', 'smtp-session.md §3.4'),
  timeout: def(421, '4.4.2', '{j} Timeout waiting for input; closing connection', 'smtp-session.md §3.5'),
  lostInput: def(421, '4.4.1', '{j} Lost input channel from {client}', 'smtp-session.md §3.5 (logged)'),
  protocolError: def(554, '5.5.0', 'SMTP protocol error', 'smtp-session.md §3.6'),

  // §5 HELO/EHLO
  heloNeedsDomain: def(501, '5.0.0', '{verb} requires domain address', 'smtp-session.md §5'),
  heloInvalid: def(501, '5.0.0', 'Invalid domain name', 'smtp-session.md §5'),
  heloOk: def(250, null, '{j} Hello {client}, pleased to meet you', 'smtp-session.md §5'),
  heloBogusOk: def(250, null, '{j} Hello {client}, accepting invalid domain name', 'smtp-session.md §5'),

  // §6 MAIL
  politeHelo: def(503, '5.0.0', 'Polite people say HELO first', 'smtp-session.md §6'),
  senderAlready: def(503, '5.5.0', 'Sender already specified', 'smtp-session.md §6'),
  authRequired: def(530, '5.7.0', 'Authentication required', 'smtp-session.md §6'),
  syntaxScanning: def(501, '5.5.2', 'Syntax error in parameters scanning "{word}"', 'smtp-session.md §6, §7'),
  sizeExceedsFixed: def(552, '5.2.3', 'Message size exceeds fixed maximum message size ({max})', 'smtp-session.md §6'),
  insufficientDisk: def(452, '4.4.5', 'Insufficient disk space; try again later', 'smtp-session.md §6'),
  senderOk: def(250, '2.1.0', 'Sender ok', 'smtp-session.md §6', true),
  tooManyParams: def(501, '5.5.4', 'Too many parameters', 'smtp-session.md §3.2'),
  paramNeedsValue: def(501, '5.5.2', '{param} requires a value', 'smtp-session.md §6.2'),
  authParamNeedsValue: def(501, '5.5.2', 'AUTH= requires a value', 'smtp-session.md §6.2'),
  sizeOverflow: def(552, '5.2.3', 'Message size exceeds maximum value', 'smtp-session.md §6.2'),
  sizeInvalid: def(552, '5.2.3', 'Message size invalid', 'smtp-session.md §6.2'),
  unknownBody: def(501, '5.5.4', 'Unknown BODY type {value}', 'smtp-session.md §6.2'),
  dsnNotAllowed: def(504, '5.7.0', 'Sorry, {param} not supported, we do not allow DSN', 'smtp-session.md §6.2, §7.2'),
  duplicateParam: def(501, '5.5.0', 'Duplicate {param} parameter', 'smtp-session.md §6.2, §7.2'),
  badRet: def(501, '5.5.2', 'Bad argument "{value}" to RET', 'smtp-session.md §6.2'),
  badParamValue: def(501, '5.5.4', 'Syntax error in {param} parameter value', 'smtp-session.md §6.2, §7.2'),
  smtputf8NoValue: def(501, '5.5.4', 'SMTPUTF8 does not take a value', 'smtp-session.md §6.2'),
  paramUnrecognized: def(555, '5.5.4', '{keyword} parameter unrecognized', 'smtp-session.md §6.2, §7.2'),
  badNotify: def(501, '5.5.4', 'Bad argument "{word}"  to NOTIFY', 'smtp-session.md §7.2'),

  // §7 RCPT
  needMail: def(503, '5.0.0', 'Need MAIL before RCPT', 'smtp-session.md §7'),
  tooManyRecipients: def(452, '4.5.3', 'Too many recipients', 'smtp-session.md §7'),
  userAddressRequired: def(553, '5.0.0', 'User address required', 'smtp-session.md §7 step 4', true),
  mailToProgram: def(550, '5.7.1', 'Cannot mail directly to programs', 'smtp-session.md §7 step 5', true),
  mailToFile: def(550, '5.7.1', 'Cannot mail directly to files', 'smtp-session.md §7 step 5', true),
  mailToInclude: def(550, '5.7.1', 'Cannot mail directly to :include:s', 'smtp-session.md §7 step 5', true),
  userUnknown: def(550, '5.1.1', 'User unknown', 'smtp-session.md §7 step 8', true),
  recipientOk: def(250, '2.1.5', 'Recipient ok', 'smtp-session.md §7', true),
  recipientOkQueue: def(250, '2.1.5', 'Recipient ok (will queue)', 'smtp-session.md §7', true),
  relayingDenied: def(550, '5.7.1', 'Relaying denied', 'relay-and-access.md §7.3', true),
  relayingDeniedAuth: def(550, '5.7.1', 'Relaying denied. Proper authentication required.', 'relay-and-access.md §7.3', true),
  relayTempPtr: def(450, '4.4.0', 'Relaying temporarily denied. Cannot resolve PTR record for {ip}', 'relay-and-access.md §7.3 step 6', true),
  relayForged: def(550, '5.7.1', 'Relaying denied. IP name possibly forged {name}', 'relay-and-access.md §7.3 step 6', true),
  relayLookupFailed: def(550, '5.7.1', 'Relaying denied. IP name lookup failed {name}', 'relay-and-access.md §7.3 step 6', true),
  mailboxDisabled: def(550, '5.2.1', 'Mailbox disabled for this recipient', 'relay-and-access.md §7.1', true),
  bogusHelo: def(550, '5.7.1', 'bogus HELO name used: {helo}', 'relay-and-access.md §10 block_bad_helo', true),
  userMoved: def(551, '5.1.1', 'User has moved; please try <{to}>', 'relay-and-access.md §10 redirect'),

  // relay-and-access.md §2, §5, §6: access map and sender checks
  accessDenied: def(550, '5.7.1', 'Access denied', 'relay-and-access.md §2.2', true),
  tempSystemFailure: def(451, '4.3.0', 'Temporary system failure. Please try again later.', 'relay-and-access.md §2.2'),
  realDomainRequired: def(553, '5.5.4', 'Real domain name required for sender address', 'relay-and-access.md §6 step 2', true),
  domainNameRequired: def(553, '5.5.4', 'Domain name required for sender address {bare}', 'relay-and-access.md §6 step 5', true),
  senderDomainTemp: def(451, '4.1.8', 'Domain of sender address {bare} does not resolve', 'relay-and-access.md §6 step 5'),
  senderDomainPerm: def(553, '5.1.8', 'Domain of sender address {bare} does not exist', 'relay-and-access.md §6 step 5', true),
  connectionRateTemp: def(452, '4.3.2', 'Connection rate limit exceeded.', 'relay-and-access.md §5 step 5'),
  tooManyOpenTemp: def(452, '4.3.2', 'Too many open connections.', 'relay-and-access.md §5 step 5'),

  // relay-and-access.md §5 step 4, §7.2 step 4, §8: the DNS-based checks. The 550s are marked as
  // address replies: with delay_checks they answer a RCPT and get its prefix (§9); at connection
  // time the caller passes no address.
  dnsblListed: def(550, '5.7.1', 'Rejected: {ip} listed at {zone}', 'relay-and-access.md §8.1', true),
  dnsblTempfail: def(451, '4.4.3', 'Temporary lookup failure of {ip} at {zone}', 'relay-and-access.md §8.1'),
  rdnsFail: def(550, '5.7.1', 'Fix reverse DNS for {ip}', 'relay-and-access.md §5 step 4', true),
  rdnsTemp: def(451, '4.1.8', 'Client IP address {ip} does not resolve', 'relay-and-access.md §5 step 4'),
  rdnsForged: def(451, '4.1.8', 'Possibly forged hostname for {ip}', 'relay-and-access.md §5 step 4'),
  mxCheckTemp: def(450, '4.4.0', 'Can not check MX records for recipient host {domain}', 'relay-and-access.md §7.2 step 4', true),

  // §8 DATA
  needMailCommand: def(503, '5.0.0', 'Need MAIL command', 'smtp-session.md §8.1'),
  needRcpt: def(503, '5.0.0', 'Need RCPT (recipient)', 'smtp-session.md §8.1'),
  startData: def(354, null, 'End data with <CR><LF>.<CR><LF>', 'smtp-session.md §8.1'),
  messageTooBig: def(552, '5.2.3', 'Message exceeds maximum fixed size ({max})', 'smtp-session.md §8.3'),
  headersTooLarge: def(552, '5.6.0', 'Headers too large ({max} max)', 'smtp-session.md §8.3'),
  nulByte: def(554, '5.6.1', 'NUL byte not allowed', 'smtp-session.md §8.3'),
  eightBitNotAllowed: def(554, '5.6.1', 'Eight bit data not allowed', 'smtp-session.md §8.3'),
  tooManyHops: def(554, '5.4.6', 'Too many hops {count} ({max} max): from {sender} via {client}, to {rcpt}', 'smtp-session.md §8.3'),
  queueWriteError: def(451, '4.3.0', 'Error writing queue file; message not accepted', 'smtp-session.md §8.3'),
  queueDiskFull: def(452, '4.3.1', 'Insufficient system storage; message not accepted', '[Postern] issue: disk full'),
  accepted: def(250, '2.0.0', '{qid} Message accepted for delivery', 'smtp-session.md §8.3'),
  bdatNotSupported: def(503, '5.5.1', 'BDAT not supported; closing connection', 'smtp-session.md §8.6'),

  // §9 address syntax
  unbalanced: def(553, '5.0.0', "Unbalanced '{char}'", 'smtp-session.md §9', true),
  addressTooLong: def(553, '5.1.0', 'Address "{short}" too long (256 bytes max)', 'smtp-session.md §3.2', true),
  localPartTooLong: def(553, '5.1.3', 'Local part too long', 'smtp-session.md §3.2', true),
  userAddressRequired9: def(553, '5.1.3', 'User address required', 'smtp-session.md §9', true),
  hostnameRequired: def(553, '5.1.3', 'Hostname required', 'smtp-session.md §9', true),
  invalidRoute: def(553, '5.1.3', 'Invalid route address', 'smtp-session.md §9', true),
  invalidHost: def(553, '5.1.2', 'Invalid host name', 'smtp-session.md §9', true),
  invalidAddress: def(553, '5.1.2', 'Invalid address', 'smtp-session.md §9', true),
  colonInHost: def(553, '5.1.3', 'Colon illegal in host name part', 'smtp-session.md §9', true),
  listSyntax: def(553, '5.1.3', 'List:; syntax illegal for recipient addresses', 'smtp-session.md §9', true),
  eightBitSender: def(501, '5.1.7', '8-bit character in mailbox address "{value}"', 'smtp-session.md §9'),
  eightBitRecipient: def(501, '5.1.3', '8-bit character in mailbox address "{value}"', 'smtp-session.md §9'),
  needSmtputf8: def(553, '5.6.7', 'Non-ASCII address requires SMTPUTF8', 'smtp-session.md §9', true),

  // §10 STARTTLS / AUTH
  tlsNoParams: def(501, '5.5.2', 'Syntax error (no parameters allowed)', 'smtp-session.md §10.1'),
  tlsOff: def(503, '5.5.0', 'TLS not available', 'smtp-session.md §10.1'),
  tlsUnavailable: def(454, '4.3.3', 'TLS not available after start', 'smtp-session.md §10.1'),
  tlsInTransaction: def(503, '5.5.0', 'TLS not permitted during a mail transaction', 'smtp-session.md §10.1'),
  tlsReady: def(220, '2.0.0', 'Ready to start TLS', 'smtp-session.md §10.1'),
  authAlready: def(503, '5.5.0', 'Already Authenticated', 'smtp-session.md §10.2'),
  authInTransaction: def(503, '5.5.0', 'AUTH not permitted during a mail transaction', 'smtp-session.md §10.2'),
  authNoMechanism: def(501, '5.5.2', 'AUTH mechanism must be specified', 'smtp-session.md §10.2'),
  authMechanismUnavailable: def(504, '5.3.3', 'AUTH mechanism {name} not available', 'smtp-session.md §10.2'),
  authBadBase64: def(501, '5.5.4', "cannot BASE64 decode '{text}'", 'smtp-session.md §10.2'),
  authBadContinuation: def(501, '5.5.4', 'cannot decode AUTH parameter {text}', 'smtp-session.md §10.2'),
  authAborted: def(501, '5.0.0', 'AUTH aborted', 'smtp-session.md §10.2'),
  authFailed: def(535, '5.7.0', 'authentication failed', 'smtp-session.md §10.2'),
  authOk: def(235, '2.0.0', 'OK Authenticated', 'smtp-session.md §10.2'),
  // AUTH exchange and the per-client failure limit (docs/auth.md)
  authChallenge: def(334, null, '{text}', 'smtp-session.md §10.2 (334, no enhanced code, rule 1)'),
  authTempFailure: def(454, '4.7.0', 'Temporary authentication failure', 'RFC 4954 §6 [Postern] AuthMaxFailures'),

  // §13 other commands
  resetState: def(250, '2.0.0', 'Reset state', 'smtp-session.md §13'),
  ok: def(250, '2.0.0', 'OK', 'smtp-session.md §13'),
  closing: def(221, '2.0.0', '{j} closing connection', 'smtp-session.md §13'),
  cannotVrfy: def(252, '2.5.2', 'Cannot VRFY user; try RCPT to attempt delivery (or try finger)', 'smtp-session.md §13'),
  introduceYourself: def(503, '5.0.0', 'I demand that you introduce yourself first', 'smtp-session.md §13'),
  argumentRequired: def(501, '5.5.2', 'Argument required', 'smtp-session.md §13'),
  vrfyLocal: def(250, '2.1.5', '{fullname}<{user}@{j}>', 'smtp-session.md §13'),
  vrfyRemote: def(252, '2.1.5', '<{address}>', 'smtp-session.md §13'),
  expnLine: def(250, '2.1.5', '{fullname}<{address}>', 'smtp-session.md §13'),
  nothingToExpn: def(554, '5.5.2', 'Nothing to EXPN', 'smtp-session.md §13'),
  notAllowed: def(502, '5.7.0', 'Sorry, we do not allow this operation', 'smtp-session.md §13'),
  verboseUnavailable: def(502, '5.7.0', 'Verbose unavailable', 'smtp-session.md §13'),
  verboseMode: def(250, '2.0.0', 'Verbose mode', 'smtp-session.md §13'),
  etrnNeedsParameter: def(500, '5.5.2', 'Parameter required', 'smtp-session.md §13'),
  etrnStarted: def(250, '2.0.0', 'Queuing for node {node} started', 'smtp-session.md §13'),
  etrnGroupStarted: def(250, '2.0.0', 'Queuing for queue group {group} started', 'smtp-session.md §13'),
  etrnGroupUnknown: def(459, '4.5.4', 'Queue {group} unknown', 'smtp-session.md §13'),
  helpLine: def(214, '2.0.0', '{text}', 'smtp-session.md §13'),
  helpEnd: def(214, '2.0.0', 'End of HELP info', 'smtp-session.md §13'),
  helpUnknown: def(504, '5.3.0', 'HELP topic "{topic}" unknown', 'smtp-session.md §13'),
} as const satisfies Record<string, ReplyDef>;

export type ReplyKey = keyof typeof REPLIES;
export type Vars = Readonly<Record<string, string | number>>;

const PREFIXED_CODES = new Set([250, 252, 450, 550, 553]);

/** One reply, ready for the wire (lines without CRLF; usually one). */
export interface Reply {
  readonly code: number;
  readonly lines: readonly string[];
}

function fill(text: string, vars: Vars | undefined): string {
  if (vars === undefined || !text.includes('{')) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const v = vars[name];
    return v === undefined ? whole : String(v);
  });
}

/** Rule 6: a line on the wire is at most 512 octets including CRLF. */
function capLine(line: string): string {
  return Buffer.byteLength(line) <= 510 ? line : Buffer.from(line).subarray(0, 510).toString('latin1');
}

/**
 * The text of a reply without the code: "<enh> <prefix><text>". The address prefix is added only for
 * address replies whose code is in the prefix set, and only when `addr` is given (rule 3 exceptions
 * pass no address).
 */
export function replyText(d: ReplyDef, vars?: Vars, addr?: string): string {
  const body = fill(d.text, vars);
  const prefix = d.addr === true && addr !== undefined && PREFIXED_CODES.has(d.code) ? `${addr}... ` : '';
  return d.enh === null ? `${prefix}${body}` : `${d.enh} ${prefix}${body}`;
}

/** Renders one single-line reply, e.g. `550 5.1.1 <bob@x>... User unknown`. */
export function render(d: ReplyDef, vars?: Vars, addr?: string): string {
  return capLine(`${d.code} ${replyText(d, vars, addr)}`);
}

export function reply(d: ReplyDef, vars?: Vars, addr?: string): Reply {
  return { code: d.code, lines: [render(d, vars, addr)] };
}

/** A multi-line reply: `code-` on every line but the last. `texts` are the parts after the code. */
export function multiline(code: number, texts: readonly string[]): Reply {
  const last = texts.length - 1;
  return { code, lines: texts.map((t, i) => capLine(`${code}${i === last ? ' ' : '-'}${t}`)) };
}

/**
 * A reply built from a configured text that may lack an enhanced code (access map `ERROR:550 go away`,
 * alias `error:` values): rule 2 inserts the class default x.0.0 matching the first digit.
 */
export function configuredReply(code: number, enh: string | undefined, text: string, addr?: string): Reply {
  const e = enh ?? `${String(code).charAt(0)}.0.0`;
  const prefix = addr !== undefined && PREFIXED_CODES.has(code) ? `${addr}... ` : '';
  return { code, lines: [capLine(`${code} ${e} ${prefix}${text}`)] };
}

/** A reply decided by policy: code, enhanced code and text, rendered later with or without an address. */
export interface PolicyReply {
  readonly code: number;
  readonly enh: string;
  readonly text: string;
  /** An access-map ERROR with code 421 closes the session after the reply. */
  readonly close?: boolean;
}

export function policyReply(d: ReplyDef, vars?: Vars): PolicyReply {
  return { code: d.code, enh: d.enh ?? `${String(d.code).charAt(0)}.0.0`, text: fill(d.text, vars) };
}

/** A configured text such as confREJECT_MSG `550 Access denied`: its code and text, with `enh` added. */
export function configuredText(message: string, enh: string): PolicyReply {
  const m = /^([245]\d\d)\s+(.*)$/s.exec(message.trim());
  return m === null ? { code: 550, enh, text: message.trim() } : { code: Number(m[1]), enh, text: m[2]! };
}

/** Renders a policy reply; `addr` gets the prefix by the rule of §1 (only 250, 252, 450, 550, 553). */
export function renderPolicy(r: PolicyReply, addr?: string): Reply {
  return configuredReply(r.code, r.enh, r.text, addr);
}

/** Serialises a reply for the socket. */
export function wire(r: Reply): string {
  return r.lines.length === 1 ? `${r.lines[0]}\r\n` : `${r.lines.join('\r\n')}\r\n`;
}
