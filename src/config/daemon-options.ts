// DaemonPortOptions (config-formats.md §5.4): one value describes one listener.

import { isIP } from 'node:net';
import { fail, ok, parseInteger, type Parsed } from './values.js';

export type ListenerFamily = 'inet' | 'inet6';

export interface ListenerModifiers {
  /** `a`: AUTH required before MAIL. */
  requireAuth: boolean;
  /** `A`: AUTH not offered. */
  noAuth: boolean;
  /** `E`: ETRN refused. */
  noEtrn: boolean;
  /** `S`: STARTTLS not offered. */
  noStarttls: boolean;
  /** `s`: TLS from the first byte (port 465 style). */
  tlsWrapper: boolean;
  /** `u`: unqualified sender addresses allowed. */
  allowUnqualified: boolean;
  /** `f`: qualified sender addresses required. */
  requireQualified: boolean;
  /** `O`: a failure to bind is not fatal. */
  optional: boolean;
}

export interface ListenerSpec {
  /** `${daemon_name}`. */
  name: string;
  /** An IP literal, or a host name to be resolved by the server. */
  addr: string;
  port: number;
  family: ListenerFamily;
  /** listen(2) backlog, when configured. */
  backlog?: number;
  /** The modifier letters as configured (`${daemon_flags}`), including the ignored b/c/C. */
  modifierLetters: string;
  modifiers: ListenerModifiers;
  /** The configured text, for display. */
  raw: string;
}

const SERVICES: Record<string, number> = { smtp: 25, submission: 587, smtps: 465 };

const MODIFIER_LETTERS: Record<string, keyof ListenerModifiers | null> = {
  a: 'requireAuth',
  A: 'noAuth',
  E: 'noEtrn',
  S: 'noStarttls',
  s: 'tlsWrapper',
  u: 'allowUnqualified',
  f: 'requireQualified',
  O: 'optional',
  b: null,
  c: null,
  C: null,
};

function noModifiers(): ListenerModifiers {
  return {
    requireAuth: false,
    noAuth: false,
    noEtrn: false,
    noStarttls: false,
    tlsWrapper: false,
    allowUnqualified: false,
    requireQualified: false,
    optional: false,
  };
}

function parsePort(v: string): Parsed<number> {
  const service = SERVICES[v.toLowerCase()];
  if (service !== undefined) return ok(service);
  if (!/^\d+$/.test(v)) return fail(`unknown service "${v}" in Port= (use a number, smtp, submission or smtps)`);
  return parseInteger(v, 0, 65535);
}

/**
 * Parses `Name=MTA, Port=smtp, Addr=127.0.0.1, M=Ea`. Like sendmail, keys are recognised by their
 * first letter (`Address=` is `Addr=`); keys sendmail has but Postern ignores give a warning.
 */
export function parseDaemonPortOptions(raw: string): Parsed<ListenerSpec> {
  const warnings: string[] = [];
  let name = 'MTA';
  let addr: string | undefined;
  let port = 25;
  let family: ListenerFamily | undefined;
  let backlog: number | undefined;
  let letters = '';
  for (const part of raw.split(',')) {
    const item = part.trim();
    if (item === '') continue;
    const eq = item.indexOf('=');
    if (eq <= 0) return fail(`DaemonPortOptions: "${item}" is not of the form Key=value`);
    const key = item.slice(0, eq).trim();
    const value = item.slice(eq + 1).trim();
    switch (key[0]) {
      case 'N':
      case 'n':
        if (value === '') return fail('DaemonPortOptions: empty Name=');
        name = value;
        break;
      case 'A':
      case 'a':
        addr = value;
        break;
      case 'P':
      case 'p': {
        const p = parsePort(value);
        if (!p.ok) return fail(`DaemonPortOptions: ${p.message}`);
        port = p.value;
        break;
      }
      case 'F':
      case 'f': {
        const f = value.toLowerCase();
        if (f !== 'inet' && f !== 'inet6') {
          return fail(`DaemonPortOptions: Family=${value} is not supported (inet or inet6)`);
        }
        family = f;
        break;
      }
      case 'L':
      case 'l': {
        const n = parseInteger(value, 1, 65535);
        if (!n.ok) return fail(`DaemonPortOptions: Listen=: ${n.message}`);
        backlog = n.value;
        break;
      }
      case 'M':
      case 'm':
        for (const c of value.replace(/[\s,]/g, '')) {
          if (!(c in MODIFIER_LETTERS)) {
            warnings.push(`DaemonPortOptions: modifier ${c} is not supported; ignored`);
            continue;
          }
          if (!letters.includes(c)) letters += c;
        }
        break;
      case 'I':
      case 'R':
      case 'S':
      case 'c':
      case 'D':
      case 'r':
      case 'd':
      case 'q':
        warnings.push(`DaemonPortOptions: ${key}= has no effect in Postern; ignored`);
        break;
      default:
        return fail(`DaemonPortOptions: unknown key ${key}=`);
    }
  }
  if (addr !== undefined && addr !== '') {
    const ipFamily = isIP(addr);
    const inferred: ListenerFamily | undefined = ipFamily === 6 ? 'inet6' : ipFamily === 4 ? 'inet' : undefined;
    if (family !== undefined && inferred !== undefined && family !== inferred) {
      return fail(`DaemonPortOptions: Addr=${addr} does not match Family=${family}`);
    }
    family = family ?? inferred ?? 'inet';
  } else {
    family = family ?? 'inet';
    addr = family === 'inet6' ? '::' : '0.0.0.0';
  }
  const modifiers = noModifiers();
  for (const c of letters) {
    const key = MODIFIER_LETTERS[c];
    if (key) modifiers[key] = true;
  }
  if (modifiers.requireAuth && modifiers.noAuth) {
    return fail('DaemonPortOptions: modifiers a (require AUTH) and A (no AUTH) contradict each other');
  }
  const spec: ListenerSpec = { name, addr, port, family, modifierLetters: letters, modifiers, raw: raw.trim() };
  if (backlog !== undefined) spec.backlog = backlog;
  return ok(spec, warnings);
}

export function formatListener(l: ListenerSpec): string {
  const parts = [`Name=${l.name}`, `Addr=${l.addr}`, `Port=${l.port}`, `Family=${l.family}`];
  if (l.backlog !== undefined) parts.push(`Listen=${l.backlog}`);
  if (l.modifierLetters !== '') parts.push(`M=${l.modifierLetters}`);
  return parts.join(', ');
}

function defaultListener(raw: string): ListenerSpec {
  const r = parseDaemonPortOptions(raw);
  // The built-in texts below are constants; failing to parse them is a programming error.
  if (!r.ok) throw new Error(`built-in listener "${raw}": ${r.message}`);
  return r.value;
}

/** No configuration file: one loopback listener on an unprivileged port (embedded mode). */
export function embeddedListeners(): ListenerSpec[] {
  return [defaultListener('Name=MTA, Addr=127.0.0.1, Port=2525')];
}

/** sendmail's defaults for a configuration without DaemonPortOptions (cf/m4/proto.m4). */
export function sendmailDefaultListeners(withMsa: boolean): ListenerSpec[] {
  const out = [defaultListener('Name=MTA')];
  if (withMsa) out.push(defaultListener('Port=587, Name=MSA, M=E'));
  return out;
}

export function msaListener(): ListenerSpec {
  return defaultListener('Port=587, Name=MSA, M=E');
}
