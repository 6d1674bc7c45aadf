// Value kinds of the option model: how a configured text becomes a typed value, how a value is shown
// (in sendmail syntax, so `config show` output can be pasted back into a file), and its JSON form.

import { formatDontBlame, parseDontBlame, type DontBlameValue } from './dont-blame.js';
import { formatListener, parseDaemonPortOptions, type ListenerSpec } from './daemon-options.js';
import { formatDnsServer, parseDnsServers, type DnsServer } from './dns-servers.js';
import { formatPrivacy, parsePrivacy, type PrivacyValue } from './privacy.js';
import {
  fail,
  formatDuration,
  formatMode,
  ok,
  parseBoolean,
  parseDuration,
  parseInteger,
  parseMode,
  parseSize,
  splitList,
  type DurationUnit,
  type Parsed,
} from './values.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface Kind<T> {
  /** Short description for messages and docs ("duration", "boolean"...). */
  readonly label: string;
  parse(raw: string): Parsed<T>;
  format(value: T): string;
  toJson(value: T): JsonValue;
}

export const booleanKind: Kind<boolean> = {
  label: 'boolean',
  parse: parseBoolean,
  format: (v) => (v ? 'True' : 'False'),
  toJson: (v) => v,
};

export function integerKind(min = 0, max = Number.MAX_SAFE_INTEGER): Kind<number> {
  return { label: 'integer', parse: (r) => parseInteger(r, min, max), format: String, toJson: (v) => v };
}

export const sizeKind: Kind<number> = { label: 'size in bytes', parse: parseSize, format: String, toJson: (v) => v };

export function durationKind(defaultUnit: DurationUnit, allowNow = false): Kind<number> {
  return {
    label: `duration (bare number = ${defaultUnit === 'm' ? 'minutes' : 'seconds'})`,
    parse: (r) => (allowNow && r.trim().toLowerCase() === 'now' ? ok(0) : parseDuration(r, defaultUnit)),
    format: formatDuration,
    toJson: (v) => v,
  };
}

export const modeKind: Kind<number> = { label: 'octal mode', parse: parseMode, format: formatMode, toJson: (v) => v };

/** Free text, as given (the loaders trim unquoted values). */
export const stringKind: Kind<string> = {
  label: 'string',
  parse: (r) => ok(r),
  format: (v) => v,
  toJson: (v) => v,
};

export function listKind(separators: RegExp, joiner: string, label = 'list'): Kind<string[]> {
  return {
    label,
    parse: (r) => ok(splitList(r, separators)),
    format: (v) => v.join(joiner),
    toJson: (v) => [...v],
  };
}

/** An enumeration where, as in sendmail, the first letter selects the value (`d b` = background). */
export function enumKind<T extends string>(values: readonly T[], byFirstLetter: boolean): Kind<T> {
  return {
    label: `one of ${values.join(', ')}`,
    parse(raw) {
      const v = raw.trim().toLowerCase();
      const exact = values.find((x) => x.toLowerCase() === v);
      if (exact !== undefined) return ok(exact);
      if (byFirstLetter && v !== '') {
        const byLetter = values.find((x) => x[0]!.toLowerCase() === v[0]);
        if (byLetter !== undefined) return ok(byLetter);
      }
      return fail(`invalid value "${raw.trim()}" (${values.join(', ')})`);
    },
    format: (v) => v,
    toJson: (v) => v,
  };
}

export const privacyKind: Kind<PrivacyValue> = {
  label: 'PrivacyOptions flags',
  parse: parsePrivacy,
  format: formatPrivacy,
  toJson: (v) => ({ words: [...v.words], flags: [...v.flags].sort() }),
};

export const dontBlameKind: Kind<DontBlameValue> = {
  label: 'DontBlameSendmail flags',
  parse: parseDontBlame,
  format: formatDontBlame,
  toJson: (v) => [...v.flags],
};

/** One listener per configured value; the layer accumulates them into a list. */
export const listenersKind: Kind<ListenerSpec[]> = {
  label: 'listener (Name=, Addr=, Port=, Family=, Listen=, M=)',
  parse(raw) {
    const r = parseDaemonPortOptions(raw);
    return r.ok ? ok([r.value], r.warnings) : r;
  },
  format: (v) => v.map(formatListener).join(' | '),
  toJson: (v) =>
    v.map((l) => {
      const o: { [key: string]: JsonValue } = {
        name: l.name,
        addr: l.addr,
        port: l.port,
        family: l.family,
        modifiers: l.modifierLetters,
      };
      if (l.backlog !== undefined) o['backlog'] = l.backlog;
      return o;
    }),
};

export const dnsServersKind: Kind<DnsServer[] | undefined> = {
  label: 'list of ip, ip:port, [ipv6]:port',
  parse(raw) {
    if (raw.trim() === '') return ok(undefined);
    const r = parseDnsServers(raw);
    return r.ok ? ok<DnsServer[] | undefined>(r.value) : r;
  },
  format: (v) => (v === undefined ? '' : v.map(formatDnsServer).join(', ')),
  toJson: (v) => (v === undefined ? null : v.map((s) => ({ address: s.address, port: s.port, family: s.family }))),
};

export type ProgMailerValue = { kind: 'smrsh' } | { kind: 'shell' } | { kind: 'external'; path: string };

/** ProgMailer [Postern extension] (program-and-file-delivery.md §1): smrsh, external:<path>, shell. */
export const progMailerKind: Kind<ProgMailerValue> = {
  label: 'smrsh, external:<path> or shell',
  parse(raw) {
    const v = raw.trim();
    if (v.toLowerCase() === 'smrsh') return ok({ kind: 'smrsh' });
    if (v.toLowerCase() === 'shell') return ok({ kind: 'shell' });
    if (v.toLowerCase().startsWith('external:')) {
      const path = v.slice('external:'.length).trim();
      if (!path.startsWith('/')) return fail(`external: needs an absolute path, got "${path}"`);
      return ok({ kind: 'external', path });
    }
    return fail(`invalid value "${v}" (smrsh, external:<path> or shell)`);
  },
  format: (v) => (v.kind === 'external' ? `external:${v.path}` : v.kind),
  toJson: (v) => (v.kind === 'external' ? `external:${v.path}` : v.kind),
};

/** DontProbeInterfaces takes True, False or `loopback` (relay-and-access.md §1). */
export const probeInterfacesKind: Kind<boolean | 'loopback'> = {
  label: 'True, False or loopback',
  parse(raw) {
    if (raw.trim().toLowerCase() === 'loopback') return ok('loopback');
    return parseBoolean(raw);
  },
  format: (v) => (v === 'loopback' ? 'loopback' : v ? 'True' : 'False'),
  toJson: (v) => v,
};

const ALIAS_PREFIXES_IGNORED = ['implicit', 'hash', 'btree', 'dbm', 'cdb'];
const ALIAS_PREFIXES_REFUSED = ['nis', 'ldap', 'nisplus', 'hesiod'];

/** AliasFile: comma-separated files; sendmail's map class prefixes are accepted and dropped. */
export const aliasFileKind: Kind<string[]> = {
  label: 'comma-separated alias files',
  parse(raw) {
    const out: string[] = [];
    for (const item of splitList(raw, /\s*,\s*/)) {
      const m = /^([A-Za-z0-9_]+):(.*)$/s.exec(item);
      if (m === null) {
        out.push(item);
        continue;
      }
      const prefix = m[1]!.toLowerCase();
      if (ALIAS_PREFIXES_REFUSED.includes(prefix)) return fail(`AliasFile: ${prefix}: alias maps are not supported`);
      if (!ALIAS_PREFIXES_IGNORED.includes(prefix)) return fail(`AliasFile: unknown map class ${m[1]}:`);
      out.push(m[2]!.trim());
    }
    return ok(out);
  },
  format: (v) => v.join(','),
  toJson: (v) => [...v],
};
