// `--sarif`: the findings as a SARIF 2.1.0 log, for code-scanning dashboards. One rule per check id
// with its default severity; one result per finding, with a physical location when the finding names
// a file (and line), a logical location (the subject) otherwise.

import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sortFindings, type Finding, type Severity, type Tool } from './findings.js';

/** What a tool knows about one of its checks (audit: the catalogue; probe: its own table). */
export interface RuleInfo {
  id: string;
  severity: Severity;
  /** One line: what the check looks for. */
  title?: string;
  fix?: string;
  why?: string;
}

export interface SarifOptions {
  toolVersion: string;
  /** Every check the tool can report; rules missing here are derived from the findings. */
  rules?: readonly RuleInfo[];
  informationUri?: string;
}

type SarifLevel = 'error' | 'warning' | 'note';

function level(s: Severity): SarifLevel {
  return s === 'critical' || s === 'high' ? 'error' : s === 'medium' ? 'warning' : 'note';
}

/** GitHub code scanning reads `security-severity` (0.1–10) to rank security results. */
const SECURITY_SEVERITY: Record<Severity, string> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: '0.1',
};

function artifactUri(path: string): string {
  return isAbsolute(path) ? pathToFileURL(path).href : path.split('\\').join('/');
}

function ruleJson(r: RuleInfo): Record<string, unknown> {
  const rule: Record<string, unknown> = {
    id: r.id,
    shortDescription: { text: r.title ?? r.id },
    defaultConfiguration: { level: level(r.severity) },
    properties: { severity: r.severity, 'security-severity': SECURITY_SEVERITY[r.severity], tags: ['security'] },
  };
  if (r.why !== undefined) rule['fullDescription'] = { text: r.why };
  if (r.fix !== undefined) rule['help'] = { text: `fix: ${r.fix}` };
  return rule;
}

function resultJson(f: Finding, ruleIndex: number): Record<string, unknown> {
  const result: Record<string, unknown> = {
    ruleId: f.id,
    ruleIndex,
    level: level(f.severity),
    message: { text: `${f.subject}: ${f.message} (fix: ${f.fix})` },
  };
  if (f.file !== undefined) {
    const physicalLocation: Record<string, unknown> = { artifactLocation: { uri: artifactUri(f.file) } };
    if (f.line !== undefined && f.line > 0) physicalLocation['region'] = { startLine: f.line };
    result['locations'] = [{ physicalLocation }];
  } else {
    result['locations'] = [{ logicalLocations: [{ fullyQualifiedName: f.subject }] }];
  }
  const properties: Record<string, unknown> = { severity: f.severity, subject: f.subject, fix: f.fix };
  if (f.why !== undefined) properties['why'] = f.why;
  if (f.fixes !== undefined) properties['fixes'] = f.fixes;
  if (f.transcript !== undefined) properties['transcript'] = f.transcript;
  result['properties'] = properties;
  return result;
}

export function reportSarif(tool: Tool, findings: readonly Finding[], opts: SarifOptions): Record<string, unknown> {
  const sorted = sortFindings(findings);
  const rules: RuleInfo[] = [...(opts.rules ?? [])];
  for (const f of sorted) {
    if (!rules.some((r) => r.id === f.id)) rules.push({ id: f.id, severity: f.severity, fix: f.fix });
  }
  const index = new Map(rules.map((r, i) => [r.id, i]));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: `postern-${tool}`,
            version: opts.toolVersion,
            ...(opts.informationUri !== undefined ? { informationUri: opts.informationUri } : {}),
            rules: rules.map(ruleJson),
          },
        },
        results: sorted.map((f) => resultJson(f, index.get(f.id)!)),
      },
    ],
  };
}

export function renderSarif(tool: Tool, findings: readonly Finding[], opts: SarifOptions): string {
  return `${JSON.stringify(reportSarif(tool, findings, opts), null, 2)}\n`;
}
