// A message submitted on the command line (cli.md §5): recipients from the arguments or the header (-t),
// the envelope sender and its X-Authentication-Warning, header completion, the Received line, and the
// durable commit. The same code runs in the daemon (a submission through the control socket, with the
// caller known from the kernel) and in the command itself (root or the queue owner writing the spool
// directly, or any caller under its own -C configuration).

import type { Envelope, RecipientRecord, Spool } from '../queue/index.js';
import { SpoolWriteError } from '../queue/index.js';
import { compactDate, rfc5322Date } from '../smtp/dates.js';
import { directRecipientReply, parseAddress } from '../smtp/address.js';
import { receivedHeader } from '../smtp/received.js';
import { REPLIES, reply, type Reply } from '../smtp/replies.js';
import { parseAddressList } from './address-list.js';
import { fieldsNamed, fieldValue, hasField, newField, splitMessage, type HeaderField } from './header-fields.js';
import { EX_OK, EX_USAGE, EX_DATAERR, EX_CANTCREAT, EX_TEMPFAIL } from '../util/sysexits.js';
export { EX_OK, EX_USAGE, EX_DATAERR, EX_CANTCREAT, EX_TEMPFAIL } from '../util/sysexits.js';


export type NoRecipientAction = 'none' | 'add-to' | 'add-apparently-to' | 'add-bcc' | 'add-to-undisclosed';

/** Who submits, as the side that writes the queue established it. */
export interface SubmitCaller {
  uid: number;
  login: string;
  /** GECOS full name (up to the first comma); '' when none */
  fullName: string;
  /** uid 0, TrustedUser, or (embedded) the owner of the queue directory */
  trusted: boolean;
  /** in class t: may set the sender with -f without a warning */
  classT: boolean;
}

/** What the command line asked for (the `submit` request of the control socket carries exactly this). */
export interface SubmitRequest {
  addresses: string[];
  readTo: boolean;
  from?: { address: string; flag: 'f' | 'r' };
  fullName?: string;
  notify?: string[];
  ret?: 'FULL' | 'HDRS';
  envid?: string;
  bodyType?: '7BIT' | '8BITMIME';
  smtputf8?: boolean;
  /** -p as given (`proto` or `proto:host`) */
  proto?: string;
  /** -M values (only r and s reach here for untrusted callers) */
  macros?: Array<{ name: string; value: string }>;
  /** the address of a leading `From ` line (already taken off the text) */
  fromLine?: string;
  /** -C file: given by an untrusted caller, the message carries a warning */
  alternateConfig?: string;
  /** -h: the initial hop count, added to the Received fields of the header */
  hops?: number;
  /** -n: no aliasing and no .forward */
  noAliasing?: boolean;
}

export interface SubmitSettings {
  /** $j */
  j: string;
  /** 0 = no limit */
  maxMessageSize: number;
  rejectNul: boolean;
  maxHopCount: number;
  authWarnings: boolean;
  noRecipientAction: NoRecipientAction;
  isLocalDomain(domain: string): boolean;
}

export interface SubmitOutcome {
  exit: number;
  /** lines for the caller's stderr (without line ends) */
  errors: string[];
  /** set when the message was queued */
  envelope?: Envelope;
}

/** `553 5.1.3 <addr>... Hostname required` → `<addr>... Hostname required` (cli.md §5.2). */
export function replyForCommandLine(r: Reply): string {
  return (r.lines[0] ?? '').replace(/^\d{3}[ -](?:\d\.\d{1,3}\.\d{1,3} )?/, '');
}

function qualify(address: string, j: string): string {
  return address.includes('@') ? address : `${address}@${j}`;
}

/** The display name of From:, quoted when it is more than atoms and spaces. */
function phrase(name: string): string {
  if (/^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ .]*$/.test(name) && !name.includes('..') && !/^\.|\.$/.test(name)) return name;
  return `"${name.replace(/(["\\])/g, '\\$1')}"`;
}

interface Recipients {
  valid: string[];
  errors: string[];
}

function checkRecipients(typed: readonly string[], s: SubmitSettings, smtputf8: boolean): Recipients {
  const valid: string[] = [];
  const errors: string[] = [];
  const seen = new Set<string>();
  for (const t of typed) {
    const a = parseAddress(t, { role: 'RCPT', smtputf8Offered: true, smtputf8Requested: smtputf8 || /[^\x00-\x7f]/.test(t) });
    if (!a.ok) {
      errors.push(replyForCommandLine(a.reply));
      continue;
    }
    const direct = directRecipientReply(a, (d) => s.isLocalDomain(d));
    if (direct !== undefined) {
      errors.push(replyForCommandLine(direct));
      continue;
    }
    const address = qualify(a.address, s.j);
    const key = address.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    valid.push(address);
  }
  return { valid, errors };
}

/** The recipients named by the header for -t: To/Cc/Bcc, or only the Resent- ones when there are any. */
function headerRecipients(fields: readonly HeaderField[]): string[] {
  const resent = fields.some((f) => /^resent-/i.test(f.name));
  const names = resent ? ['Resent-To', 'Resent-Cc', 'Resent-Bcc'] : ['To', 'Cc', 'Bcc'];
  return fieldsNamed(fields, names).flatMap((f) => parseAddressList(fieldValue(f)));
}

const RECIPIENT_FIELDS = ['To', 'Cc', 'Bcc', 'Resent-To', 'Resent-Cc', 'Resent-Bcc'];

function scan(data: Buffer): { nul: boolean; eightBit: boolean } {
  let nul = false;
  let eightBit = false;
  for (let i = 0; i < data.length && !(nul && eightBit); i++) {
    const c = data[i]!;
    if (c === 0) nul = true;
    else if (c > 0x7f) eightBit = true;
  }
  return { nul, eightBit };
}

interface Sender {
  address: string;
  warning?: string;
  /** the caller is the sender (own login): the full name may come from the password file */
  own: boolean;
}

function senderOf(req: SubmitRequest, caller: SubmitCaller, j: string): Sender | { error: string } {
  if (req.from !== undefined) {
    const given = req.from.address.trim();
    const bare = given === '<>' || given === '' ? '' : given.replace(/^<(.*)>$/, '$1');
    if (bare !== '') {
      const a = parseAddress(bare, { role: 'MAIL', smtputf8Offered: true, smtputf8Requested: /[^\x00-\x7f]/.test(bare) });
      if (!a.ok) return { error: replyForCommandLine(a.reply) };
    }
    const own = bare === caller.login;
    const warning = caller.classT || own ? undefined : `${caller.login} set sender to ${given === '' ? '<>' : given} using -${req.from.flag}`;
    return { address: bare === '' ? '' : qualify(bare, j), own, ...(warning !== undefined ? { warning } : {}) };
  }
  if (req.fromLine !== undefined && caller.classT && req.fromLine !== '') {
    return { address: qualify(req.fromLine.replace(/^<(.*)>$/, '$1'), j), own: req.fromLine === caller.login };
  }
  return { address: `${caller.login}@${j}`, own: true };
}

function completeHeader(fields: HeaderField[], req: SubmitRequest, caller: SubmitCaller, sender: Sender, rcpts: readonly string[], qid: string, now: Date, s: SubmitSettings): HeaderField[] {
  const out = fields.filter((f) => !/^(resent-)?bcc$/i.test(f.name));
  if (!hasField(fields, 'From')) {
    const full = req.fullName ?? (sender.own ? caller.fullName : '');
    const g = sender.address === '' ? '<>' : sender.address;
    out.push(newField('From', full !== '' ? `${phrase(full)} <${g}>` : g));
  }
  if (!hasField(fields, 'Date')) out.push(newField('Date', rfc5322Date(now)));
  if (!hasField(fields, 'Message-Id')) out.push(newField('Message-Id', `<${compactDate(now)}.${qid}@${s.j}>`));
  if (!RECIPIENT_FIELDS.some((n) => hasField(fields, n))) {
    switch (s.noRecipientAction) {
      case 'add-to':
        out.push(newField('To', rcpts.join(', ')));
        break;
      case 'add-apparently-to':
        for (const r of rcpts) out.push(newField('Apparently-To', r));
        break;
      case 'add-bcc':
        out.push({ name: 'Bcc', raw: Buffer.from('Bcc:\r\n') });
        break;
      case 'add-to-undisclosed':
        out.push(newField('To', 'undisclosed-recipients:;'));
        break;
      case 'none':
        break;
    }
  }
  return out;
}

/** -p proto[:host] and -Mr/-Ms: $r and $s for the Received line (the host only for trusted callers). */
function protocolFacts(req: SubmitRequest, caller: SubmitCaller): { protocol?: string; helo?: string } {
  let protocol: string | undefined;
  let helo: string | undefined;
  if (req.proto !== undefined && req.proto !== '') {
    const colon = req.proto.indexOf(':');
    protocol = colon < 0 ? req.proto : req.proto.slice(0, colon);
    if (colon >= 0 && caller.trusted) helo = req.proto.slice(colon + 1);
  }
  for (const m of req.macros ?? []) {
    if (m.name === 'r') protocol = m.value;
    else if (m.name === 's') helo = m.value;
  }
  const clean = (v: string | undefined): string | undefined => {
    const t = v?.replace(/[^\x21-\x7e]/g, '');
    return t === undefined || t === '' ? undefined : t;
  };
  const p = clean(protocol);
  const h = clean(helo);
  return { ...(p !== undefined ? { protocol: p } : {}), ...(h !== undefined ? { helo: h } : {}) };
}

/** Checks, completes and queues one message. Nothing is queued unless the outcome has an envelope. */
export async function submitMessage(s: SubmitSettings, caller: SubmitCaller, req: SubmitRequest, data: Buffer, spool: Spool, now: Date): Promise<SubmitOutcome> {
  const facts = scan(data);
  if (facts.nul && s.rejectNul) return { exit: EX_DATAERR, errors: ['NUL byte not allowed'] };
  if (s.maxMessageSize > 0 && data.length > s.maxMessageSize) {
    return { exit: EX_DATAERR, errors: [`Message exceeds maximum fixed size (${s.maxMessageSize})`] };
  }
  const { fields, rest } = splitMessage(data);
  const sender = senderOf(req, caller, s.j);
  if ('error' in sender) return { exit: EX_DATAERR, errors: [sender.error] };
  const hops = fieldsNamed(fields, ['Received']).length + (req.hops ?? 0);
  if (hops > s.maxHopCount) {
    const vars = { count: hops, max: s.maxHopCount, sender: sender.address === '' ? '<>' : sender.address, client: `${caller.login}@localhost`, rcpt: req.addresses[0] ?? '' };
    return { exit: EX_DATAERR, errors: [replyForCommandLine(reply(REPLIES.tooManyHops, vars))] };
  }

  const args = req.addresses.flatMap((a) => parseAddressList(a, false));
  let typed: string[];
  if (req.readTo) {
    // sendmail's rule (op.me Appendix A): addresses given as arguments are taken off the header's list.
    const drop = new Set(checkRecipients(args, s, req.smtputf8 === true).valid.map((a) => a.toLowerCase()));
    const fromHeader = headerRecipients(fields);
    const checked = checkRecipients(fromHeader, s, req.smtputf8 === true);
    const kept = checked.valid.filter((a) => !drop.has(a.toLowerCase()));
    if (kept.length === 0 && checked.errors.length === 0) return { exit: EX_USAGE, errors: ['No recipient addresses found in header'] };
    typed = kept;
    if (checked.errors.length > 0 && kept.length === 0) return { exit: EX_DATAERR, errors: checked.errors };
    return commit(s, caller, req, sender, typed, checked.errors, fields, rest, facts.eightBit, spool, now);
  }
  if (args.length === 0) return { exit: EX_USAGE, errors: ['Recipient names must be specified'] };
  const checked = checkRecipients(args, s, req.smtputf8 === true);
  if (checked.valid.length === 0) return { exit: EX_DATAERR, errors: checked.errors };
  return commit(s, caller, req, sender, checked.valid, checked.errors, fields, rest, facts.eightBit, spool, now);
}

async function commit(
  s: SubmitSettings,
  caller: SubmitCaller,
  req: SubmitRequest,
  sender: Sender,
  rcpts: string[],
  errors: string[],
  fields: HeaderField[],
  rest: Buffer,
  eightBit: boolean,
  spool: Spool,
  now: Date,
): Promise<SubmitOutcome> {
  const id = spool.newId();
  const client = `${caller.login}@localhost`;
  const proto = protocolFacts(req, caller);
  const warnings: string[] = [];
  if (s.authWarnings) {
    if (sender.warning !== undefined) warnings.push(sender.warning);
    if (req.alternateConfig !== undefined && !caller.trusted) warnings.push(`Processed by ${caller.login} with -C ${req.alternateConfig}`);
  }
  const received = receivedHeader({
    client,
    j: s.j,
    qid: id,
    rcpts,
    date: rfc5322Date(now),
    local: true,
    ...(proto.helo !== undefined ? { helo: proto.helo } : {}),
    ...(proto.protocol !== undefined ? { protocol: proto.protocol } : {}),
  });
  const top = received + warnings.map((w) => `X-Authentication-Warning: ${s.j}: ${w}\r\n`).join('');
  const header = completeHeader(fields, req, caller, sender, rcpts, id, now, s);
  const parts = [Buffer.from(top, 'latin1'), ...header.map((f) => f.raw), rest.length > 0 ? rest : Buffer.from('\r\n')];
  let size = 0;
  for (const p of parts) size += p.length;
  const recipients: RecipientRecord[] = rcpts.map((address) => ({ address, primary: true, ...(req.notify !== undefined ? { notify: req.notify } : {}) }));
  const envelope: Envelope = {
    version: 1,
    id,
    created: now.getTime(),
    sender: sender.address,
    size,
    eightBit,
    protocol: proto.protocol ?? 'local',
    helo: proto.helo ?? '',
    client,
    clientAddr: '',
    recipients,
    ...(req.bodyType !== undefined ? { bodyType: req.bodyType } : {}),
    ...(req.ret !== undefined ? { ret: req.ret } : {}),
    ...(req.envid !== undefined ? { envid: req.envid } : {}),
    ...(req.smtputf8 === true ? { smtputf8: true } : {}),
    ...(req.noAliasing === true ? { noAliasing: true } : {}),
  };
  try {
    await spool.commit(envelope, parts);
  } catch (err) {
    const why = err instanceof SpoolWriteError && err.kind === 'disk-full' ? 'Insufficient disk space; try again later' : `cannot write the queue: ${(err as Error).message}`;
    return { exit: err instanceof SpoolWriteError && err.kind === 'disk-full' ? EX_TEMPFAIL : EX_CANTCREAT, errors: [...errors, why] };
  }
  return { exit: errors.length > 0 ? EX_DATAERR : EX_OK, errors, envelope };
}
