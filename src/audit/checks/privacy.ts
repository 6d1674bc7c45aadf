// PrivacyOptions (seed: goaway, restrictmailq, restrictqrun), judged on the expanded flag set
// (privacy-options.md §2): privacy-expn, -vrfy, -verb, -needmailhelo, -authwarnings, -restrictmailq,
// -restrictqrun, -goaway-keeps-dsn, -restrictexpand, -noetrn.

import { GOAWAY_FLAGS, type PrivacyWord } from '../../config/privacy.js';
import { optionFixes, type CheckId } from '../catalog.js';
import type { AuditContext } from '../context.js';
import type { FixLines } from '../findings.js';

const SEED: readonly PrivacyWord[] = ['goaway', 'restrictmailq', 'restrictqrun'];

/** The configured words plus the seed's three plus `extra`, with words goaway already covers left out. */
export function recommendedPrivacy(configured: readonly PrivacyWord[], extra: readonly PrivacyWord[] = []): string {
  const words: PrivacyWord[] = [...SEED];
  for (const w of [...configured, ...extra]) {
    if (w === 'public' || words.includes(w) || (GOAWAY_FLAGS as readonly string[]).includes(w)) continue;
    words.push(w);
  }
  return words.join(',');
}

export function checkPrivacy(ctx: AuditContext): void {
  const value = ctx.cfg.options.PrivacyOptions;
  const flags = value.flags;
  const at = ctx.optionAt('PrivacyOptions');
  const current = value.words.length === 0 ? 'public' : value.words.join(',');
  const fixesWith = (...extra: PrivacyWord[]): FixLines => optionFixes('confPRIVACY_FLAGS', 'PrivacyOptions', recommendedPrivacy(value.words, extra));
  const report = (id: CheckId, message: string, fixes: FixLines = fixesWith()): void => {
    ctx.add(id, 'PrivacyOptions', `${message} (PrivacyOptions=${current})`, { ...at, fixes });
  };

  if (!flags.has('noexpn')) report('privacy-expn', 'noexpn is not in effect: EXPN reveals alias and list contents');
  if (!flags.has('novrfy')) report('privacy-vrfy', 'novrfy is not in effect: VRFY confirms which accounts exist');
  if (!flags.has('noverb') && !flags.has('noexpn')) report('privacy-verb', 'neither noverb nor noexpn is in effect: VERB shows delivery details');
  if (!flags.has('needmailhelo')) report('privacy-needmailhelo', 'needmailhelo is not in effect: MAIL is accepted before HELO/EHLO');
  if (!flags.has('authwarnings')) {
    report('privacy-authwarnings', 'authwarnings is not in effect: no X-Authentication-Warning for forged -f or a missing HELO');
  }
  if (!flags.has('restrictmailq')) {
    report('privacy-restrictmailq', 'restrictmailq is not set: any local user can list senders and recipients of all queued mail');
  }
  if (!flags.has('restrictqrun')) {
    report(
      'privacy-restrictqrun',
      'restrictqrun is not set: any local user can start queue runs (and, in sendmail, -qR / -O Timeout.queuereturn=now games)',
    );
  }
  if (value.words.includes('goaway') && !flags.has('noreceipts')) {
    report(
      'privacy-goaway-keeps-dsn',
      'goaway is set and noreceipts is not, so DSN stays enabled: older documentation (and the seed) say goaway disables DSN, but since sendmail 8.10 it does not',
      fixesWith('noreceipts'),
    );
  }
  if (!flags.has('restrictexpand')) {
    report('privacy-restrictexpand', "restrictexpand is not set: local users can see others' .forward and :include: targets with sendmail -bv", fixesWith('restrictexpand'));
  }
  if (!flags.has('noetrn')) report('privacy-noetrn', 'noetrn is not set: ETRN lets anyone trigger queue runs for a domain', fixesWith('noetrn'));
}
