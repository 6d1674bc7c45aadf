// VRFY, EXPN, VERB, ETRN, HELP (smtp-session.md §13, privacy-options.md). The privacy checks come first
// and in sendmail's order: novrfy before needvrfyhelo and before the argument.

import { parseAddress } from '../address.js';
import { helpReply } from '../help-text.js';
import { REPLIES, type Reply, multiline, reply, replyText } from '../replies.js';
import { sanitizeEcho } from '../sanitize.js';
import type { Session } from '../session.js';
import { canonicalize } from '../../policy/canonical.js';

const VRFY_LIMIT = 6;
const ETRN_LIMIT = 8;
/** The one queue group Postern has (sendmail's default group name). */
const DEFAULT_QUEUE_GROUP = 'mqueue';

type Found = { ok: true; reply: Reply } | { ok: false; reply: Reply };

function lookupForVrfy(s: Session, arg: string, expand: boolean): Found {
  const addr = parseAddress(arg, { role: 'VRFY', smtputf8Offered: false, smtputf8Requested: false });
  if (!addr.ok) return { ok: false, reply: addr.reply };
  const dir = s.host.directory;
  const j = s.host.settings.hostname;
  const canon = canonicalize(addr.address, { isLocalDomain: (d) => dir.isLocalDomain(d), j, m: s.host.settings.macros.m ?? '' });
  const unknown = (): Found => ({ ok: false, reply: reply(REPLIES.userUnknown, undefined, addr.typed) });
  if (canon.domain !== undefined && !dir.isLocalDomain(canon.domain)) {
    return { ok: true, reply: reply(REPLIES.vrfyRemote, { address: `${canon.local}@${canon.domain}` }) };
  }
  const user = canon.local.toLowerCase();
  if (expand) {
    const list = dir.expand(user);
    if (list === undefined) return unknown();
    if (list.length === 0) return { ok: false, reply: reply(REPLIES.nothingToExpn) };
    const texts = list.map((e) =>
      replyText(REPLIES.expnLine, { fullname: e.fullName !== undefined ? `${e.fullName} ` : '', address: e.local ? `${e.address}@${j}` : e.address }),
    );
    return { ok: true, reply: multiline(250, texts) };
  }
  const l = dir.lookup(user);
  if (l.kind === 'user') {
    const full = l.user.fullName;
    return { ok: true, reply: reply(REPLIES.vrfyLocal, { fullname: full !== undefined && full !== '' ? `${full} ` : '', user, j }) };
  }
  if (l.kind === 'alias') return { ok: true, reply: reply(REPLIES.vrfyLocal, { fullname: '', user, j }) };
  return unknown();
}

function vrfyOrExpn(s: Session, arg: string, expand: boolean): Promise<void> | undefined {
  const p = s.host.settings.privacy;
  const refused = expand ? p.noexpn : p.novrfy;
  if (refused) {
    return s.answerAfter(s.count('vrfy', VRFY_LIMIT), reply(expand ? REPLIES.notAllowed : REPLIES.cannotVrfy));
  }
  if ((expand ? p.needexpnhelo : p.needvrfyhelo) && s.helo === null) {
    return s.answerAfter(s.count('vrfy', VRFY_LIMIT), reply(REPLIES.introduceYourself));
  }
  if (arg.trim() === '') return s.answerAfter(s.count('vrfy', VRFY_LIMIT), reply(REPLIES.argumentRequired));
  const found = lookupForVrfy(s, arg.trim(), expand);
  return s.answerAfter(s.count('vrfy', VRFY_LIMIT, found.ok), found.reply);
}

export function vrfy(s: Session, arg: string): Promise<void> | undefined {
  return vrfyOrExpn(s, arg, false);
}

export function expn(s: Session, arg: string): Promise<void> | undefined {
  return vrfyOrExpn(s, arg, true);
}

export function verb(s: Session): Promise<void> | undefined {
  const p = s.host.settings.privacy;
  if (p.noexpn || p.noverb) return void s.sendDef(REPLIES.verboseUnavailable);
  return s.answerAfter(s.count('noop', s.host.settings.maxNoopCommands), reply(REPLIES.verboseMode));
}

export function etrn(s: Session, arg: string): Promise<void> | undefined {
  const p = s.host.settings.privacy;
  if (p.noetrn || s.listener.modifiers.includes('E')) return void s.sendDef(REPLIES.notAllowed);
  // `sendmail -bs` by an untrusted user (smtp-session.md §14).
  if (s.localCaller !== undefined && !s.localCaller.trusted) return void s.sendDef(REPLIES.notAllowed);
  const node = arg.trim();
  if (node === '') return void s.sendDef(REPLIES.etrnNeedsParameter);
  const penalty = s.count('etrn', ETRN_LIMIT);
  if (node.startsWith('#')) {
    const group = node.slice(1);
    if (group !== DEFAULT_QUEUE_GROUP) return s.answerAfter(penalty, reply(REPLIES.etrnGroupUnknown, { group: sanitizeEcho(group) }));
    s.host.etrn('');
    return s.answerAfter(penalty, reply(REPLIES.etrnGroupStarted, { group }));
  }
  s.host.etrn(node.replace(/^@/, ''));
  // The argument goes back on the wire: sanitised and cut like every echo (§1 rule 4).
  const shown = sanitizeEcho(node);
  s.log.info({ client: s.client.label, event: 'etrn', node: shown }, 'ETRN');
  return s.answerAfter(penalty, reply(REPLIES.etrnStarted, { node: shown }));
}

export function help(s: Session, arg: string): undefined {
  const topic = arg.trim();
  s.send(helpReply(topic === '' ? undefined : topic));
  return undefined;
}
