// MAIL FROM (smtp-session.md §6): checks in sendmail's order, the first failing one answers.

import { dsnOffered } from '../ehlo-keywords.js';
import { parseAddress, type ParsedAddress } from '../address.js';
import { parseMailRcptArg } from '../mail-rcpt-args.js';
import { parseMailParams, requestsSmtputf8, type MailParams } from '../params.js';
import { REPLIES, renderPolicy, reply } from '../replies.js';
import type { Outcome } from '../../policy/outcome.js';
import type { Session } from '../session.js';

export function mail(s: Session, arg: string): Promise<void> | undefined {
  const st = s.host.settings;
  if (st.privacy.needmailhelo && s.helo === null) return void s.sendDef(REPLIES.politeHelo);
  if (s.tx !== null) return void s.sendDef(REPLIES.senderAlready);
  if (s.listener.modifiers.includes('a') && !s.authenticated) return void s.sendDef(REPLIES.authRequired);

  const split = parseMailRcptArg(arg, 'FROM');
  if (!split.ok) return void s.send(split.reply);
  const wantsUtf8 = st.smtputf8 && requestsSmtputf8(split.params);
  const addr = parseAddress(split.path, { role: 'MAIL', smtputf8Offered: st.smtputf8, smtputf8Requested: wantsUtf8 });
  if (!addr.ok) return void s.send(addr.reply);
  const params = parseMailParams(split.params, { dsnOffered: dsnOffered(st), smtputf8Offered: st.smtputf8 });
  if (!params.ok) return void s.send(params.reply);
  const { ok: _ok, ...mailParams } = params;

  // Step 7: the sender policy (relay-and-access.md §6), before the size checks of steps 8 and 9.
  const sender = wantsUtf8 ? Buffer.from(addr.address, 'latin1').toString('utf8') : addr.address;
  return s.host.policy
    .sender({ address: sender, clientAddr: s.client.addr, clientName: s.client.name, modifiers: s.listener.modifiers })
    .then((outcome) => {
      if (outcome.kind === 'reject') {
        const r = renderPolicy(outcome.reply, addr.typed);
        if (outcome.reply.close === true) s.sendAndClose(r);
        else s.send(r);
        return;
      }
      finish(s, addr, mailParams, wantsUtf8, outcome);
    });
}

/** `sendmail -bs`: the sender is the caller's own local address (login, login@localhost, login@$j). */
function isOwnAddress(address: string, login: string, j: string): boolean {
  const a = address.toLowerCase();
  const l = login.toLowerCase();
  return a === l || a === `${l}@localhost` || a === `${l}@${j.toLowerCase()}`;
}

function finish(s: Session, addr: ParsedAddress, mailParams: MailParams, wantsUtf8: boolean, outcome: Outcome): void {
  const st = s.host.settings;
  const size = mailParams.size ?? 0;
  if (st.maxMessageSize > 0 && size > st.maxMessageSize) {
    return void s.sendDef(REPLIES.sizeExceedsFixed, { max: st.maxMessageSize });
  }
  const free = s.host.freeSpace();
  if (free !== undefined) {
    const needed = Math.ceil(size / free.blockSize) + st.minFreeBlocks;
    if (free.blocks < needed) return void s.sendDef(REPLIES.insufficientDisk);
  }

  const authWarnings: string[] = [];
  if (s.helo === null && st.privacy.authwarnings) {
    authWarnings.push(`${s.client.label} didn't use HELO protocol`);
    s.log.info({ client: s.client.label, event: 'authwarning' }, `${s.client.label} didn't use HELO protocol`);
  }
  const lc = s.localCaller;
  if (lc !== undefined && !lc.classT && st.privacy.authwarnings && !isOwnAddress(addr.address, lc.login, st.hostname)) {
    const text = `${lc.login} owned process doing -bs`;
    authWarnings.push(text);
    s.log.info({ client: s.client.label, event: 'authwarning' }, text);
  }
  s.tx = {
    sender: wantsUtf8 ? Buffer.from(addr.address, 'latin1').toString('utf8') : addr.address,
    senderTyped: addr.typed,
    params: mailParams,
    recipients: [],
    seen: new Map(),
    typed: [],
    accepted: 0,
    rejected: 0,
    authWarnings,
    ...(outcome.kind === 'discard' || s.connDiscard ? { discard: true } : {}),
    ...(outcome.kind === 'quarantine' ? { quarantine: outcome.reason } : s.connQuarantine !== undefined ? { quarantine: s.connQuarantine } : {}),
  };
  s.send(reply(REPLIES.senderOk, undefined, addr.typed));
}
