// RCPT TO (smtp-session.md §7): syntax, parameters, the recipient policy (relay-and-access.md §7, §9),
// local verification, and sendmail's duplicate rule (a repeated recipient is answered with its first
// spelling).

import type { RecipientDecision } from '../../policy/recipient.js';
import { directRecipientReply, parseAddress, type ParsedAddress } from '../address.js';
import { dsnOffered } from '../ehlo-keywords.js';
import { parseMailRcptArg } from '../mail-rcpt-args.js';
import { parseRcptParams, type RcptParams } from '../params.js';
import { REPLIES, type Reply, configuredReply, renderPolicy, reply } from '../replies.js';
import type { Session, Transaction } from '../session.js';
import { authOnListener, trustedForRelay } from './auth.js';

/** The BadRcptThrottle delay (sendmail's BadRcptThrottleDelay default). */
const BAD_RCPT_DELAY_MS = 1000;

/** A reply, and whether it ends the session (an access-map ERROR:421). */
interface Answer {
  reply: Reply;
  close?: boolean;
}

function refuse(tx: Transaction, r: Reply, close = false): Answer {
  tx.rejected += 1;
  return close ? { reply: r, close } : { reply: r };
}

export function rcpt(s: Session, arg: string): Promise<void> | undefined {
  const tx = s.tx;
  if (tx === null) return void s.sendDef(REPLIES.needMail);
  // BadRcptThrottle: once that many RCPTs were rejected, every further one waits, good or bad (sendmail
  // sleeps before it even looks at the recipient).
  const throttle = s.host.settings.badRcptThrottle;
  const throttled = throttle > 0 && tx.rejected >= throttle;
  const a = answer(s, tx, arg);
  if (a instanceof Promise) return a.then((x) => send(s, x, throttled));
  return send(s, a, throttled);
}

function send(s: Session, a: Answer, throttled: boolean): Promise<void> | undefined {
  if (a.close === true) {
    s.sendAndClose(a.reply);
    return undefined;
  }
  if (!throttled) {
    s.send(a.reply);
    return undefined;
  }
  return s.answerAfter({ delay: BAD_RCPT_DELAY_MS, close: false }, a.reply);
}

/** The reply to one RCPT in an open transaction; records an accepted recipient. */
function answer(s: Session, tx: Transaction, arg: string): Answer | Promise<Answer> {
  const st = s.host.settings;
  if (st.maxRecipients > 0 && tx.accepted >= st.maxRecipients) return { reply: reply(REPLIES.tooManyRecipients) };

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

  return s.host.policy
    .recipient({
      address: addr.address,
      client: s.client,
      clientIsOwnAddress: s.host.ownAddresses.has(s.client.addr),
      sender: tx.sender,
      modifiers: s.listener.modifiers,
      trustedAuth: trustedForRelay(s),
      authOffered: authOnListener(s),
      helo: s.helo,
    })
    .then((d) => accept(s, tx, addr, params, d));
}

function accept(s: Session, tx: Transaction, addr: ParsedAddress, params: RcptParams, d: RecipientDecision): Answer {
  if (d.kind === 'reject') return refuse(tx, renderPolicy(d.reply, addr.typed), d.reply.close === true);
  const c = d.canonical;
  let key: string;
  let willQueue = false;
  if (d.local) {
    const user = c.local.toLowerCase();
    const l = s.host.directory.lookup(user);
    if (l.kind === 'unknown') return refuse(tx, reply(REPLIES.userUnknown, undefined, addr.typed));
    if (l.kind === 'error') return refuse(tx, configuredReply(l.error.code, l.error.enh, l.error.text, addr.typed));
    willQueue = l.kind === 'tempfail';
    key = `local:${user}`;
  } else {
    key = `smtp:${c.local}@${c.domain ?? ''}`;
  }
  if (d.discard === true) tx.discard = true;
  if (d.quarantine !== undefined) tx.quarantine = d.quarantine;

  const first = tx.seen.get(key);
  tx.accepted += 1;
  if (first !== undefined) return { reply: reply(REPLIES.recipientOk, undefined, first) };
  tx.seen.set(key, addr.typed);
  tx.typed.push(addr.typed);
  const utf8 = tx.params.smtputf8 === true;
  const plain = c.domain === undefined ? c.local : `${c.local}@${c.domain}`;
  tx.recipients.push({
    address: utf8 ? Buffer.from(plain, 'latin1').toString('utf8') : plain,
    primary: true,
    ...(params.orcpt !== undefined ? { orcpt: params.orcpt.raw } : {}),
    ...(params.notify !== undefined ? { notify: params.notify } : {}),
  });
  return { reply: reply(willQueue ? REPLIES.recipientOkQueue : REPLIES.recipientOk, undefined, addr.typed) };
}
