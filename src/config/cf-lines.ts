// sendmail.cf lines (config-formats.md §4): used for whole .cf files and for the LOCAL_CONFIG and
// MAILER_DEFINITIONS sections of an .mc. Rulesets are not executed.

import type { Location } from '../util/diagnostics.js';
import { parseAccessMapSpec } from './access-map.js';
import { parseClassFileArg, splitClassName } from './class-spec.js';
import type { ConfigLayer } from './layer.js';
import {
  ACCEPTED_MAILERS,
  localSpecFromMailer,
  parseMailerLine,
  progMailerValueOf,
  progSpecFromMailer,
} from './mailers.js';

export interface CfLine {
  text: string;
  line: number;
  /** Set when lines of one block come from different files (an .mc section with include()s). */
  file?: string;
}

/** Joins continuation lines (starting with a space or tab) to the line they continue. */
export function foldLines(lines: readonly CfLine[]): CfLine[] {
  const out: CfLine[] = [];
  for (const l of lines) {
    const prev = out[out.length - 1];
    if ((l.text.startsWith(' ') || l.text.startsWith('\t')) && prev !== undefined && prev.text !== '') {
      prev.text += l.text;
    } else {
      out.push({ ...l });
    }
  }
  for (const l of out) l.text = l.text.replace(/\s+$/, '');
  return out;
}

export function foldCfLines(text: string): CfLine[] {
  return foldLines(text.split(/\r?\n/).map((t, i) => ({ text: t, line: i + 1 })));
}

/** Maps sendmail generates by itself or for features Postern implements natively. */
const KNOWN_MAPS = new Set([
  'dnsbl',
  'ednsbl',
  'resolve',
  'mxserved',
  'macro',
  'arith',
  'dequote',
  'host',
  'storage',
  'bestmx',
  'canon',
  'user',
  'RBL',
]);

export interface CfContext {
  /** How to treat S and R lines: silently (a whole cf) or with a warning (an .mc section). */
  rulesets: 'silent' | 'warn';
}

export function applyCfLines(lines: readonly CfLine[], file: string, layer: ConfigLayer, ctx: CfContext): void {
  let warnedRules = false;
  for (const l of lines) {
    const at: Location = { file: l.file ?? file, line: l.line };
    const t = l.text;
    if (t === '' || t.startsWith('#') || /^\s+$/.test(t)) continue;
    const type = t[0]!;
    const body = t.slice(1);
    switch (type) {
      case 'V':
        version(body, at, layer);
        break;
      case 'O':
        option(body, at, layer);
        break;
      case 'D':
        macro(body, at, layer);
        break;
      case 'C':
      case 'T':
        classWords(type, body, at, layer);
        break;
      case 'F':
        classFile(body, at, layer);
        break;
      case 'K':
        mapDecl(body, at, layer);
        break;
      case 'M':
        mailer(body, at, layer);
        break;
      case 'H':
        header(body, at, layer);
        break;
      case 'P':
        precedence(body, at, layer);
        break;
      case 'S':
      case 'R':
        if (ctx.rulesets === 'warn' && !warnedRules) {
          layer.diags.warning('rulesets are not supported: S and R lines ignored', at);
          warnedRules = true;
        }
        break;
      case 'Q':
        queueGroup(body, at, layer);
        break;
      case 'X':
        layer.diags.error(`mail filters (milters) are not supported: X${body.split(',')[0]!.trim()}`, at);
        break;
      case 'E':
        layer.diags.warning(`environment line E${body.split('=')[0]} ignored (Postern sets the delivery environment itself)`, at);
        break;
      default:
        if (/\s/.test(type)) layer.diags.error(`continuation line with no line to continue: "${t.trim().slice(0, 60)}"`, at);
        else layer.diags.error(`unknown configuration line type "${type}"`, at);
    }
  }
}

function version(body: string, at: Location, layer: ConfigLayer): void {
  const m = /^(\d+)(?:\/(\S+))?/.exec(body.trim());
  if (m === null) {
    layer.diags.error(`bad version line V${body}`, at);
    return;
  }
  const level = Number(m[1]);
  layer.info.cfLevel = { value: level, at };
  if (m[2] !== undefined) layer.info.vendor = m[2];
  if (level < 10) layer.diags.warning(`configuration version level ${level} is older than 10 (sendmail 8.10+)`, at);
}

function option(body: string, at: Location, layer: ConfigLayer): void {
  if (body.startsWith(' ') || body.startsWith('\t')) {
    const text = body.trim();
    const m = /^([^\s=]+)\s*(?:=(.*))?$/s.exec(text);
    if (m === null) {
      layer.diags.error(`bad option line "O ${text}" (expected O Name=value)`, at);
      return;
    }
    layer.setLong(m[1]!, m[2] ?? '', at);
    return;
  }
  if (body === '') {
    layer.diags.error('empty option line', at);
    return;
  }
  layer.setLetter(body[0]!, body.slice(1), at);
}

function macro(body: string, at: Location, layer: ConfigLayer): void {
  const c = splitClassName(body);
  if (!c.ok) {
    layer.diags.error(`macro definition: ${c.message}`, at);
    return;
  }
  layer.setMacro(c.cls, c.rest, at);
  if (c.cls === 'S' && c.rest.trim() !== '') layer.info.smartHost = { value: c.rest.trim(), at };
}

function classWords(type: string, body: string, at: Location, layer: ConfigLayer): void {
  if (type === 'T') {
    layer.addClassWords('t', body.trim().split(/\s+/).filter((w) => w !== ''), at);
    return;
  }
  const c = splitClassName(body);
  if (!c.ok) {
    layer.diags.error(`class definition: ${c.message}`, at);
    return;
  }
  layer.addClassWords(c.cls, c.rest.trim().split(/\s+/).filter((w) => w !== ''), at);
}

function classFile(body: string, at: Location, layer: ConfigLayer): void {
  const c = splitClassName(body);
  if (!c.ok) {
    layer.diags.error(`class file: ${c.message}`, at);
    return;
  }
  const f = parseClassFileArg(c.rest);
  if (!f.ok) {
    layer.diags.error(`F${c.cls.length > 1 ? `{${c.cls}}` : c.cls}: ${f.message}`, at);
    return;
  }
  layer.addClassFile({ cls: c.cls, path: f.path, optional: f.optional, at, ...(f.pattern ? { pattern: f.pattern } : {}) });
}

function mapDecl(body: string, at: Location, layer: ConfigLayer): void {
  const m = /^(\S+)\s*(.*)$/s.exec(body.trim());
  if (m === null) {
    layer.diags.error('map declaration without a name', at);
    return;
  }
  const name = m[1]!;
  if (name === 'access') {
    const r = parseAccessMapSpec(m[2]!, layer.accessMap?.flags ?? [], at);
    if (!r.ok) layer.diags.error(`Kaccess: ${r.message}`, at);
    else layer.accessMap = r.spec;
    return;
  }
  if (name === 'mailertable') {
    const r = parseAccessMapSpec(m[2]!, [], at, 'mailertable');
    if (!r.ok) layer.diags.error(`Kmailertable: ${r.message}`, at);
    else layer.mailertable = r.spec;
    return;
  }
  if (!KNOWN_MAPS.has(name)) layer.diags.warning(`map ${name} is not used by Postern; ignored`, at);
}

function mailer(body: string, at: Location, layer: ConfigLayer): void {
  const r = parseMailerLine(body, at);
  if (!r.ok) {
    layer.diags.error(r.message, at);
    return;
  }
  const m = r.mailer;
  if (!ACCEPTED_MAILERS.has(m.name)) {
    layer.diags.error(`mailer ${m.name} is not supported in Postern v1`, at);
    return;
  }
  layer.mailers.set(m.name, m);
  if (m.name === 'prog') {
    const spec = progSpecFromMailer(m);
    layer.progMailer = spec;
    layer.setTyped('ProgMailer', progMailerValueOf(spec), `P=${spec.path}`, at);
  } else if (m.name === 'local') {
    layer.localMailer = localSpecFromMailer(m);
  }
}

function header(body: string, at: Location, layer: ConfigLayer): void {
  const m = /^(?:\?[^?]*\?)?([^:\s]+)\s*:\s*(.*)$/s.exec(body);
  if (m === null) {
    layer.diags.error(`bad header template H${body}`, at);
    return;
  }
  if (m[1]!.toLowerCase() === 'received') layer.headers.set('Received', { value: m[2]!, at });
}

function precedence(body: string, at: Location, layer: ConfigLayer): void {
  const m = /^\s*([^=\s]+)\s*=\s*(-?\d+)\s*$/.exec(body);
  if (m === null) {
    layer.diags.error(`bad precedence line P${body} (expected Pname=number)`, at);
    return;
  }
  layer.precedence.set(m[1]!.toLowerCase(), { value: Number(m[2]), at });
}

function queueGroup(body: string, at: Location, layer: ConfigLayer): void {
  const name = body.split(',')[0]!.trim();
  if (name !== 'mqueue') {
    layer.diags.error(`queue group ${name}: only the default queue group (mqueue) is supported in Postern v1`, at);
  }
}
