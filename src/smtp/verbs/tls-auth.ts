// STARTTLS (smtp-session.md §10.1); AUTH is in auth.ts. The verb is always known; STARTTLS is offered
// when a certificate and key are loaded.

import { REPLIES } from '../replies.js';
import type { Session } from '../session.js';

export function starttls(s: Session, arg: string): Promise<void> | undefined {
  if (arg.trim() !== '') return void s.sendDef(REPLIES.tlsNoParams);
  if (s.listener.modifiers.includes('S')) return void s.sendDef(REPLIES.tlsOff);
  if (!s.host.tlsOffered || s.tls) return void s.sendDef(REPLIES.tlsUnavailable);
  if (s.tx !== null) return void s.sendDef(REPLIES.tlsInTransaction);
  // A renewed certificate is looked for first, so this handshake already presents it.
  return s.host.refreshTls().then(() => {
    if (s.closed) return;
    s.sendDef(REPLIES.tlsReady);
    s.beginTls();
  });
}
