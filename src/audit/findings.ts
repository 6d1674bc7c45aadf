// Findings shared by `postern audit` and `postern probe` (audit-and-probe.md §1): what one finding
// holds, the order they are printed in, the counts line and the exit status.

import { EX_OK } from '../util/sysexits.js';
export { EX_OK, EX_USAGE, EX_NOINPUT, EX_UNAVAILABLE, EX_CONFIG } from '../util/sysexits.js';

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;

export type Severity = (typeof SEVERITIES)[number];

export type Tool = 'audit' | 'probe';

/** The exact lines that fix a finding in each configuration language. */
export interface FixLines {
  /** A sendmail.mc line, e.g. define(`confPRIVACY_FLAGS', ``goaway,restrictmailq,restrictqrun'')dnl */
  mc?: string;
  /** A sendmail.cf line, e.g. O PrivacyOptions=goaway,restrictmailq,restrictqrun */
  cf?: string;
  /** A postern.conf line, e.g. PrivacyOptions = goaway,restrictmailq,restrictqrun */
  conf?: string;
}

export interface Finding {
  /** Stable kebab-case check id (audit-and-probe.md §2.2, §3.2). */
  id: string;
  severity: Severity;
  /** `path:line`, a file, an option name, a class or map entry, or a probe vector. */
  subject: string;
  /** One line. */
  message: string;
  /** One line. */
  fix: string;
  file?: string;
  line?: number;
  /** One sentence: why it matters. */
  why?: string;
  fixes?: FixLines;
  /** probe: the lines sent (`>>> `) and received (`<<< `) for this check. */
  transcript?: readonly string[];
}

export type Counts = Record<Severity, number>;


export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

export function isSeverity(text: string): text is Severity {
  return (SEVERITIES as readonly string[]).includes(text);
}

/** `--fail-on` takes a severity name in any case. */
export function parseSeverity(text: string): Severity | undefined {
  const lower = text.trim().toLowerCase();
  return isSeverity(lower) ? lower : undefined;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The line of a `file:line` subject (so that line 9 sorts before line 10 of the same file). */
function fileLine(f: Finding): number | undefined {
  return f.file !== undefined && f.line !== undefined && f.subject === `${f.file}:${f.line}` ? f.line : undefined;
}

/** Severity (critical first), then id, then subject; `file:line` subjects compare by line number. */
export function compareFindings(a: Finding, b: Finding): number {
  const bySeverity = severityRank(a.severity) - severityRank(b.severity);
  if (bySeverity !== 0) return bySeverity;
  const byId = compareText(a.id, b.id);
  if (byId !== 0) return byId;
  const lineA = fileLine(a);
  const lineB = fileLine(b);
  if (lineA !== undefined && lineB !== undefined && a.file === b.file && lineA !== lineB) return lineA - lineB;
  return compareText(a.subject, b.subject);
}

/** A sorted copy; findings that compare equal keep the order they were found in. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(compareFindings);
}

export function countFindings(findings: readonly Finding[]): Counts {
  const counts: Counts = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}

export function worstSeverity(findings: readonly Finding[]): Severity | undefined {
  let worst: Severity | undefined;
  for (const f of findings) {
    if (worst === undefined || severityRank(f.severity) < severityRank(worst)) worst = f.severity;
  }
  return worst;
}

/** §1: 3 critical, 2 high, 1 medium, 0 low or info. */
export function statusForSeverity(s: Severity | undefined): number {
  switch (s) {
    case 'critical':
      return 3;
    case 'high':
      return 2;
    case 'medium':
      return 1;
    default:
      return 0;
  }
}

/**
 * The exit status of a run. With `failOn`, a worst finding below the threshold exits 0; at or above
 * it, the status of the worst finding — at least 1, so that `--fail-on low` (or `info`) can fail a
 * run whose worst finding would otherwise map to 0.
 */
export function exitStatus(findings: readonly Finding[], failOn?: Severity): number {
  const worst = worstSeverity(findings);
  if (failOn === undefined) return statusForSeverity(worst);
  if (worst === undefined || severityRank(worst) > severityRank(failOn)) return EX_OK;
  return Math.max(1, statusForSeverity(worst));
}

/** `<tool>: <c> critical, <h> high, <m> medium, <l> low, <i> info` */
export function countsLine(tool: Tool, counts: Counts): string {
  return `${tool}: ${SEVERITIES.map((s) => `${counts[s]} ${s}`).join(', ')}`;
}
