// The built-in HELP texts (smtp-session.md §13). Written for Postern in the style of sendmail's helpfile:
// first line the syntax, then tab-indented description lines. No version is shown [Postern]. All replies
// are built once at load time.

import { REPLIES, multiline, reply, replyText, type Reply } from './replies.js';
import { sanitizeEcho } from './sanitize.js';

const OVERVIEW: readonly string[] = [
  'Topics:',
  '\tHELO\tEHLO\tMAIL\tRCPT\tDATA',
  '\tRSET\tNOOP\tQUIT\tHELP\tVRFY',
  '\tEXPN\tVERB\tETRN\tDSN\tAUTH',
  '\tSTARTTLS',
  'For more info use "HELP <topic>".',
  'For local information send email to Postmaster at your site.',
];

const TOPICS: Readonly<Record<string, readonly string[]>> = {
  HELO: ['HELO <hostname>', '\tIntroduce yourself.'],
  EHLO: [
    'EHLO <hostname>',
    '\tIntroduce yourself and ask for extended SMTP (ESMTP).',
    '\tThe reply lists the service extensions this server offers.',
  ],
  MAIL: [
    'MAIL From:<sender> [ <parameters> ]',
    '\tSpecifies the sender. Parameters are ESMTP extensions:',
    '\tSIZE=<octets>, BODY=7BIT|8BITMIME, AUTH=<address>, SMTPUTF8',
    '\tand the DSN parameters RET and ENVID (see "HELP DSN").',
  ],
  RCPT: [
    'RCPT To:<recipient> [ <parameters> ]',
    '\tSpecifies a recipient; repeat it for more recipients.',
    '\tParameters are the DSN parameters NOTIFY and ORCPT (see "HELP DSN").',
  ],
  DATA: [
    'DATA',
    '\tThe text that follows is the message: header, empty line, body.',
    '\tEnd it with a line that holds a single dot.',
  ],
  RSET: ['RSET', '\tResets the session: the current transaction is discarded.'],
  NOOP: ['NOOP', '\tDoes nothing.'],
  QUIT: ['QUIT', '\tEnds the session.'],
  HELP: ['HELP [ <topic> ]', '\tThe HELP command gives help info.'],
  VRFY: [
    'VRFY <recipient>',
    '\tVerifies an address. To see what it aliases to,',
    '\tuse EXPN instead. Often disabled for privacy.',
  ],
  EXPN: [
    'EXPN <recipient>',
    '\tExpands an address. If it names a mailing list,',
    '\tthe members of the list are returned. Often disabled for privacy.',
  ],
  VERB: ['VERB', '\tGo into verbose mode. Often disabled for privacy.'],
  ETRN: [
    'ETRN [ <hostname> | @<domain> | #<queuegroup> ]',
    '\tRuns the queue for messages to that host or domain,',
    '\tor for that queue group.',
  ],
  DSN: [
    'MAIL From:<sender> [ RET=FULL|HDRS ] [ ENVID=<envid> ]',
    '\tRCPT To:<recipient> [ NOTIFY=NEVER|SUCCESS,FAILURE,DELAY ] [ ORCPT=<type>;<address> ]',
    '\tDelivery status notifications (RFC 3461): RET asks for the full',
    '\tmessage or its header only, ENVID names the transaction, NOTIFY',
    '\tsays when to report, ORCPT gives the original recipient.',
  ],
  AUTH: [
    'AUTH <mechanism> [ <initial-response> ]',
    '\tAuthenticates the client (RFC 4954) with one of the mechanisms',
    '\tlisted in the EHLO reply.',
  ],
  STARTTLS: ['STARTTLS', '\tStarts TLS (RFC 3207); send EHLO again afterwards.'],
};

function helpText(lines: readonly string[]): Reply {
  return multiline(REPLIES.helpEnd.code, [
    ...lines.map((text) => replyText(REPLIES.helpLine, { text })),
    replyText(REPLIES.helpEnd),
  ]);
}

const OVERVIEW_REPLY = helpText(OVERVIEW);
const TOPIC_REPLIES: ReadonlyMap<string, Reply> = new Map(
  Object.entries(TOPICS).map(([topic, lines]) => [topic, helpText(lines)]),
);

export const HELP_TOPICS: readonly string[] = Object.keys(TOPICS);

/** The reply to `HELP` (topic undefined or blank) or `HELP <topic>`. */
export function helpReply(topic?: string): Reply {
  const t = topic?.trim() ?? '';
  if (t === '') return OVERVIEW_REPLY;
  const known = TOPIC_REPLIES.get(t.toUpperCase());
  if (known !== undefined) return known;
  return reply(REPLIES.helpUnknown, { topic: sanitizeEcho(t.slice(0, 10).toLowerCase()) });
}
