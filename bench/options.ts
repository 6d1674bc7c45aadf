// Command-line options of `npm run bench` (node dist/bench/run.js).

import { parseArgs } from 'node:util';
import type { PostfixMode } from './postfix.js';
import { parseCommand } from './spawn.js';
import { isMeasurable, type TargetSpec } from './targets.js';

export interface BenchOptions {
  /** Targets in the order they run; the first is the main one, a --compare target follows. */
  targets: TargetSpec[];
  sessions: number;
  size: number;
  rcpts: number;
  perConn: number;
  messages?: number;
  durationSec: number;
  warmupSec: number;
  /** Load runs per target (alternating order); the median is reported. */
  rounds: number;
  from: string;
  to: string;
  toCount: number;
  pipelining: boolean;
  ehlo: string;
  /** Idle connections per target; 0: no idle test. */
  idle: number;
  /** Cap on the idle connections for Postfix (one smtpd process each). */
  postfixIdle: number;
  idleHoldSec: number;
  idlePerSource: number;
  timeoutSec: number;
  json: boolean;
  jsonOut?: string;
  keep: boolean;
  aliasTarget: string;
  postfixMode: PostfixMode;
  /** --local: the local-delivery scenario instead of the SMTP load (bench/local-bench.ts). */
  local: boolean;
  localMessages: number;
  localFormats: Array<'mbox' | 'maildir'>;
  /** --local-fs: where each local run's queue and mailbox live. */
  localFs: 'fresh' | 'tmpdir';
  help: boolean;
}

export const DEFAULT_IDLE = 10000;

export const USAGE = `Usage: npm run bench -- [options]
       node dist/bench/run.js [options]

With no options: starts Postern from this checkout, runs the standard scenario (50 sessions,
10 KiB messages, 1 recipient, durable spool) and then the idle test (10,000 connections).

Target
  --target T          postern (default) | postfix | HOST:PORT
  --compare T         also run the same scenario against T (e.g. postfix) and print ratios
  --host H --port P   the same as --target H:P
  --spawn CMD         start the server at --host/--port with CMD (split on spaces, or a JSON
                      array of strings; no shell), measure it, stop it
  --server-pid PID    measure this process tree (repeatable) for a HOST:PORT target
  --postfix-mode M    discard (default): mail is discarded after it is queued | hold: mail stays
                      in the hold queue (no delivery work at all)
  --alias-target A    what the Postern instance's aliases expand to (default /dev/null)

Load
  --sessions N        concurrent SMTP sessions (default 50)
  --size BYTES        message size (default 10240)
  --rcpts N           recipients per message (default 1)
  --per-conn N        messages per connection before QUIT and reconnect (default 100)
  --messages N        messages to measure (default: measure for --duration)
  --duration S        measured seconds (default 10)
  --warmup S          seconds of load before measuring (default 2)
  --rounds N          run the load N times per target, alternating the order of the targets,
                      each on a fresh server, and report the median round (default 1)
  --from ADDR         envelope sender (default bench@localhost)
  --to PATTERN        recipient pattern, {n} is 1..--to-count (default user{n}@localhost)
  --to-count N        distinct recipients (default 100)
  --pipelining        MAIL, RCPT and DATA in one write when offered (default)
  --no-pipelining     one command per write, waiting for each reply
  --ehlo NAME         EHLO argument (default bench.localdomain)
  --timeout S         longest wait for a reply, and for any progress (default 30)

Idle test
  --idle N            idle connections to hold (default ${DEFAULT_IDLE} when the server is measured, else 0)
  --postfix-idle N    at most N idle connections for Postfix (default 1000: Postfix forks one
                      smtpd of about 1.2 MiB per connection)
  --idle-hold S       seconds to hold them (default 5)
  --idle-per-source N connections per loopback source address 127.0.0.2, .3... (default 5000)

Local delivery (--local: instead of the SMTP load and the idle test)
  --local             queue N messages for one account, release them, time the delivery into
                      its mailbox; with --compare postfix also Postfix's local(8); needs root
  --local-messages N  messages per run (default 2000)
  --formats LIST      mbox,maildir (default both)
  --local-fs KIND     fresh: each run's queue and mailbox on a freshly made ext4 (loop device; the
                      default, needs mkfs.ext4 and mount), tmpdir: in the temporary directory
  --rounds N          with --local: runs per server and format, order alternating; the ratio
                      reported is the median of the rounds' (default 1)

Output
  --json              print the report as JSON
  --json-out FILE     also write the JSON report to FILE
  --keep              keep the servers' temporary directories (configuration, spool, logs)
  --help
`;

function parseLocalFs(value: string | undefined): 'fresh' | 'tmpdir' {
  if (value === undefined || value === 'fresh' || value === 'tmpdir') return value ?? 'fresh';
  throw new Error(`--local-fs: expected fresh or tmpdir, got ${JSON.stringify(value)}`);
}

function int(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name}: expected an integer >= ${min}, got ${JSON.stringify(value)}`);
  return n;
}

function seconds(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) throw new Error(`--${name}: expected a number of seconds >= ${min}, got ${JSON.stringify(value)}`);
  return n;
}

function parseFormats(text: string | undefined): Array<'mbox' | 'maildir'> {
  if (text === undefined) return ['mbox', 'maildir'];
  const out: Array<'mbox' | 'maildir'> = [];
  for (const w of text.split(',').map((x) => x.trim())) {
    if (w !== 'mbox' && w !== 'maildir') throw new Error(`--formats: expected mbox and/or maildir, got ${JSON.stringify(w)}`);
    if (!out.includes(w)) out.push(w);
  }
  return out;
}

/** Parses postern | postfix | HOST:PORT ([v6]:PORT for IPv6). */
export function parseTarget(text: string, pids: readonly number[] = []): TargetSpec {
  if (text === 'postern' || text === 'postfix') return { kind: text };
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(text);
  const port = Number(m?.[3]);
  if (m === null || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`target ${JSON.stringify(text)}: expected postern, postfix or HOST:PORT`);
  }
  return { kind: 'address', host: (m[1] ?? m[2]) as string, port, pids };
}

export function parseOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      target: { type: 'string' },
      compare: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      spawn: { type: 'string' },
      'server-pid': { type: 'string', multiple: true },
      'postfix-mode': { type: 'string' },
      'alias-target': { type: 'string' },
      sessions: { type: 'string' },
      size: { type: 'string' },
      rcpts: { type: 'string' },
      'per-conn': { type: 'string' },
      messages: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      rounds: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      'to-count': { type: 'string' },
      pipelining: { type: 'boolean' },
      'no-pipelining': { type: 'boolean' },
      ehlo: { type: 'string' },
      timeout: { type: 'string' },
      idle: { type: 'string' },
      'postfix-idle': { type: 'string' },
      'idle-hold': { type: 'string' },
      'idle-per-source': { type: 'string' },
      json: { type: 'boolean' },
      'json-out': { type: 'string' },
      keep: { type: 'boolean' },
      local: { type: 'boolean' },
      'local-messages': { type: 'string' },
      formats: { type: 'string' },
      'local-fs': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });

  const pids = (values['server-pid'] ?? []).map((p) => int('server-pid', p, 0, 1));
  const spawn = values.spawn === undefined ? undefined : parseCommand(values.spawn);
  let main: TargetSpec;
  if (values.target !== undefined) {
    if (values.host !== undefined || values.port !== undefined) throw new Error('--target and --host/--port both name the server: use one');
    main = parseTarget(values.target, pids);
  } else if (values.port !== undefined || values.host !== undefined) {
    main = { kind: 'address', host: values.host ?? '127.0.0.1', port: int('port', values.port, 25, 1), pids };
  } else {
    main = spawn !== undefined || pids.length > 0 ? { kind: 'address', host: '127.0.0.1', port: 25, pids } : { kind: 'postern' };
  }
  if (main.kind === 'address' && spawn !== undefined) {
    if (values.port === undefined && values.target === undefined) throw new Error('--spawn needs --port (or --target HOST:PORT): the port the server will listen on');
    main = { ...main, spawn };
  } else if (spawn !== undefined) {
    throw new Error(`--spawn starts a server at HOST:PORT; it cannot be combined with --target ${main.kind}`);
  }
  if (main.kind !== 'address' && pids.length > 0) throw new Error(`--server-pid applies to a HOST:PORT target; ${main.kind} is measured by the benchmark itself`);

  const targets: TargetSpec[] = [main];
  if (values.compare !== undefined) targets.push(parseTarget(values.compare));

  if (values.pipelining === true && values['no-pipelining'] === true) throw new Error('--pipelining and --no-pipelining contradict each other');
  const postfixMode = values['postfix-mode'] ?? 'discard';
  if (postfixMode !== 'discard' && postfixMode !== 'hold') throw new Error(`--postfix-mode: expected discard or hold, got ${JSON.stringify(postfixMode)}`);
  const rcpts = int('rcpts', values.rcpts, 1, 1);
  const to = values.to ?? 'user{n}@localhost';
  const toCount = to.includes('{n}') ? Math.max(rcpts, int('to-count', values['to-count'], 100, 1)) : 1;
  if (!to.includes('{n}') && rcpts > 1) throw new Error('--rcpts above 1 needs a --to pattern with {n}, so that the recipients differ');
  const messages = values.messages === undefined ? undefined : int('messages', values.messages, 0, 1);
  const measured = targets.some(isMeasurable);

  return {
    targets,
    sessions: int('sessions', values.sessions, 50, 1),
    size: int('size', values.size, 10240, 1),
    rcpts,
    perConn: int('per-conn', values['per-conn'], 100, 1),
    ...(messages === undefined ? {} : { messages }),
    durationSec: seconds('duration', values.duration, 10, 0.1),
    warmupSec: seconds('warmup', values.warmup, 2, 0),
    rounds: int('rounds', values.rounds, 1, 1),
    from: values.from ?? 'bench@localhost',
    to,
    toCount,
    pipelining: values['no-pipelining'] !== true,
    ehlo: values.ehlo ?? 'bench.localdomain',
    idle: int('idle', values.idle, measured ? DEFAULT_IDLE : 0, 0),
    postfixIdle: int('postfix-idle', values['postfix-idle'], 1000, 0),
    idleHoldSec: seconds('idle-hold', values['idle-hold'], 5, 0),
    idlePerSource: int('idle-per-source', values['idle-per-source'], 5000, 1),
    timeoutSec: seconds('timeout', values.timeout, 30, 1),
    json: values.json === true,
    ...(values['json-out'] === undefined ? {} : { jsonOut: values['json-out'] }),
    keep: values.keep === true,
    aliasTarget: values['alias-target'] ?? '/dev/null',
    postfixMode,
    local: values.local === true,
    localMessages: int('local-messages', values['local-messages'], 2000, 1),
    localFormats: parseFormats(values.formats),
    localFs: parseLocalFs(values['local-fs']),
    help: values.help === true,
  };
}
