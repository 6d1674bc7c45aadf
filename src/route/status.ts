// Every status routing can give a recipient, with the spec line it comes from. The SMTP reply table
// (smtp/replies.ts) already holds the ones a RCPT can answer with; they are taken from there so that
// the same words are used at RCPT time and in a DSN.

import { REPLIES, type ReplyDef } from '../smtp/replies.js';
import type { StatusText } from './types.js';

const PREFIXED = new Set([250, 252, 450, 550, 553]);

/** smtp-session.md §1 rule 3: `<addr>... ` before the text for 450, 550 and 553. */
function withAddress(code: number, addr: string | undefined, text: string): string {
  return addr !== undefined && PREFIXED.has(code) ? `${addr}... ${text}` : text;
}

function fromReply(d: ReplyDef, addr?: string, vars: Record<string, string> = {}): StatusText {
  const text = d.text.replace(/\{(\w+)\}/g, (whole, name: string) => vars[name] ?? whole);
  return { code: d.code, enh: d.enh ?? `${String(d.code).charAt(0)}.0.0`, text: withAddress(d.code, d.addr === true ? addr : undefined, text) };
}

function status(code: number, enh: string, text: string): StatusText {
  return { code, enh, text };
}

export const STATUS = {
  /** §8 rule 13 */
  userUnknown: (addr: string): StatusText => fromReply(REPLIES.userUnknown, addr),
  /** §8 rule 11 */
  directProgram: (addr: string): StatusText => fromReply(REPLIES.mailToProgram, addr),
  directFile: (addr: string): StatusText => fromReply(REPLIES.mailToFile, addr),
  directInclude: (addr: string): StatusText => fromReply(REPLIES.mailToInclude, addr),
  /** relay-and-access.md §10 redirect (551: no address prefix) */
  userMoved: (to: string): StatusText => fromReply(REPLIES.userMoved, undefined, { to }),
  /** §8 rule 5 */
  tooDeep: (depth: number, max: number): StatusText => status(554, '5.4.6', `aliasing/forwarding loop broken (${depth} aliases deep; ${max} max)`),
  /** §8 rule 6 */
  loop: (name: string): StatusText => status(554, '5.4.6', `aliasing/forwarding loop for ${name} broken`),
  /** §2.4: an `error:` alias; 4xx is a temporary failure. */
  aliasError: (code: number, enh: string | undefined, text: string, addr: string): StatusText =>
    status(code, enh ?? `${String(code).charAt(0)}.0.0`, withAddress(code, addr, text)),
  /** §5.3 marks */
  unsafeFor: (entry: string, what: 'programs' | 'files'): StatusText => status(550, '5.7.1', `Address ${entry} is unsafe for mailing to ${what}`),
  bogusShell: (userAtJ: string, what: 'programs' | 'files'): StatusText =>
    status(550, '5.7.1', `User ${userAtJ} doesn't have a valid shell for mailing to ${what}`),
  /** §4: a :include: owned by a uid without a passwd entry. */
  unknownUid: (uid: number, what: 'programs' | 'files'): StatusText => status(550, '5.7.1', `UID ${uid} is an unknown user: cannot mail to ${what}`),
  /** §4 */
  includeOpen: (path: string, reason: string): StatusText => status(550, '5.2.4', `Cannot open ${path}: ${reason}`),
  includeOpenTemp: (path: string, reason: string): StatusText => status(451, '4.2.4', `Cannot open ${path}: ${reason}`),
  /** §5.2 */
  forwardTimeout: (path: string): StatusText => status(451, '4.4.1', `open timeout on ${path}`),
  forwardTransient: (reason: string): StatusText => status(451, '4.4.1', `transient .forward open error: ${reason}`),
  /** §3 step 4 [Postern]: the alias database is missing its completeness marker after AliasWait. */
  aliasDbUnavailable: (db: string): StatusText => status(451, '4.3.0', `alias database ${db} unavailable`),
} as const;
