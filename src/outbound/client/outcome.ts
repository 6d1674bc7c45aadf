// Replies to per-recipient outcomes (queue-and-bounces.md §7): 2xx sent, 4xx (and every timeout or
// connection failure) temporary, 5xx permanent — unless SoftBounce, which makes every permanent failure
// temporary (the reply shown keeps the peer's text, with the codes turned into 4xx / 4.x.x as sendmail does).

import type { OutcomeReply, RecipientOutcome, Stage } from './types.js';

export function statusOf(code: number): RecipientOutcome['status'] {
  if (code >= 200 && code < 400) return 'sent';
  if (code >= 500) return 'perm';
  return 'temp';
}

/** The reply as a temporary one (SoftBounce). */
export function softened(r: OutcomeReply): OutcomeReply {
  if (r.code < 500) return r;
  const code = r.code - 100;
  return r.enh !== undefined ? { code, enh: `4${r.enh.slice(1)}`, text: r.text } : { code, text: r.text };
}

export interface Where {
  host?: string;
  hostAddress?: string;
}

/** The outcome of one recipient from a reply that decides it. */
export function outcomeOf(
  address: string,
  reply: OutcomeReply,
  stage: Stage,
  source: RecipientOutcome['source'],
  where: Where,
  softBounce: boolean,
): RecipientOutcome {
  const shown = softBounce ? softened(reply) : reply;
  const plain: OutcomeReply = shown.enh !== undefined ? { code: shown.code, enh: shown.enh, text: shown.text } : { code: shown.code, text: shown.text };
  return {
    address,
    status: statusOf(plain.code),
    reply: plain,
    source,
    stage,
    ...(where.host !== undefined ? { host: where.host } : {}),
    ...(where.hostAddress !== undefined ? { hostAddress: where.hostAddress } : {}),
  };
}
