// The one option table (config-formats.md §5): every option with its sendmail long name, m4 name,
// one-letter name, value kind, hardened Postern default and sendmail's default. The type of the
// effective option values (OptionValues) is derived from this table, so adding a row is all it takes.

import {
  aliasFileKind,
  booleanKind,
  dnsServersKind,
  dontBlameKind,
  durationKind,
  enumKind,
  integerKind,
  listKind,
  listenersKind,
  modeKind,
  privacyKind,
  probeInterfacesKind,
  progMailerKind,
  sizeKind,
  stringKind,
  type JsonValue,
  type Kind,
} from './kinds.js';
import { POSTERN_PRIVACY_DEFAULT } from './privacy.js';
import { fail } from './values.js';

export interface OptionMeta {
  /** m4 name(s) (`confPRIVACY_FLAGS`, `QUEUE_DIR`). */
  m4?: string;
  /** Old one-letter name (cf `O<c>value`, command line `-o<c>value`). */
  letter?: string;
  /** Any caller may set it with -O (cli.md §6). */
  safe?: boolean;
  /** Postern extension option (config-formats.md §5.2). */
  postern?: boolean;
  /** Each configured value adds to a list instead of replacing it (DaemonPortOptions). */
  accumulate?: boolean;
  /** sendmail's binary default as text; `null` = unset; absent = same as Postern's. */
  sd?: string | null;
  /** The default the m4 machinery (cfhead.m4) puts into every generated cf, when it differs from sd. */
  m4d?: string;
}

export interface OptionDef<V> extends OptionMeta {
  readonly kind: Kind<NonNullable<V>>;
  /** Postern's hardened default as text; undefined = unset. */
  readonly def: string | undefined;
  /** False for sendmail options Postern accepts but does not implement (warning when set). */
  readonly implemented: boolean;
  /** An empty configured value unsets it (otherwise an empty value is parsed like any other). */
  readonly unsettable: boolean;
  /** Phantom field carrying the value type. */
  readonly _value?: V;
}

/** An option that always has a value. */
function o<T>(kind: Kind<T>, def: string, meta: OptionMeta = {}): OptionDef<T> {
  return { ...meta, kind: kind as Kind<NonNullable<T>>, def, implemented: true, unsettable: false };
}

/** An option that may be unset (an empty configured value unsets it). */
function u<T>(kind: Kind<T>, meta: OptionMeta & { def?: string } = {}): OptionDef<T | undefined> {
  const { def, ...rest } = meta;
  return { ...rest, kind: kind as Kind<NonNullable<T>>, def, implemented: true, unsettable: true };
}

/** A sendmail option Postern accepts with a warning and otherwise ignores. */
function x(meta: OptionMeta & { def?: string } = {}, kind: Kind<string> = stringKind): OptionDef<string | undefined> {
  const { def, ...rest } = meta;
  return { ...rest, kind, def, implemented: false, unsettable: true };
}

const minutes = durationKind('m');
const seconds = durationKind('s');
const returnTime = durationKind('m', true);
const commaList = listKind(/\s*,\s*/, ',');
const wordList = listKind(/[\s,]+/, ' ');
const colonList = listKind(/:/, ':', 'colon-separated list');

const deliveryModeKind: Kind<'interactive' | 'background' | 'queue'> = {
  label: 'interactive, background or queue',
  parse(raw) {
    const r = enumKind(['interactive', 'background', 'queue', 'deferred'] as const, true).parse(raw);
    if (!r.ok) return r;
    if (r.value === 'deferred') {
      return fail('DeliveryMode=deferred is refused: it would skip the DNS-based relay and sender checks');
    }
    return { ok: true, value: r.value };
  },
  format: (v) => v,
  toJson: (v) => v,
};

const errorModeKind: Kind<'print' | 'mail' | 'quiet' | 'write' | 'berknet'> = {
  label: 'print, mail, quiet, write or berknet (p, m, q, w, e)',
  parse(raw) {
    const v = raw.trim().toLowerCase();
    const byLetter: Record<string, 'print' | 'mail' | 'quiet' | 'write' | 'berknet'> = {
      p: 'print',
      m: 'mail',
      q: 'quiet',
      w: 'write',
      e: 'berknet',
    };
    const full = (['print', 'mail', 'quiet', 'write', 'berknet'] as const).find((w) => w === v);
    const value = full ?? byLetter[v[0] ?? ''];
    return value === undefined ? fail(`invalid value "${raw.trim()}"`) : { ok: true, value };
  },
  format: (v) => v,
  toJson: (v) => v,
};

const unimplementedBoolean: Kind<string> = {
  label: 'boolean',
  parse(raw) {
    const r = booleanKind.parse(raw);
    return r.ok ? { ok: true, value: r.value ? 'True' : 'False' } : r;
  },
  format: (v) => v,
  toJson: (v) => v,
};

export const OPTION_TABLE = {
  // --- config-formats.md §5.1 ---
  SmtpGreetingMessage: o(stringKind, '$j Postern; $b', {
    m4: 'confSMTP_LOGIN_MSG',
    sd: '$j Sendmail $v ready at $b',
    m4d: '$j Sendmail $v/$Z; $b',
  }),
  PrivacyOptions: o(privacyKind, POSTERN_PRIVACY_DEFAULT, {
    m4: 'confPRIVACY_FLAGS',
    letter: 'p',
    safe: true,
    sd: 'public',
    m4d: 'authwarnings',
  }),
  SafeFileEnvironment: u(stringKind, { m4: 'confSAFE_FILE_ENV', def: '/', sd: null }),
  TempFileMode: o(modeKind, '0600', { m4: 'confTEMP_FILE_MODE', letter: 'F' }),
  QueueFileMode: o(modeKind, '0600', { m4: 'confQUEUE_FILE_MODE' }),
  TrustedUser: u(stringKind, { m4: 'confTRUSTED_USER' }),
  PostmasterCopy: u(commaList, { m4: 'confCOPY_ERRORS_TO', letter: 'P' }),
  DoubleBounceAddress: o(stringKind, 'postmaster', { m4: 'confDOUBLE_BOUNCE_ADDRESS' }),
  DeadLetterDrop: u(stringKind, { m4: 'confDEAD_LETTER_DROP' }),
  QueueDirectory: o(stringKind, '/var/spool/postern', { m4: 'QUEUE_DIR', letter: 'Q', sd: '/var/spool/mqueue' }),
  AliasFile: o(aliasFileKind, '/etc/mail/aliases', { m4: 'ALIAS_FILE', letter: 'A' }),
  AliasWait: o(minutes, '10m', { m4: 'confALIAS_WAIT', letter: 'a' }),
  CheckAliases: o(booleanKind, 'False', { m4: 'confCHECK_ALIASES', letter: 'n' }),
  MaxAliasRecursion: o(integerKind(1), '10', { m4: 'confMAX_ALIAS_RECURSION' }),
  ForwardPath: o(colonList, '$z/.forward', {
    m4: 'confFORWARD_PATH',
    letter: 'J',
    m4d: '$z/.forward.$w:$z/.forward',
  }),
  MeToo: o(booleanKind, 'True', { m4: 'confME_TOO', letter: 'm', safe: true }),
  DefaultUser: o(stringKind, 'nobody', { m4: 'confDEF_USER_ID', letter: 'u', sd: '1:1' }),
  DontBlameSendmail: o(dontBlameKind, 'Safe', { m4: 'confDONT_BLAME_SENDMAIL' }),
  UnsafeGroupWrites: o(booleanKind, 'True', { m4: 'confUNSAFE_GROUP_WRITES' }),
  MaxMessageSize: o(sizeKind, '26214400', { m4: 'confMAX_MESSAGE_SIZE', sd: '0' }),
  MaxRecipientsPerMessage: o(integerKind(), '1000', { m4: 'confMAX_RCPTS_PER_MESSAGE', sd: '0' }),
  MaxHeadersLength: o(sizeKind, '32768', { m4: 'confMAX_HEADERS_LENGTH' }),
  MaxHopCount: o(integerKind(1), '25', { m4: 'confMAX_HOP', letter: 'h' }),
  MinFreeBlocks: o(integerKind(), '100', { m4: 'confMIN_FREE_BLOCKS', letter: 'b', safe: true }),
  BadRcptThrottle: o(integerKind(), '0', { m4: 'confBAD_RCPT_THROTTLE' }),
  MaxNOOPCommands: o(integerKind(), '20', { m4: 'confMAX_NOOP_COMMANDS' }),
  MaxDaemonChildren: o(integerKind(), '100', { m4: 'confMAX_DAEMON_CHILDREN', sd: '0' }),
  ConnectionRateThrottle: o(integerKind(), '0', { m4: 'confCONNECTION_RATE_THROTTLE' }),
  ConnectionRateWindowSize: o(seconds, '60s', { m4: 'confCONNECTION_RATE_WINDOW_SIZE' }),
  AllowBogusHELO: o(booleanKind, 'False', { m4: 'confALLOW_BOGUS_HELO', safe: true }),
  DontProbeInterfaces: o(probeInterfacesKind, 'False', { m4: 'confDONT_PROBE_INTERFACES' }),
  DeliveryMode: o(deliveryModeKind, 'background', { m4: 'confDELIVERY_MODE', letter: 'd', safe: true }),
  MinQueueAge: o(minutes, '5m', { m4: 'confMIN_QUEUE_AGE', safe: true, sd: '0' }),
  MaxQueueAge: o(minutes, '1h', { m4: 'confMAX_QUEUE_AGE', sd: '0' }),
  MaxQueueRunSize: o(integerKind(), '0', { m4: 'confMAX_QUEUE_RUN_SIZE', safe: true }),
  QueueSortOrder: o(
    enumKind(['priority', 'host', 'time', 'filename', 'random', 'modification', 'none'] as const, true),
    'priority',
    { m4: 'confQUEUE_SORT_ORDER', safe: true },
  ),
  ClassFactor: o(integerKind(), '1800', { m4: 'confWORK_CLASS_FACTOR', letter: 'z' }),
  RecipientFactor: o(integerKind(), '30000', { m4: 'confWORK_RECIPIENT_FACTOR', letter: 'y' }),
  RetryFactor: o(integerKind(), '90000', { m4: 'confWORK_TIME_FACTOR', letter: 'Z' }),
  'Timeout.queuewarn': o(minutes, '4h', { m4: 'confTO_QUEUEWARN' }),
  'Timeout.queuewarn.normal': o(minutes, '4h', { m4: 'confTO_QUEUEWARN_NORMAL' }),
  'Timeout.queuewarn.urgent': o(minutes, '4h', { m4: 'confTO_QUEUEWARN_URGENT' }),
  'Timeout.queuewarn.non-urgent': o(minutes, '4h', { m4: 'confTO_QUEUEWARN_NONURGENT' }),
  'Timeout.queuewarn.dsn': o(minutes, '4h', { m4: 'confTO_QUEUEWARN_DSN' }),
  'Timeout.queuereturn': o(returnTime, '5d', { m4: 'confTO_QUEUERETURN' }),
  'Timeout.queuereturn.normal': o(returnTime, '5d', { m4: 'confTO_QUEUERETURN_NORMAL' }),
  'Timeout.queuereturn.urgent': o(returnTime, '5d', { m4: 'confTO_QUEUERETURN_URGENT' }),
  'Timeout.queuereturn.non-urgent': o(returnTime, '5d', { m4: 'confTO_QUEUERETURN_NONURGENT' }),
  'Timeout.queuereturn.dsn': o(returnTime, '5d', { m4: 'confTO_QUEUERETURN_DSN' }),
  'Timeout.command': o(minutes, '5m', { m4: 'confTO_COMMAND', sd: '1h' }),
  'Timeout.datablock': o(minutes, '3m', { m4: 'confTO_DATABLOCK', sd: '1h' }),
  'Timeout.starttls': o(minutes, '1m', { m4: 'confTO_STARTTLS', sd: '1h' }),
  'Timeout.auth': o(minutes, '2m', { m4: 'confTO_AUTH', sd: '10m' }),
  'Timeout.fileopen': o(minutes, '60s', { m4: 'confTO_FILEOPEN' }),
  'Timeout.hoststatus': o(minutes, '30m', { m4: 'confTO_HOSTSTATUS' }),
  // Accepted and ignored: Postern has no IDENT client (smtp-session.md §2.3).
  'Timeout.ident': o(minutes, '5s', { m4: 'confTO_IDENT' }),
  'Timeout.connect': o(minutes, '0s', { m4: 'confTO_CONNECT' }),
  'Timeout.initial': o(minutes, '5m', { m4: 'confTO_INITIAL' }),
  'Timeout.helo': o(minutes, '5m', { m4: 'confTO_HELO' }),
  'Timeout.mail': o(minutes, '10m', { m4: 'confTO_MAIL' }),
  'Timeout.rcpt': o(minutes, '1h', { m4: 'confTO_RCPT' }),
  'Timeout.datainit': o(minutes, '5m', { m4: 'confTO_DATAINIT' }),
  'Timeout.datafinal': o(minutes, '1h', { m4: 'confTO_DATAFINAL' }),
  'Timeout.rset': o(minutes, '5m', { m4: 'confTO_RSET' }),
  'Timeout.quit': o(minutes, '2m', { m4: 'confTO_QUIT' }),
  'Timeout.misc': o(minutes, '2m', { m4: 'confTO_MISC' }),
  'Timeout.resolver.retrans': o(seconds, '5s', { m4: 'confTO_RESOLVER_RETRANS' }),
  'Timeout.resolver.retrans.first': o(seconds, '5s', { m4: 'confTO_RESOLVER_RETRANS_FIRST' }),
  'Timeout.resolver.retrans.normal': o(seconds, '5s', { m4: 'confTO_RESOLVER_RETRANS_NORMAL' }),
  'Timeout.resolver.retry': o(integerKind(), '4', { m4: 'confTO_RESOLVER_RETRY' }),
  'Timeout.resolver.retry.first': o(integerKind(), '4', { m4: 'confTO_RESOLVER_RETRY_FIRST' }),
  'Timeout.resolver.retry.normal': o(integerKind(), '4', { m4: 'confTO_RESOLVER_RETRY_NORMAL' }),
  SendMimeErrors: o(booleanKind, 'True', { m4: 'confMIME_FORMAT_ERRORS', letter: 'j', safe: true }),
  UseErrorsTo: o(booleanKind, 'False', { m4: 'confUSE_ERRORS_TO', letter: 'l' }),
  SoftBounce: o(booleanKind, 'False', { m4: 'confSOFT_BOUNCE' }),
  EightBitMode: o(enumKind(['mimefy', 'pass8', 'strict'] as const, true), 'pass8', {
    m4: 'confEIGHT_BIT_HANDLING',
    letter: '8',
    safe: true,
  }),
  SevenBitInput: o(booleanKind, 'False', { m4: 'confSEVEN_BIT_INPUT', letter: '7', safe: true }),
  RejectNUL: o(booleanKind, 'True', { m4: 'confREJECT_NUL', sd: 'False' }),
  HeloName: o(stringKind, '$j', { m4: 'confHELO_NAME' }),
  HelpFile: u(stringKind, { m4: 'HELP_FILE', letter: 'H', sd: '/etc/mail/helpfile' }),
  LogLevel: o(integerKind(), '9', { m4: 'confLOG_LEVEL', letter: 'L', safe: true }),
  ServerCertFile: u(stringKind, { m4: 'confSERVER_CERT' }),
  ServerKeyFile: u(stringKind, { m4: 'confSERVER_KEY' }),
  CACertFile: u(stringKind, { m4: 'confCACERT' }),
  CACertPath: u(stringKind, { m4: 'confCACERT_PATH' }),
  AuthMechanisms: o(wordList, 'PLAIN LOGIN', {
    m4: 'confAUTH_MECHANISMS',
    sd: 'EXTERNAL GSSAPI KERBEROS_V4 DIGEST-MD5 CRAM-MD5',
  }),
  AuthOptions: o(wordList, 'p', { m4: 'confAUTH_OPTIONS', sd: '' }),
  DaemonPortOptions: o(listenersKind, '', { letter: 'O', accumulate: true }),
  ClientPortOptions: u(stringKind, {}),
  SMTPUTF8: o(booleanKind, 'False', {}),
  ErrorMode: o(errorModeKind, 'print', { m4: 'confERROR_MODE', letter: 'e', safe: true }),
  IgnoreDots: o(booleanKind, 'False', { m4: 'confIGNORE_DOTS', letter: 'i', safe: true }),
  NoRecipientAction: o(
    enumKind(['none', 'add-to', 'add-apparently-to', 'add-bcc', 'add-to-undisclosed'] as const, false),
    'none',
    { m4: 'confNO_RCPT_ACTION', safe: true },
  ),
  Verbose: o(booleanKind, 'False', { letter: 'v', safe: true }),
  MaxQueueChildren: o(integerKind(), '0', { m4: 'confMAX_QUEUE_CHILDREN' }),
  MaxRunnersPerQueue: o(integerKind(1), '4', { m4: 'confMAX_RUNNERS_PER_QUEUE', sd: '1' }),
  QueueLA: o(integerKind(), '0', { m4: 'confQUEUE_LA', letter: 'x', sd: '8' }),
  RefuseLA: o(integerKind(), '0', { m4: 'confREFUSE_LA', letter: 'X', sd: '12' }),
  DelayLA: o(integerKind(), '0', { m4: 'confDELAY_LA' }),
  TLSFallbacktoClear: o(booleanKind, 'True', { m4: 'confTLS_FALLBACK_TO_CLEAR', sd: 'False' }),
  DialDelay: o(seconds, '0s', { m4: 'confDIAL_DELAY', safe: true }),
  RunAsUser: o(stringKind, 'postern', { m4: 'confRUN_AS_USER', sd: 'root' }),

  // --- Postern extensions, config-formats.md §5.2 ---
  HardeningFloor: o(booleanKind, 'True', { postern: true, sd: 'False' }),
  StrictCRLF: o(booleanKind, 'True', { postern: true }),
  StrictPipelining: o(booleanKind, 'True', { postern: true }),
  MaxCommandLength: o(integerKind(512, 1 << 20), '2048', { postern: true }),
  SmtpPenaltyBase: o(seconds, '1s', { postern: true }),
  MaxPenaltyDelay: o(seconds, '30s', { postern: true }),
  MaxConnectionsPerClient: o(integerKind(), '10', { postern: true }),
  DnsblIPv6: o(booleanKind, 'True', { postern: true }),
  ProgMailer: o(progMailerKind, 'smrsh', { postern: true, sd: 'shell' }),
  SmrshDirectory: o(stringKind, '/etc/mail/smrsh', { postern: true }),
  SmrshPath: o(stringKind, '/usr/bin:/bin', { postern: true }),
  ProgTimeout: o(minutes, '10m', { postern: true }),
  MailSpoolDirectory: o(stringKind, '/var/mail', { postern: true }),
  LocalMailer: o(enumKind(['builtin', 'external'] as const, false), 'builtin', { postern: true }),
  MailboxFormat: o(enumKind(['mbox', 'maildir'] as const, false), 'mbox', { postern: true }),
  MaildirPath: o(stringKind, '$z/Maildir', { postern: true }),
  QueueInterval: o(minutes, '1m', { postern: true }),
  DnsServers: u(dnsServersKind, { postern: true }),
  // Outbound routing (issue 7, docs/outbound.md): the smart host in native form (wins over SMART_HOST /
  // DS), the per-domain TLS policy map, and the port of hosts that do not name one.
  SmartHost: u(stringKind, { postern: true }),
  TLSPolicyFile: u(stringKind, { postern: true }),
  OutboundPort: o(integerKind(1, 65535), '25', { postern: true }),
  // Outbound SMTP client (docs/outbound.md "Client"): sendmail's connection cache options are
  // implemented by the pool, with larger Postern defaults; the two limits are Postern's own.
  ConnectionCacheSize: o(integerKind(), '32', { m4: 'confMCI_CACHE_SIZE', letter: 'k', sd: '2' }),
  ConnectionCacheTimeout: o(minutes, '30s', { m4: 'confMCI_CACHE_TIMEOUT', letter: 'K', sd: '5m' }),
  OutboundMaxConnections: o(integerKind(), '100', { postern: true }),
  OutboundMaxPerDestination: o(integerKind(), '20', { postern: true }),
  /** The daemon's control socket (the command line's hand-off); unset = src/control/path.ts's default. */
  ControlSocket: u(stringKind, { postern: true }),
  // AUTH (docs/auth.md): the password file, and the per-client failure limit.
  AuthPasswordFile: u(stringKind, { postern: true }),
  AuthMaxFailures: o(integerKind(), '5', { postern: true }),
  AuthFailureWindow: o(minutes, '15m', { postern: true }),

  // --- sendmail options Postern accepts with a warning (config-formats.md §5.3) ---
  BlankSub: x({ m4: 'confBLANK_SUB', letter: 'B' }),
  CheckpointInterval: x({ m4: 'confCHECKPOINT_INTERVAL', letter: 'C', safe: true }),
  HoldExpensive: x({ m4: 'confCON_EXPENSIVE', letter: 'c' }),
  ErrorHeader: x({ m4: 'confERROR_MESSAGE', letter: 'E' }),
  SaveFromLine: x({ m4: 'confSAVE_FROM_LINES', letter: 'f' }),
  MatchGECOS: x({ m4: 'confMATCH_GECOS', letter: 'G' }, unimplementedBoolean),
  ResolverOptions: x({ m4: 'confBIND_OPTS', letter: 'I' }),
  OldStyleHeaders: x({ m4: 'confOLD_STYLE_HEADERS', letter: 'o', safe: true }),
  QueueFactor: x({ m4: 'confQUEUE_FACTOR', letter: 'q' }),
  DontPruneRoutes: x({ m4: 'confDONT_PRUNE_ROUTES', letter: 'R' }),
  StatusFile: x({ m4: 'STATUS_FILE', letter: 'S' }),
  // SuperSafe takes True, False, interactive or PostMilter in 8.17: kept as text.
  SuperSafe: x({ m4: 'confSAFE_QUEUE', letter: 's', safe: true }),
  TimeZoneSpec: x({ letter: 't' }),
  UserDatabaseSpec: x({ m4: 'confUSERDB_SPEC', letter: 'U' }),
  FallbackMXhost: x({ m4: 'confFALLBACK_MX', letter: 'V' }),
  FallbackSmartHost: x({ m4: 'confFALLBACK_SMARTHOST' }),
  TryNullMXList: x({ m4: 'confTRY_NULL_MX_LIST', letter: 'w' }),
  ForkEachJob: x({ m4: 'confSEPARATE_PROC', letter: 'Y' }),
  HostStatusDirectory: x({ m4: 'confHOST_STATUS_DIRECTORY' }),
  SingleThreadDelivery: x({ m4: 'confSINGLE_THREAD_DELIVERY' }),
  DontInitGroups: x({ m4: 'confDONT_INIT_GROUPS' }),
  UnixFromLine: x({ m4: 'confFROM_LINE' }),
  OperatorChars: x({ m4: 'confOPERATORS' }),
  ColonOkInAddr: x({ m4: 'confCOLON_OK_IN_ADDR', safe: true }),
  SingleLineFromHeader: x({ m4: 'confSINGLE_LINE_FROM_HEADER', safe: true }),
  MustQuoteChars: x({ m4: 'confMUST_QUOTE_CHARS' }),
  MaxMimeHeaderLength: x({ m4: 'confMAX_MIME_HEADER_LENGTH' }),
  DefaultCharSet: x({ m4: 'confDEF_CHAR_SET', safe: true }),
  ServiceSwitchFile: x({ m4: 'confSERVICE_SWITCH_FILE' }),
  HostsFile: x({ m4: 'confHOSTS_FILE' }),
  DontExpandCnames: x({ m4: 'confDONT_EXPAND_CNAMES' }),
  ConnectOnlyTo: x({ m4: 'confCONNECT_ONLY_TO' }),
  ControlSocketName: x({ m4: 'confCONTROL_SOCKET_NAME' }),
  PidFile: x({ m4: 'confPID_FILE' }),
  ProcessTitlePrefix: x({ m4: 'confPROCESS_TITLE_PREFIX' }),
  DataFileBufferSize: x({ m4: 'confDF_BUFFER_SIZE' }),
  XscriptFileBufferSize: x({ m4: 'confXF_BUFFER_SIZE' }),
  DeliverByMin: x({ m4: 'confDELIVER_BY_MIN' }),
  DirectSubmissionModifiers: x({ m4: 'confDIRECT_SUBMISSION_MODIFIERS' }),
  UseMSP: x({ m4: 'confUSE_MSP' }),
  SharedMemoryKey: x({ m4: 'confSHARED_MEMORY_KEY' }),
  SharedMemoryKeyFile: x({ m4: 'confSHARED_MEMORY_KEY_FILE' }),
  FastSplit: x({ m4: 'confFAST_SPLIT' }),
  MailboxDatabase: x({ m4: 'confMAILBOX_DATABASE' }),
  InputMailFilters: x({ m4: 'confINPUT_MAIL_FILTERS' }),
  LDAPDefaultSpec: x({ m4: 'confLDAP_DEFAULT_SPEC' }),
  AuthRealm: x({ m4: 'confAUTH_REALM' }),
  AuthMaxBits: x({ m4: 'confAUTH_MAX_BITS' }),
  DefaultAuthInfo: x({ m4: 'confDEF_AUTH_INFO' }),
  ClientCertFile: x({ m4: 'confCLIENT_CERT' }),
  ClientKeyFile: x({ m4: 'confCLIENT_KEY' }),
  CRLFile: x({ m4: 'confCRL' }),
  CRLPath: x({ m4: 'confCRL_PATH' }),
  DHParameters: x({ m4: 'confDH_PARAMETERS' }),
  RandFile: x({ m4: 'confRAND_FILE' }),
  CipherList: x({ m4: 'confCIPHER_LIST' }),
  ServerSSLOptions: x({ m4: 'confSERVER_SSL_OPTIONS' }),
  ClientSSLOptions: x({ m4: 'confCLIENT_SSL_OPTIONS' }),
  SSLEngine: x({ m4: 'confSSL_ENGINE' }),
  SSLEnginePath: x({ m4: 'confSSL_ENGINE_PATH' }),
  CertFingerprintAlgorithm: x({ m4: 'confCERT_FINGERPRINT_ALGORITHM' }),
  DANE: x({ m4: 'confDANE' }),
  TLSSrvOptions: x({ m4: 'confTLS_SRV_OPTIONS' }),
  SetCertAltnames: x({ m4: 'confSET_CERT_ALTNAMES' }),
  RequiresDirfsync: x({ m4: 'confREQUIRES_DIR_FSYNC' }),
  RejectLogInterval: x({ m4: 'confREJECT_LOG_INTERVAL' }),
  NiceQueueRun: x({ m4: 'confNICE_QUEUE_RUN' }),
  RrtImpliesDsn: x({ m4: 'confRRT_IMPLIES_DSN' }),
  UseCompressedIPv6Addresses: x({ m4: 'confUSE_COMPRESSED_IPV6_ADDRESSES' }),
  DontLockFilesForRead: x({ m4: 'confDONT_LOCK_FILES_FOR_READ' }),
  BadRcptThrottleDelay: x({ m4: 'confBAD_RCPT_THROTTLE_DELAY' }),
  'Timeout.lhlo': x({ m4: 'confTO_LHLO' }),
  'Timeout.control': x({ m4: 'confTO_CONTROL' }),
  'Timeout.aconnect': x({ m4: 'confTO_ACONNECT' }),
  'Timeout.iconnect': x({ m4: 'confTO_ICONNECT' }),
  'Milter.LogLevel': x({ m4: 'confMILTER_LOG_LEVEL' }),
  'Milter.macros.connect': x({ m4: 'confMILTER_MACROS_CONNECT' }),
  'Milter.macros.helo': x({ m4: 'confMILTER_MACROS_HELO' }),
  'Milter.macros.envfrom': x({ m4: 'confMILTER_MACROS_ENVFROM' }),
  'Milter.macros.envrcpt': x({ m4: 'confMILTER_MACROS_ENVRCPT' }),
  'Milter.macros.eom': x({ m4: 'confMILTER_MACROS_EOM' }),
  'Milter.macros.eoh': x({ m4: 'confMILTER_MACROS_EOH' }),
  'Milter.macros.data': x({ m4: 'confMILTER_MACROS_DATA' }),
} as const;

export type OptionName = keyof typeof OPTION_TABLE;

type ValueOf<D> = D extends OptionDef<infer V> ? V : never;

/** The effective, typed option values: durations in ms, sizes in bytes, modes as numbers. */
export type OptionValues = { -readonly [K in OptionName]: ValueOf<(typeof OPTION_TABLE)[K]> };

export const OPTION_NAMES = Object.keys(OPTION_TABLE) as OptionName[];

export function optionDef(name: OptionName): OptionDef<unknown> {
  return OPTION_TABLE[name] as OptionDef<unknown>;
}

/** An option's value in sendmail syntax; `(unset)` for an unset one. */
export function formatOptionValue(name: OptionName, value: unknown): string {
  // The table pairs each option with the kind that produced its value, so the value fits the kind.
  return value === undefined || value === null ? '(unset)' : optionDef(name).kind.format(value as NonNullable<unknown>);
}

export function optionValueJson(name: OptionName, value: unknown): JsonValue {
  return value === undefined || value === null ? null : optionDef(name).kind.toJson(value as NonNullable<unknown>);
}
