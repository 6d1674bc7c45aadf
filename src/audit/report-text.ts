// The text report (audit-and-probe.md §1): one finding per line, then the counts line. On a terminal
// the same findings are grouped under a heading per severity and coloured; anywhere else the plain
// form, byte for byte as §1 gives it, so that scripts and diffs can rely on it.

import { countFindings, countsLine, SEVERITIES, sortFindings, type Finding, type Severity, type Tool } from './findings.js';

export interface TextStyle {
  /** Group by severity with headings (a terminal). */
  grouped?: boolean;
  /** ANSI colours (a terminal without NO_COLOR). */
  color?: boolean;
}

/** `<SEVERITY> <id> <subject>: <message> (fix: <fix>)` */
export function formatFindingLine(f: Finding): string {
  return `${f.severity.toUpperCase()} ${f.id} ${f.subject}: ${f.message} (fix: ${f.fix})`;
}

const COLORS: Record<Severity, string> = {
  critical: '\u001b[1;31m',
  high: '\u001b[31m',
  medium: '\u001b[33m',
  low: '\u001b[36m',
  info: '\u001b[2m',
};
const RESET = '\u001b[0m';
const BOLD = '\u001b[1m';

function paint(text: string, code: string, color: boolean): string {
  return color ? `${code}${text}${RESET}` : text;
}

function groupedReport(tool: Tool, sorted: readonly Finding[], color: boolean): string {
  const out: string[] = [];
  for (const severity of SEVERITIES) {
    const group = sorted.filter((f) => f.severity === severity);
    if (group.length === 0) continue;
    if (out.length > 0) out.push('');
    out.push(paint(`${severity.toUpperCase()} (${group.length})`, COLORS[severity], color));
    for (const f of group) {
      out.push(`  ${paint(f.id, BOLD, color)} ${f.subject}: ${f.message}`);
      if (f.why !== undefined) out.push(`      why: ${f.why}`);
      out.push(`      fix: ${f.fix}`);
      for (const [lang, line] of Object.entries(f.fixes ?? {})) {
        if (line !== undefined) out.push(`      ${`${lang}:`.padEnd(6)}${line}`);
      }
      for (const t of f.transcript ?? []) out.push(`      ${t}`);
    }
  }
  if (out.length > 0) out.push('');
  out.push(countsLine(tool, countFindings(sorted)));
  return `${out.join('\n')}\n`;
}

export function renderText(tool: Tool, findings: readonly Finding[], style: TextStyle = {}): string {
  const sorted = sortFindings(findings);
  if (style.grouped === true) return groupedReport(tool, sorted, style.color === true);
  const lines = sorted.map(formatFindingLine);
  lines.push(countsLine(tool, countFindings(sorted)));
  return `${lines.join('\n')}\n`;
}
