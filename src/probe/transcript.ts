// The record of one probe session: every octet sent and every line received, in order, so that an
// operator can see exactly what the verdict of a check rests on (audit-and-probe.md §3.1). Sent data is
// shown line by line with its real line ends made visible: a smuggling payload is only readable when a
// bare CR or LF is not silently turned into a line break.

export type TranscriptListener = (line: string) => void;

/** `<CR>` / `<LF>` for line-end octets that are not part of a CR LF pair, `<XX>` for other controls. */
export function visible(text: string): string {
  return text.replace(/[\x00-\x1f\x7f]/g, (c) => {
    if (c === '\r') return '<CR>';
    if (c === '\n') return '<LF>';
    return `<${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}>`;
  });
}

/**
 * Splits sent octets into display lines at CR LF; a final piece without CR LF is shown as is
 * (bare CR and LF inside a piece are made visible, never used as line breaks).
 */
export function sentLines(raw: string): string[] {
  const pieces = raw.split('\r\n');
  if (pieces[pieces.length - 1] === '') pieces.pop();
  return pieces.map(visible);
}

export class Transcript {
  private readonly entries: string[] = [];

  constructor(private readonly listener?: TranscriptListener) {}

  private push(line: string): void {
    this.entries.push(line);
    this.listener?.(line);
  }

  sent(raw: string): void {
    for (const l of sentLines(raw)) this.push(`>>> ${l}`);
  }

  received(line: string): void {
    this.push(`<<< ${visible(line)}`);
  }

  /** An event that is neither sent nor received (connect, TLS handshake, close, timeout). */
  note(text: string): void {
    this.push(`--- ${text}`);
  }

  get lines(): readonly string[] {
    return this.entries;
  }
}
