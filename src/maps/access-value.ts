// Access map values (relay-and-access.md §2.2): each right-hand side is classified once, at load time,
// into one of the forms the policy acts on. Anything else is a load-time error [Postern].

import { rebuildErrorText } from './access-error-text.js';
import type { AccessTag } from './access-key.js';

export type AccessValue =
  | { readonly kind: 'ok' | 'relay' | 'reject' | 'discard' | 'skip' | 'friend' | 'hater'; readonly raw: string }
  | { readonly kind: 'quarantine'; readonly raw: string; readonly reason: string }
  | AccessErrorValue
  | { readonly kind: 'number'; readonly raw: string; readonly value: number };

export interface AccessErrorValue {
  readonly kind: 'error';
  /** The value as written in the file. */
  readonly raw: string;
  /** Reply code, 4xx or 5xx. */
  readonly code: number;
  /** The enhanced code written in the value, or the class default `4.0.0` / `5.0.0` (smtp-session.md §1 rule 2). */
  readonly enhanced: string;
  readonly enhancedGiven: boolean;
  /** The reply text: quotes removed, or white space rebuilt as sendmail's tokenizer does (§2.2). */
  readonly text: string;
  /** Written in double quotes: sent exactly as written. */
  readonly quoted: boolean;
  /** A 421 reply closes the session after it is sent. */
  readonly closes: boolean;
  /** The deprecated form `ddd text` without `ERROR:` (audit: access-numeric-rhs). */
  readonly deprecatedForm: boolean;
}

/** Which right-hand sides a key's tag accepts. */
export type ValueGroup = 'action' | 'spam' | 'number';

export function valueGroupOf(tag: AccessTag | undefined): ValueGroup {
  if (tag === 'Spam') return 'spam';
  if (tag === 'GreetPause' || tag === 'ClientRate' || tag === 'ClientConn') return 'number';
  return 'action';
}

export type ValueParse = { ok: true; value: AccessValue; warning?: string } | { ok: false; message: string };

const PLAIN: Readonly<Record<string, 'ok' | 'relay' | 'reject' | 'discard' | 'skip'>> = {
  OK: 'ok',
  RELAY: 'relay',
  REJECT: 'reject',
  DISCARD: 'discard',
  SKIP: 'skip',
};

const ACTION_FORMS = 'OK, RELAY, REJECT, DISCARD, SKIP, QUARANTINE:reason, ERROR:ddd text, ERROR:D.S.N:ddd text';
const ENHANCED_PREFIX = /^([245]\.\d{1,3}\.\d{1,3}):/;
const CODE_AND_TEXT = /^(\d{3})(?:[ \t]+([\s\S]*))?$/;
const TEXT_ENHANCED = /^([245]\.\d{1,3}\.\d{1,3})[ \t]+([\s\S]*)$/;
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;
const CONTROLS = /[\x00-\x08\x0a-\x1f\x7f]/g;

/** The inside of a text that is one double-quoted string from start to end. */
function quotedInner(s: string): string | undefined {
  return s.length >= 2 && s.startsWith('"') && s.indexOf('"', 1) === s.length - 1 ? s.slice(1, -1) : undefined;
}

/**
 * `ddd text` with an optional enhanced code at the front of the text (`550 5.7.1 text`, which sendmail
 * recognises too). `body` is what follows `ERROR:` and the optional `D.S.N:`; either all of it or the
 * text after the code may be in double quotes.
 */
function parseErrorBody(raw: string, body: string, given: string | undefined, deprecatedForm: boolean, specials: ReadonlySet<string>): ValueParse {
  const trimmed = body.trim();
  const whole = quotedInner(trimmed);
  const m = CODE_AND_TEXT.exec(whole ?? trimmed);
  if (m === null) return { ok: false, message: `"${raw}" does not give a reply code (ERROR:ddd text or ERROR:D.S.N:ddd text)` };
  const code = Number(m[1]);
  if (code < 400 || code > 599) return { ok: false, message: `reply code ${m[1]!} in "${raw}" is not 4xx or 5xx` };
  let text = m[2] ?? '';
  let quoted = whole !== undefined;
  if (!quoted) {
    text = text.trim();
    const inner = quotedInner(text);
    if (inner !== undefined) {
      quoted = true;
      text = inner;
    }
  }
  let enhanced = given;
  if (enhanced === undefined) {
    const t = TEXT_ENHANCED.exec(text);
    if (t !== null) {
      enhanced = t[1]!;
      text = t[2]!;
    }
  }
  if (!quoted) text = rebuildErrorText(text, specials);
  if (text === '') return { ok: false, message: `"${raw}" has a reply code but no text` };
  let warning: string | undefined;
  if (enhanced !== undefined && enhanced[0] !== m[1]![0]) {
    warning = `enhanced code ${enhanced} does not match reply code ${code} in "${raw}"`;
  }
  const value: AccessErrorValue = {
    kind: 'error',
    raw,
    code,
    enhanced: enhanced ?? (code >= 500 ? '5.0.0' : '4.0.0'),
    enhancedGiven: enhanced !== undefined,
    text,
    quoted,
    closes: code === 421,
    deprecatedForm,
  };
  return warning === undefined ? { ok: true, value } : { ok: true, value, warning };
}

function parseAction(raw: string, specials: ReadonlySet<string>): ValueParse {
  const upper = raw.toUpperCase();
  const plain = PLAIN[upper];
  if (plain !== undefined) return { ok: true, value: { kind: plain, raw } };
  if (upper.startsWith('QUARANTINE:')) {
    const reason = raw.slice('QUARANTINE:'.length).trim();
    if (reason === '') return { ok: false, message: 'QUARANTINE: needs a reason (QUARANTINE:reason)' };
    return { ok: true, value: { kind: 'quarantine', raw, reason } };
  }
  if (upper.startsWith('ERROR:')) {
    let body = raw.slice('ERROR:'.length).trimStart();
    let given: string | undefined;
    const e = ENHANCED_PREFIX.exec(body);
    if (e !== null) {
      given = e[1]!;
      body = body.slice(e[0].length);
    } else if (/^\d+\.\d+\.\d+:/.test(body)) {
      return { ok: false, message: `"${raw}" has an invalid enhanced status code (D.S.N with D 2, 4 or 5)` };
    }
    return parseErrorBody(raw, body, given, false, specials);
  }
  if (/^\d{3}(?:[ \t]|$)/.test(raw)) return parseErrorBody(raw, raw, undefined, true, specials);
  if (upper === 'FRIEND' || upper === 'HATER') return { ok: false, message: `${upper} is only valid for Spam: keys` };
  const hint = raw.includes('#') ? ' (a # comment must be on a line of its own)' : '';
  return { ok: false, message: `"${raw}" is not an access value (${ACTION_FORMS})${hint}` };
}

/**
 * Classifies one right-hand side for keys of the given group. `specials` are the tokenizer's special
 * characters (access-error-text.ts).
 */
export function parseAccessValue(raw: string, group: ValueGroup, specials: ReadonlySet<string>): ValueParse {
  // ERROR texts and QUARANTINE reasons go into replies and queue files: a stray CR must not.
  if (CONTROL.test(raw)) return { ok: false, message: `"${raw.replace(CONTROLS, '?')}" contains a control character` };
  if (group === 'spam') {
    const upper = raw.toUpperCase();
    if (upper === 'FRIEND') return { ok: true, value: { kind: 'friend', raw } };
    if (upper === 'HATER') return { ok: true, value: { kind: 'hater', raw } };
    return { ok: false, message: `Spam: entries take FRIEND or HATER, not "${raw}"` };
  }
  if (group === 'number') {
    if (!/^\d{1,15}$/.test(raw)) return { ok: false, message: `"${raw}" is not a number (GreetPause:, ClientRate: and ClientConn: take a number)` };
    return { ok: true, value: { kind: 'number', raw, value: Number(raw) } };
  }
  return parseAction(raw, specials);
}
