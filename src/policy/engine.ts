// The policy as the SMTP server uses it: one object per configuration (swapped on SIGHUP) answering at
// the three stages of relay-and-access.md §4 — connect, MAIL, RCPT — plus the greet pause.

import type { ClientFacts, ConnectionCounts } from './connection.js';
import { connectionVerdict } from './connection.js';
import { NONE, type Outcome } from './outcome.js';
import type { PolicyConfig } from './policy-config.js';
import type { PolicyDns } from './policy-dns.js';
import { recipientDecision, type RecipientDecision, type RecipientFacts } from './recipient.js';
import { senderChecks, type SenderFacts } from './sender.js';

/** Longest greet pause honoured (smtp-session.md §2.1: capped at 300 s). */
const MAX_GREET_PAUSE = 300_000;

export class Policy {
  constructor(
    readonly cfg: PolicyConfig,
    readonly dns: PolicyDns,
  ) {}

  /** §5 at connect time (limits always; access/DNSBL/rDNS unless delay_checks). */
  connection(c: ClientFacts, counts: ConnectionCounts): Outcome | Promise<Outcome> {
    return connectionVerdict(this.cfg, this.dns, c, counts);
  }

  /** §6 at MAIL time; nothing with delay_checks (they run per RCPT then). */
  async sender(s: SenderFacts): Promise<Outcome> {
    if (this.cfg.features.delayChecks !== false) return NONE;
    return senderChecks(this.cfg, this.dns, s);
  }

  recipient(r: RecipientFacts): Promise<RecipientDecision> {
    return recipientDecision(this.cfg, this.dns, r);
  }

  /** Milliseconds to wait before the greeting: FEATURE(greet_pause), or a GreetPause: entry for this client. */
  greetPause(c: ClientFacts): number {
    const a = this.cfg.access;
    let ms = this.cfg.features.greetPause;
    for (const hit of [a.domain('GreetPause', c.name), a.address('GreetPause', c.addr)]) {
      if (hit !== undefined && hit !== 'temp' && hit.action.kind === 'NUMBER') {
        ms = hit.action.value;
        break;
      }
    }
    return Math.max(0, Math.min(ms, MAX_GREET_PAUSE));
  }

  /** ratecontrol/conncontrol need per-address counts from the server. */
  get countsConnections(): boolean {
    return this.cfg.features.ratecontrol !== false || this.cfg.features.conncontrol !== false;
  }
}
