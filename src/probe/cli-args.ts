// The command line of `postern probe` (audit-and-probe.md §3.1), read into settings or a usage error.

import { isIP } from 'node:net';
import { parseSeverity, type Severity } from '../audit/findings.js';
import type { ReportFormat } from '../audit/report.js';
import { parseTarget } from './target.js';
import type { SettingsInput, TlsMode } from './settings.js';

export const PROBE_USAGE =
  'usage: postern probe <host>[:<port>] [--helo <name>] [--from <addr>] [--domain <d>] [--rcpt-local <addr>]\n' +
  '                     [--relay-target <addr>] [--tls|--no-tls] [--smuggling --send] [--source <ip>]\n' +
  '                     [--timeout <seconds>] [--json|--sarif] [--fail-on <severity>] [-v]\n' +
  'Nothing that could be delivered is ever sent unless --send is given: --smuggling sends its test\n' +
  'messages to --rcpt-local only, and only with --send. --source binds the probe to that local address.\n';

export type ProbeArgs =
  | { help: true }
  | {
      help: false;
      input: SettingsInput;
      format: ReportFormat;
      failOn?: Severity;
      verbose: boolean;
    };

const VALUED = new Set(['--helo', '--from', '--domain', '--rcpt-local', '--relay-target', '--timeout', '--fail-on', '--source']);
const FLAGS = new Set(['--tls', '--no-tls', '--smuggling', '--send', '--json', '--sarif', '-v', '--verbose', '-h', '--help']);

// Values go into SMTP command lines verbatim: no spaces, no angle brackets, no control characters.
const ADDRESS = /^[^\s<>@\x00-\x1f\x7f]+@[^\s<>@\x00-\x1f\x7f]+$/;
const DOMAIN = /^(?:[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*\.?|\[[A-Za-z0-9.:]+\])$/;

function checkValue(name: string, v: string): string | undefined {
  switch (name) {
    case '--from':
    case '--rcpt-local':
    case '--relay-target':
      return ADDRESS.test(v) ? undefined : `${name} ${JSON.stringify(v)}: expected user@domain`;
    case '--helo':
    case '--domain':
      return DOMAIN.test(v) ? undefined : `${name} ${JSON.stringify(v)}: expected a domain name or address literal`;
    case '--timeout': {
      const n = Number(v);
      return /^\d+(\.\d+)?$/.test(v) && n > 0 && n <= 3600 ? undefined : `--timeout ${JSON.stringify(v)}: expected seconds (0 < n <= 3600)`;
    }
    case '--source':
      return isIP(v) !== 0 ? undefined : `--source ${JSON.stringify(v)}: expected an IP address of this host`;
    case '--fail-on':
      return parseSeverity(v) !== undefined ? undefined : `--fail-on ${JSON.stringify(v)}: expected critical, high, medium, low or info`;
    default:
      return undefined;
  }
}

/** The parsed command line, or a usage error message. */
export function parseProbeArgs(argv: readonly string[]): ProbeArgs | string {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const name = eq === -1 ? a : a.slice(0, eq);
    if (VALUED.has(name)) {
      const v = eq === -1 ? argv[++i] : a.slice(eq + 1);
      if (v === undefined) return `${name} needs a value`;
      const bad = checkValue(name, v);
      if (bad !== undefined) return bad;
      values.set(name, v);
    } else if (FLAGS.has(a)) flags.add(a);
    else if (a.startsWith('-')) return `unknown option ${a}`;
    else positional.push(a);
  }
  if (flags.has('-h') || flags.has('--help')) return { help: true };
  if (positional.length !== 1) return positional.length === 0 ? 'missing <host>' : `one target only (got ${positional.join(' ')})`;
  const target = parseTarget(positional[0]!);
  if (typeof target === 'string') return target;
  if (flags.has('--tls') && flags.has('--no-tls')) return '--tls and --no-tls exclude each other';
  if (flags.has('--json') && flags.has('--sarif')) return '--json and --sarif exclude each other';
  if (flags.has('--smuggling') && !values.has('--rcpt-local')) return '--smuggling needs --rcpt-local <addr>, a mailbox of yours on the target';
  // The rule: no message that could be delivered without the operator's explicit --send.
  if (flags.has('--smuggling') && !flags.has('--send')) return '--smuggling sends test messages: add --send to allow it';
  const tls: TlsMode = flags.has('--tls') ? 'force' : flags.has('--no-tls') ? 'off' : 'auto';
  const opt = (k: string): string | undefined => values.get(k);
  const input: SettingsInput = { target, tls, smuggling: flags.has('--smuggling') };
  if (opt('--helo') !== undefined) input.helo = opt('--helo')!;
  if (opt('--from') !== undefined) input.from = opt('--from')!;
  if (opt('--domain') !== undefined) input.domain = opt('--domain')!;
  if (opt('--rcpt-local') !== undefined) input.rcptLocal = opt('--rcpt-local')!;
  if (opt('--relay-target') !== undefined) input.relayTarget = opt('--relay-target')!;
  if (opt('--timeout') !== undefined) input.timeoutMs = Math.round(Number(opt('--timeout')) * 1000);
  if (opt('--source') !== undefined) input.localAddress = opt('--source')!;
  const failOn = opt('--fail-on') !== undefined ? parseSeverity(opt('--fail-on')!) : undefined;
  return {
    input,
    format: flags.has('--json') ? 'json' : flags.has('--sarif') ? 'sarif' : 'text',
    ...(failOn !== undefined ? { failOn } : {}),
    verbose: flags.has('-v') || flags.has('--verbose'),
    help: false,
  };
}

