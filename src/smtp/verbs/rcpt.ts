// RCPT TO (smtp-session.md §7): syntax, parameters, the recipient decision, local verification, and
// sendmail's duplicate rule (a repeated recipient is answered with its first spelling).

import { canonicalize } from '../../policy/canonical.js';
import { decideRecipient } from '../../policy/recipient.js';
import { directRecipientReply, parseAddress } from '../address.js';
import { dsnOffered } from '../ehlo-keywords.js';
import { parseMailRcptArg } from '../mail-rcpt-args.js';
import { parseRcptParams } from '../params.js';
import { REPLIES, type Reply, configuredReply, reply } from '../replies.js';
import type { Session, Transaction } from '../session.js';

/** The BadRcptThrottle delay (sendmail's BadRcptThrottleDelay default). */
const BAD_RCPT_DELAY_MS = 1000;

function refuse(tx: Transaction, r: Reply): Reply {
  tx.rejected += 1;
  return r;
}

export function rcpt(s: Session, arg: string): Promise<void> | undefined {
  const tx = s.tx;
  if (tx === null) return void s.sendDef(REPLIES.needMail);
  // BadRcptThrottle: once that many RCPTs were rejected, every further one waits, good or bad (sendmail
  // sleeps before it even looks at the recipient).
  const throttle = s.host.settings.badRcptThrottle;
  const throttled = throttle > 0 && tx.rejected >= throttle;
  const r = answer(s, tx, arg);
  if (!throttled) {
    s.send(r);
    return undefined;
  }
  return s.answerAfter({ delay: BAD_RCPT_DELAY_MS, close: false }, r);
}

/** The reply to one RCPT in an open transaction; records an accepted recipient. */
function answer(s: Session, tx: Transaction, arg: string): Reply {
  const st = s.host.settings;
  if (st.maxRecipients > 0 && tx.accepted >= st.maxRecipients) return reply(REPLIES.tooManyRecipients);

  const split = parseMailRcptArg(arg, 'TO');
  if (!split.ok) return refuse(tx, split.reply);
  const addr = parseAddress(split.path, {
    role: 'RCPT',
    smtputf8Offered: st.smtputf8,
    smtputf8Requested: tx.params.smtputf8 === true,
  });
  if (!addr.ok) return refuse(tx, addr.reply);
  const dir = s.host.directory;
  const direct = directRecipientReply(addr, (d) => dir.isLocalDomain(d));
  if (direct !== undefined) return refuse(tx, direct);
  const params = parseRcptParams(split.params, { dsnOffered: dsnOffered(st) });
  if (!params.ok) return refuse(tx, params.reply);

  const canon = canonicalize(addr.address, { isLocalDomain: (d) => dir.isLocalDomain(d), j: st.hostname, m: st.macros.m ?? '' });
  const verdict = decideRecipient(
    {
      local: canon.local,
      domain: canon.domain,
      clientAddr: s.client.addr,
      clientIsOwnAddress: s.host.ownAddresses.has(s.client.addr),
    },
    dir,
  );

  let key: string;
  let willQueue = false;
  if (verdict.kind === 'denied') return refuse(tx, reply(REPLIES.relayingDenied, undefined, addr.typed));
  if (verdict.kind === 'local') {
    const l = verdict.lookup;
    if (l.kind === 'unknown') return refuse(tx, reply(REPLIES.userUnknown, undefined, addr.typed));
    if (l.kind === 'error') return refuse(tx, configuredReply(l.error.code, l.error.enh, l.error.text, addr.typed));
    willQueue = l.kind === 'tempfail';
    key = `local:${verdict.user}`;
  } else {
    key = `smtp:${canon.local}@${canon.domain ?? ''}`;
  }

  const first = tx.seen.get(key);
  tx.accepted += 1;
  if (first !== undefined) return reply(REPLIES.recipientOk, undefined, first);
  tx.seen.set(key, addr.typed);
  tx.typed.push(addr.typed);
  const utf8 = tx.params.smtputf8 === true;
  const plain = canon.domain === undefined ? canon.local : `${canon.local}@${canon.domain}`;
  tx.recipients.push({
    address: utf8 ? Buffer.from(plain, 'latin1').toString('utf8') : plain,
    primary: true,
    ...(params.orcpt !== undefined ? { orcpt: params.orcpt.raw } : {}),
    ...(params.notify !== undefined ? { notify: params.notify } : {}),
  });
  return reply(willQueue ? REPLIES.recipientOkQueue : REPLIES.recipientOk, undefined, addr.typed);
}
