// One entry point for both tools: pick the report format the command line asked for.

import type { Finding, Tool } from './findings.js';
import { renderJson } from './report-json.js';
import { renderSarif, type RuleInfo } from './report-sarif.js';
import { renderText } from './report-text.js';

export type ReportFormat = 'text' | 'json' | 'sarif';

export interface ReportOptions {
  format: ReportFormat;
  /** stdout is a terminal: the text report is grouped (and coloured unless `color` is false). */
  terminal?: boolean;
  color?: boolean;
  /** For SARIF. */
  toolVersion: string;
  rules?: readonly RuleInfo[];
}

export function renderReport(tool: Tool, findings: readonly Finding[], opts: ReportOptions): string {
  switch (opts.format) {
    case 'json':
      return renderJson(tool, findings);
    case 'sarif':
      return renderSarif(tool, findings, { toolVersion: opts.toolVersion, ...(opts.rules ? { rules: opts.rules } : {}) });
    case 'text':
      return renderText(tool, findings, { grouped: opts.terminal === true, color: opts.terminal === true && opts.color !== false });
  }
}

/** Whether colours are wanted on a terminal (https://no-color.org). */
export function colorWanted(env: NodeJS.ProcessEnv): boolean {
  return env['NO_COLOR'] === undefined || env['NO_COLOR'] === '';
}
