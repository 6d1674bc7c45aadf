// The Received header field the server puts on top of every message (smtp-session.md §8.5; the
// command-line form of cli.md §5.5). Continuation lines start with one tab; lines end in CR LF.

import { sanitizeValue } from './sanitize.js';

export interface ReceivedTls {
  /** ${tls_version}, e.g. TLSv1.3. */
  readonly version: string;
  readonly cipher: string;
  readonly bits: number | string;
  /** ${verify}: OK, NO, NOT, FAIL... */
  readonly verify: string;
}

export interface ReceivedInput {
  /** $s, the HELO/EHLO argument; empty or absent when none was given. */
  readonly helo?: string;
  /** $_, the client identity (`name [ip]`, or `login@localhost` for local submissions). */
  readonly client: string;
  /** $j */
  readonly j: string;
  /** $r; the `with` clause is left out when empty (local submissions). */
  readonly protocol?: string;
  /** $i */
  readonly qid: string;
  /** The recipients of the message as given; `for <rcpt>` appears only when there is exactly one. */
  readonly rcpts: readonly string[];
  /** $b */
  readonly date: string;
  /** Present when the session is authenticated; ssf > 0 adds `bits=`. */
  readonly auth?: { readonly ssf?: number };
  readonly tls?: ReceivedTls;
  /** A command-line submission: without HELO name the first line reads `(from <$_>)`. */
  readonly local?: boolean;
}

const EOL = '\r\n';

/** The whole field, `Received: ...` through the final CR LF, ready to be put on top of the header. */
export function receivedHeader(r: ReceivedInput): string {
  const client = sanitizeValue(r.client);
  const helo = r.helo === undefined || r.helo === '' ? undefined : sanitizeValue(r.helo);
  let first: string;
  if (helo !== undefined) first = `from ${helo} (${client})`;
  else first = r.local === true ? `(from ${client})` : `from ${client}`;
  if (r.auth !== undefined) {
    first += r.auth.ssf !== undefined && r.auth.ssf > 0 ? ` (authenticated bits=${r.auth.ssf})` : ' (authenticated)';
  }
  const lines = [`Received: ${first}`];
  const withClause = r.protocol === undefined || r.protocol === '' ? '' : ` with ${r.protocol}`;
  lines.push(`\tby ${r.j} (Postern)${withClause} id ${r.qid}`);
  if (r.tls !== undefined) {
    const t = r.tls;
    lines.push(`\t(version=${t.version} cipher=${t.cipher} bits=${t.bits} verify=${t.verify})`);
  }
  if (r.rcpts.length === 1) {
    const rcpt = r.rcpts[0];
    lines.push(`\tfor ${rcpt.startsWith('<') ? rcpt : `<${rcpt}>`}; ${r.date}`);
  } else {
    lines[lines.length - 1] += ';';
    lines.push(`\t${r.date}`);
  }
  return lines.join(EOL) + EOL;
}

export interface ProtocolFacts {
  /** The session greeted with EHLO (HELO gives SMTP whatever else holds). */
  readonly ehlo: boolean;
  readonly tls: boolean;
  readonly authenticated: boolean;
  /** The transaction's MAIL carried SMTPUTF8 (RFC 6531 §3.7.3). */
  readonly smtputf8?: boolean;
}

/** $r for the Received `with` word (RFC 3848, RFC 6531). */
export function receivedProtocol(f: ProtocolFacts): string {
  if (!f.ehlo) return 'SMTP';
  const suffix = `${f.tls ? 'S' : ''}${f.authenticated ? 'A' : ''}`;
  return f.smtputf8 === true ? `UTF8SMTP${suffix}` : `ESMTP${suffix}`;
}
