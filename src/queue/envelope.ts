// The envelope of one queued message, as stored in its spool record (JSON). Decoding is strict:
// a record whose checksum is right but whose envelope does not have exactly this shape was not
// written by this version of Postern and must never be delivered (it is reported as lost).

import { isQueueId } from './queue-id.js';

export interface RecipientRecord {
  address: string; // as accepted (without angle brackets)
  orcpt?: string; // ORCPT value as given ("rfc822;xtext"), if any
  notify?: string[]; // ['SUCCESS','FAILURE','DELAY'] subset, or ['NEVER']; absent = not given
  primary: boolean; // given by the client (true) or from expansion (false)
}

export interface Envelope {
  version: 1;
  id: string; // queue id
  created: number; // ms since epoch
  sender: string; // envelope sender without brackets; '' = null sender
  size: number; // octets of the stored message data
  bodyType?: '7BIT' | '8BITMIME';
  ret?: 'FULL' | 'HDRS';
  envid?: string; // decoded ENVID
  auth?: string; // AUTH= value ('<>' when not trusted)
  smtputf8?: boolean;
  eightBit: boolean; // the data contains octets > 0x7f
  protocol: string; // $r (SMTP, ESMTP, ESMTPS..., or 'local')
  helo: string; // $s ('' if none)
  client: string; // $_ (e.g. "host.example [192.0.2.1]")
  clientAddr: string; // ${client_addr} ('' for local submission)
  precedence?: string;
  /** Received under an access-map or DNSBL QUARANTINE: held, never delivered until released. */
  quarantine?: string;
  /** `sendmail -n`: no aliasing and no .forward for this message. */
  noAliasing?: boolean;
  /**
   * Set on a delivery status notification Postern generated (its kind): a failed double bounce is
   * never reported again (queue-and-bounces.md §6.6).
   */
  report?: ReportKind;
  recipients: RecipientRecord[];
}

export type ReportKind = 'failure' | 'delay' | 'success' | 'postmaster' | 'double';
const REPORT_KINDS = new Set<unknown>(['failure', 'delay', 'success', 'postmaster', 'double']);

const NOTIFY_WORDS = new Set(['SUCCESS', 'FAILURE', 'DELAY', 'NEVER']);

export class EnvelopeFormatError extends Error {
  override readonly name = 'EnvelopeFormatError';
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function need(cond: boolean, what: string): void {
  if (!cond) throw new EnvelopeFormatError(what);
}

function optional(o: Json, key: string, check: (v: unknown) => boolean): void {
  if (o[key] !== undefined) need(check(o[key]), `bad ${key}`);
}

const isString = (v: unknown): boolean => typeof v === 'string';
const isBool = (v: unknown): boolean => typeof v === 'boolean';
const isCount = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

export function checkRecipient(r: unknown, where = 'recipient'): RecipientRecord {
  need(isObject(r), `${where} is not an object`);
  const o = r as Json;
  need(typeof o.address === 'string' && o.address !== '', `${where}: bad address`);
  need(typeof o.primary === 'boolean', `${where}: bad primary flag`);
  optional(o, 'orcpt', isString);
  if (o.notify !== undefined) {
    const n = o.notify;
    need(Array.isArray(n) && n.length > 0 && n.every((w) => typeof w === 'string' && NOTIFY_WORDS.has(w)), `${where}: bad notify`);
    need(!(n as string[]).includes('NEVER') || (n as string[]).length === 1, `${where}: NEVER with other notify words`);
  }
  return o as unknown as RecipientRecord;
}

/** Checks that a decoded value is an Envelope of version 1; throws EnvelopeFormatError otherwise. */
export function checkEnvelope(v: unknown): Envelope {
  need(isObject(v), 'envelope is not an object');
  const o = v as Json;
  need(o.version === 1, `unknown envelope version ${String(o.version)}`);
  need(typeof o.id === 'string' && isQueueId(o.id), 'bad queue id');
  need(isCount(o.created), 'bad created time');
  need(typeof o.sender === 'string', 'bad sender');
  need(isCount(o.size), 'bad size');
  optional(o, 'bodyType', (x) => x === '7BIT' || x === '8BITMIME');
  optional(o, 'ret', (x) => x === 'FULL' || x === 'HDRS');
  optional(o, 'envid', isString);
  optional(o, 'auth', isString);
  optional(o, 'smtputf8', isBool);
  need(typeof o.eightBit === 'boolean', 'bad eightBit flag');
  need(typeof o.protocol === 'string', 'bad protocol');
  need(typeof o.helo === 'string', 'bad helo');
  need(typeof o.client === 'string', 'bad client');
  need(typeof o.clientAddr === 'string', 'bad clientAddr');
  optional(o, 'precedence', isString);
  optional(o, 'quarantine', isString);
  optional(o, 'noAliasing', isBool);
  optional(o, 'report', (x) => REPORT_KINDS.has(x));
  need(Array.isArray(o.recipients) && o.recipients.length > 0, 'no recipients');
  (o.recipients as unknown[]).forEach((r, i) => checkRecipient(r, `recipient ${i}`));
  return o as unknown as Envelope;
}

export function encodeEnvelope(e: Envelope): Buffer {
  return Buffer.from(JSON.stringify(e), 'utf8');
}

export function decodeEnvelope(b: Buffer): Envelope {
  let v: unknown;
  try {
    v = JSON.parse(b.toString('utf8'));
  } catch {
    throw new EnvelopeFormatError('envelope is not valid JSON');
  }
  return checkEnvelope(v);
}
