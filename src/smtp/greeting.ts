// The greeting built from SmtpGreetingMessage (smtp-session.md §2.2): split into lines, `ESMTP` after
// the first word of the first line, one leading blank dropped on later lines, 220- / 220. The greeting
// carries no enhanced status code (§1 rule 1).

import { compileMacros, type CompiledTemplate, type MacroLookup } from './macros.js';
import { multiline, type Reply } from './replies.js';
import { sanitizeValue } from './sanitize.js';

export const GREETING_CODE = 220;

/** Splits at real newlines and at the two-character sequence `\n` [Postern]. */
function splitLines(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\n') {
      lines.push(text.slice(start, i));
      start = i + 1;
    } else if (ch === '\\' && text[i + 1] === 'n') {
      lines.push(text.slice(start, i));
      start = i + 2;
      i++;
    }
  }
  lines.push(text.slice(start));
  return lines;
}

/** The greeting for an already expanded SmtpGreetingMessage. */
export function greetingReply(expanded: string): Reply {
  const lines = splitLines(expanded);
  // A control character left in a line (CR, from a value that escaped rule 5) must never reach the wire.
  const texts = lines.map((raw, i) => {
    if (i > 0) return sanitizeValue(raw.charAt(0) === ' ' || raw.charAt(0) === '\t' ? raw.slice(1) : raw);
    const line = sanitizeValue(raw);
    const space = line.indexOf(' ');
    return space < 0 ? `${line} ESMTP` : `${line.slice(0, space)} ESMTP${line.slice(space)}`;
  });
  return multiline(GREETING_CODE, texts);
}

/** Expands the option value with the connection's macros and builds the greeting. */
export function buildGreeting(template: string | CompiledTemplate, lookup: MacroLookup): Reply {
  const compiled = typeof template === 'string' ? compileMacros(template) : template;
  return greetingReply(compiled.expand(lookup));
}
