// Probe findings in the shared shape of audit-and-probe.md §1 (src/audit/findings.ts), with the
// transcript of the session they come from.

import type { Finding } from '../audit/findings.js';
import { CHECKS, type CheckId } from './catalogue.js';

export function finding(id: CheckId, subject: string, message: string, transcript?: readonly string[]): Finding {
  return {
    id,
    severity: CHECKS[id].severity,
    subject,
    message,
    fix: CHECKS[id].fix,
    why: CHECKS[id].why,
    // The session's own list, not a copy: a finding made mid-session shows the whole session in the end.
    ...(transcript !== undefined ? { transcript } : {}),
  };
}

/** A check that could not be made (audit-and-probe.md §1): never a silent pass. */
export function skipped(check: string, reason: string, transcript?: readonly string[]): Finding {
  return finding('check-skipped', check, `${check} not checked: ${reason}`, transcript);
}
