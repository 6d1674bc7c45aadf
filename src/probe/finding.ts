// A probe finding: the fields of audit-and-probe.md §1, plus the transcript of the session it comes from.

import { CHECKS, type CheckId, type Severity } from './catalogue.js';

export interface ProbeFinding {
  id: CheckId;
  severity: Severity;
  subject: string;
  message: string;
  fix: string;
  transcript?: string[];
}

export function finding(
  id: CheckId,
  subject: string,
  message: string,
  transcript?: readonly string[],
  severity: Severity = CHECKS[id].severity,
): ProbeFinding {
  return { id, severity, subject, message, fix: CHECKS[id].fix, ...(transcript !== undefined ? { transcript: [...transcript] } : {}) };
}

/** A check that could not be made (audit-and-probe.md §1): never a silent pass. */
export function skipped(check: string, reason: string, transcript?: readonly string[]): ProbeFinding {
  return finding('check-skipped', check, `${check} not checked: ${reason}`, transcript);
}
