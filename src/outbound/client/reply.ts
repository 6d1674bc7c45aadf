// A reply from the peer (RFC 5321 §4.2): its code, the enhanced status code (RFC 3463) when the text
// starts with one of the same class, and the text. Multi-line replies are joined with a space, the form
// DSNs and logs show.

import type { OutcomeReply } from './types.js';

export interface PeerReply extends OutcomeReply {
  /** the lines as received, without CR LF */
  lines: string[];
}

const ENH = /^([245])\.(\d{1,3})\.(\d{1,3})(?: |$)/;

/** The text part of one line: after `250-`/`250 `, and after the enhanced code when there is one. */
function lineText(line: string, cls: string): { text: string; enh?: string } {
  const rest = line.slice(4);
  const m = ENH.exec(rest);
  if (m !== null && m[1] === cls) return { text: rest.slice(m[0].length), enh: `${m[1]}.${m[2]}.${m[3]}` };
  return { text: rest };
}

/** Builds a reply from its complete lines (all checked by isReplyLine, the last one ends the reply). */
export function parseReply(lines: string[]): PeerReply {
  const code = Number(lines[0]!.slice(0, 3));
  const cls = String(code).charAt(0);
  const parts = lines.map((l) => lineText(l, cls));
  const enh = parts[0]!.enh;
  const text = parts
    .map((p) => p.text.trim())
    .filter((t) => t !== '')
    .join(' ');
  return enh !== undefined ? { code, enh, text, lines } : { code, text, lines };
}

/** A well-formed reply line: three digits (2–5 first), then space, hyphen or the end. */
export function isReplyLine(line: string): boolean {
  return /^[2-5]\d\d(?:[ -]|$)/.test(line);
}

/** The line continues the reply (`250-...`). */
export function continues(line: string): boolean {
  return line.charAt(3) === '-';
}

/** Shown in logs and errors: `550 5.1.1 text`. */
export function formatReply(r: OutcomeReply): string {
  return r.enh !== undefined ? `${r.code} ${r.enh} ${r.text}` : `${r.code} ${r.text}`;
}

/** Only the fields of an outcome (the lines stay behind). */
export function outcomeReply(r: OutcomeReply): OutcomeReply {
  return r.enh !== undefined ? { code: r.code, enh: r.enh, text: r.text } : { code: r.code, text: r.text };
}
