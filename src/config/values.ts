// Parsers and printers for the scalar value syntaxes that sendmail options use (op.me §5.6,
// config-formats.md §5.1): booleans, integers, sizes, durations with units, octal modes.
// Every parser returns a result instead of throwing so loaders can attach file:line to the message.

export type Parsed<T> = { ok: true; value: T; warnings?: string[] } | { ok: false; message: string };

export function ok<T>(value: T, warnings?: string[]): Parsed<T> {
  return warnings !== undefined && warnings.length > 0 ? { ok: true, value, warnings } : { ok: true, value };
}

export function fail<T>(message: string): Parsed<T> {
  return { ok: false, message };
}

/**
 * sendmail's atobool() takes any word starting with t/T/y/Y as true and everything else as false;
 * Postern only accepts the words that clearly mean one or the other, so a typo is reported instead of
 * silently meaning False. An empty value means True (`O Name` with no `=`).
 */
export function parseBoolean(raw: string): Parsed<boolean> {
  const v = raw.trim();
  if (v === '') return ok(true);
  const c = v[0];
  if (c === 't' || c === 'T' || c === 'y' || c === 'Y') return ok(true);
  if (c === 'f' || c === 'F' || c === 'n' || c === 'N') return ok(false);
  return fail(`invalid boolean "${v}" (use True or False)`);
}

export function parseInteger(raw: string, min = 0, max = Number.MAX_SAFE_INTEGER): Parsed<number> {
  const v = raw.trim();
  if (!/^[+-]?\d+$/.test(v)) return fail(`invalid number "${v}"`);
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    return fail(`number ${v} out of range (${min}..${max === Number.MAX_SAFE_INTEGER ? 'max' : max})`);
  }
  return ok(n);
}

/** Sizes are plain byte counts in sendmail; no suffixes, so the meaning never depends on a guess. */
export function parseSize(raw: string): Parsed<number> {
  const v = raw.trim();
  if (!/^\d+$/.test(v)) return fail(`invalid size "${v}" (a number of bytes)`);
  const n = Number(v);
  if (!Number.isSafeInteger(n)) return fail(`size ${v} too large`);
  return ok(n);
}

const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

export type DurationUnit = 's' | 'm';

/**
 * sendmail's convtime(): numbers followed by s/m/h/d/w, concatenable (`2h30m`); a number without a
 * unit takes the option's default unit (minutes for most timeouts, seconds for a few). Result in ms.
 */
export function parseDuration(raw: string, defaultUnit: DurationUnit): Parsed<number> {
  const v = raw.trim();
  if (v === '' || !/^(\d+[smhdwSMHDW]?)+$/.test(v)) {
    return fail(`invalid duration "${v}" (a number with units s, m, h, d, w, e.g. 30m or 2h30m)`);
  }
  let total = 0;
  for (const m of v.matchAll(/(\d+)([smhdwSMHDW]?)/g)) {
    const unit = (m[2] === '' ? defaultUnit : m[2]!.toLowerCase()) as keyof typeof UNIT_MS;
    total += Number(m[1]) * UNIT_MS[unit]!;
  }
  if (!Number.isSafeInteger(total)) return fail(`duration "${v}" too large`);
  return ok(total);
}

/** Prints milliseconds back in sendmail's unit syntax, largest units first (`1h30m`, `0s`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const unit of ['w', 'd', 'h', 'm', 's'] as const) {
    const size = UNIT_MS[unit]!;
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  if (rest > 0) out += `${rest}ms`;
  return out;
}

/** Octal file modes, with or without the leading 0 (`0600`, `600`). */
export function parseMode(raw: string): Parsed<number> {
  const v = raw.trim();
  if (!/^[0-7]{1,5}$/.test(v)) return fail(`invalid file mode "${v}" (octal, e.g. 0600)`);
  const n = parseInt(v, 8);
  if (n > 0o7777) return fail(`file mode ${v} out of range`);
  return ok(n);
}

export function formatMode(mode: number): string {
  return '0' + mode.toString(8).padStart(3, '0');
}

/** Splits a list value at commas and/or white space, dropping empty items. */
export function splitList(raw: string, separators: RegExp = /[\s,]+/): string[] {
  return raw
    .split(separators)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
