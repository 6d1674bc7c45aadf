// RSET, NOOP, QUIT (smtp-session.md §13).

import { REPLIES, reply } from '../replies.js';
import type { Session } from '../session.js';

export function rset(s: Session): undefined {
  s.resetTransaction();
  s.sendDef(REPLIES.resetState);
  return undefined;
}

export function noop(s: Session): Promise<void> | undefined {
  return s.answerAfter(s.count('noop', s.host.settings.maxNoopCommands), reply(REPLIES.ok));
}

export function quit(s: Session): undefined {
  if (s.tx !== null) s.log.info({ client: s.client.label, event: 'quit-in-transaction' }, 'transaction discarded at QUIT');
  s.resetTransaction();
  s.sendAndClose(reply(REPLIES.closing, s.vars));
  return undefined;
}
