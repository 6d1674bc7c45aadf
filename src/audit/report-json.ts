// `--json` (audit-and-probe.md §1): {"tool", "findings": [{id, severity, subject, message, fix, file?,
// line?, ...}], "counts"}. The fields of §1 come first in each finding; why, fixes and transcript follow
// when a check provides them.

import { countFindings, sortFindings, type Finding, type Tool } from './findings.js';

function findingJson(f: Finding): Record<string, unknown> {
  const out: Record<string, unknown> = { id: f.id, severity: f.severity, subject: f.subject, message: f.message, fix: f.fix };
  if (f.file !== undefined) out['file'] = f.file;
  if (f.line !== undefined) out['line'] = f.line;
  if (f.why !== undefined) out['why'] = f.why;
  if (f.fixes !== undefined && Object.keys(f.fixes).length > 0) out['fixes'] = f.fixes;
  if (f.transcript !== undefined) out['transcript'] = f.transcript;
  return out;
}

export function reportJson(tool: Tool, findings: readonly Finding[]): Record<string, unknown> {
  const sorted = sortFindings(findings);
  return { tool, findings: sorted.map(findingJson), counts: countFindings(sorted) };
}

export function renderJson(tool: Tool, findings: readonly Finding[]): string {
  return `${JSON.stringify(reportJson(tool, findings), null, 2)}\n`;
}
