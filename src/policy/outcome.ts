// The outcome of one policy stage, and how an access-map answer becomes one (relay-and-access.md §2.2).

import { REPLIES, policyReply, type PolicyReply } from '../smtp/replies.js';
import type { AccessAnswer } from './access-view.js';

export type Outcome =
  | { kind: 'none' }
  | { kind: 'ok' }
  | { kind: 'relay' }
  | { kind: 'reject'; reply: PolicyReply }
  | { kind: 'discard' }
  | { kind: 'quarantine'; reason: string };

export const NONE: Outcome = { kind: 'none' };

/** A map that cannot be read answers 451 4.3.0: a temporary failure never becomes an acceptance. */
export const TEMP_FAILURE: Outcome = { kind: 'reject', reply: policyReply(REPLIES.tempSystemFailure) };

export function errorReply(code: number, enh: string | undefined, text: string): PolicyReply {
  const e = enh ?? `${String(code).charAt(0)}.0.0`;
  return code === 421 ? { code, enh: e, text, close: true } : { code, enh: e, text };
}

/** An access answer for a Connect:, From: or To: lookup; `reject` is the stage's REJECT text. */
export function fromAccess(a: AccessAnswer, reject: PolicyReply): Outcome {
  if (a === undefined) return NONE;
  if (a === 'temp') return TEMP_FAILURE;
  const x = a.action;
  switch (x.kind) {
    case 'OK':
      return { kind: 'ok' };
    case 'RELAY':
      return { kind: 'relay' };
    case 'REJECT':
      return { kind: 'reject', reply: reject };
    case 'DISCARD':
      return { kind: 'discard' };
    case 'QUARANTINE':
      return { kind: 'quarantine', reason: x.reason };
    case 'ERROR':
      return { kind: 'reject', reply: errorReply(x.code, x.enh, x.text) };
    default:
      // FRIEND/HATER and numbers mean nothing for these tags.
      return NONE;
  }
}

/** The first lookup that finds something decides; a temporary failure stops the search. */
export function firstFound(...answers: Array<() => AccessAnswer>): AccessAnswer {
  for (const f of answers) {
    const a = f();
    if (a !== undefined) return a;
  }
  return undefined;
}
