// An SMTP reply as the probe reads it (RFC 5321 §4.2): a three-digit code and one or more lines.

export interface Reply {
  /** the reply code; 0 when the line did not start with three digits (not an SMTP reply) */
  code: number;
  /** the full lines as received, without their line ends */
  lines: string[];
}

/** The text of the reply on one line, for messages: `250 2.0.0 OK`, lines joined with ` / `. */
export function replyText(r: Reply): string {
  return r.lines.join(' / ');
}

export const isPositive = (r: Reply): boolean => r.code >= 200 && r.code < 300;
export const isTransient = (r: Reply): boolean => r.code >= 400 && r.code < 500;

/** Whether a received line continues a multi-line reply (`250-...`). */
export function continues(line: string): boolean {
  return /^\d{3}-/.test(line);
}

export function codeOf(line: string): number {
  const m = /^(\d{3})(?:[ -]|$)/.exec(line);
  return m === null ? 0 : Number(m[1]);
}
