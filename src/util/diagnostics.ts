// Diagnostics shared by every loader (configuration files, maps, alias files): each one carries the
// file and line it is about, so an admin is always told where to look.

export type Severity = 'error' | 'warning' | 'notice';

export interface Location {
  file: string;
  line: number;
}

export interface Diagnostic {
  severity: Severity;
  message: string;
  file?: string;
  line?: number;
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = d.file === undefined ? '' : d.line === undefined ? `${d.file}: ` : `${d.file}:${d.line}: `;
  const tag = d.severity === 'error' ? '' : `${d.severity}: `;
  return `${where}${tag}${d.message}`;
}

/** Collects diagnostics while a file is read; loaders push into it instead of throwing. */
export class DiagnosticList {
  readonly items: Diagnostic[] = [];

  error(message: string, at?: Partial<Location>): void {
    this.items.push({ severity: 'error', message, ...at });
  }

  warning(message: string, at?: Partial<Location>): void {
    this.items.push({ severity: 'warning', message, ...at });
  }

  notice(message: string, at?: Partial<Location>): void {
    this.items.push({ severity: 'notice', message, ...at });
  }

  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === 'error');
  }

  errors(): Diagnostic[] {
    return this.items.filter((d) => d.severity === 'error');
  }
}
