// Shared by the bounce tests: a sample queued message, a report context with fixed times, and an
// independent MIME check: python3's `email` package parses each generated report in a child process.

import { spawnSync } from 'node:child_process';
import type { Envelope } from '../../src/queue/envelope.js';
import type { DsnContext } from '../../src/bounce/types.js';

/** 2024-01-01 12:00:00 UTC: the sample message's arrival. */
export const ARRIVAL = Date.UTC(2024, 0, 1, 12, 0, 0);
/** 12:05:00 UTC: when the sample reports are written. */
export const NOW = Date.UTC(2024, 0, 1, 12, 5, 0);
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export const ORIGINAL = Buffer.from(
  [
    'Received: from client.example.com (client.example.com [192.0.2.1])',
    '\tby mail.example.com (Postern) with ESMTP id 5AbCdEfGh0001k',
    '\tfor <bob@example.com>; Mon, 1 Jan 2024 12:00:00 +0000',
    'From: Alice <alice@example.com>',
    'To: bob@example.com',
    'Subject: lunch',
    'Message-Id: <1@client.example.com>',
    '',
    'Shall we meet at noon?',
    '.',
    '-- ',
    'Alice',
    '',
  ].join('\r\n'),
);

export function sampleEnvelope(extra: Partial<Envelope> = {}): Envelope {
  return {
    version: 1,
    id: '5AbCdEfGh0001k',
    created: ARRIVAL,
    sender: 'alice@example.com',
    size: ORIGINAL.length,
    eightBit: false,
    protocol: 'ESMTP',
    helo: 'client.example.com',
    client: 'client.example.com [192.0.2.1]',
    clientAddr: '192.0.2.1',
    recipients: [{ address: 'bob@example.com', primary: true }],
    ...extra,
  };
}

export function sampleContext(extra: Partial<DsnContext> = {}): DsnContext {
  return {
    qid: '5AbCdEfGh0002k',
    j: 'mail.example.com',
    mailerName: 'MAILER-DAEMON',
    now: new Date(NOW),
    to: ['alice@example.com'],
    nobodyreturn: false,
    noactualrecipient: false,
    precedenceClass: 0,
    queuewarn: 4 * HOUR,
    queuereturn: 5 * DAY,
    offsetMinutes: 0,
    ...extra,
  };
}

/** The message as text lines (CR LF split); the last element is what follows the final CR LF. */
export function lines(data: Buffer): string[] {
  return data.toString('latin1').split('\r\n');
}

export interface PyPart {
  content_type: string;
  headers: Array<[string, string]>;
  defects: string[];
  /** message/delivery-status: the per-message block, then one block per recipient. */
  blocks?: Array<Array<[string, string]>>;
  /** message/rfc822: the inner message's header fields and body (octets as latin1). */
  inner_headers?: Array<[string, string]>;
  inner_body?: string;
  /** Any other part: its content (octets as latin1). */
  text?: string;
}

export interface PyMessage {
  headers: Array<[string, string]>;
  content_type: string;
  report_type: string | null;
  boundary: string | null;
  defects: string[];
  preamble: string | null;
  parts: PyPart[];
}

const PARSE = String.raw`
import sys, json
from email import policy
from email.parser import BytesParser

def hdrs(m):
    return [[k, str(v)] for k, v in m.items()]

def defects(m):
    return [type(d).__name__ for d in m.defects]

def raw(b):
    return b.decode('latin1') if isinstance(b, bytes) else b

msg = BytesParser(policy=policy.compat32).parsebytes(sys.stdin.buffer.read())
out = {
    'headers': hdrs(msg),
    'content_type': msg.get_content_type(),
    'report_type': msg.get_param('report-type'),
    'boundary': msg.get_boundary(),
    'defects': defects(msg),
    'preamble': msg.preamble,
    'parts': [],
}
for part in (msg.get_payload() if msg.is_multipart() else []):
    p = {'content_type': part.get_content_type(), 'headers': hdrs(part), 'defects': defects(part)}
    if p['content_type'] == 'message/delivery-status':
        p['blocks'] = [hdrs(b) for b in part.get_payload()]
    elif p['content_type'] == 'message/rfc822':
        inner = part.get_payload(0)
        p['defects'] += defects(inner)
        p['inner_headers'] = hdrs(inner)
        p['inner_body'] = raw(inner.get_payload(decode=True))
    else:
        p['text'] = raw(part.get_payload(decode=True))
    out['parts'].append(p)
print(json.dumps(out))
`;

/** Parses a report with python3's email package (an implementation that shares nothing with ours). */
export function pythonParse(data: Buffer): PyMessage {
  const r = spawnSync('python3', ['-c', PARSE], { input: data, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`python3 failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as PyMessage;
}

/** A header's value from python's list (first occurrence, case-insensitive name). */
export function field(headers: Array<[string, string]>, name: string): string | undefined {
  return headers.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
}
