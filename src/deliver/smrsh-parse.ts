// smrsh's reading of a program address (program-and-file-delivery.md §2.3): which commands it names,
// the operators between them, and the refusals, with sendmail's texts. It works on the bytes of the
// command, as smrsh does, so the special characters with the 8th bit set are caught too.

import { splitWords } from './smrsh-words.js';

export type SmrshCommand =
  | { kind: 'run'; name: string; args: string[] }
  | { kind: 'exit'; args: string[] }
  | { kind: 'echo' };

export interface SmrshStep {
  /** The operator joining this command to the previous one; undefined for the first. */
  op: '||' | '&&' | undefined;
  command: SmrshCommand;
}

export type SmrshParse = { ok: true; steps: SmrshStep[] } | { ok: false; message: string };

/** A lookup in the allowlist directory: undefined when `name` may run, else smrsh's refusal text. */
export type EntryCheck = (name: string) => string | undefined;

const SPACE = 0x20;
const TAB = 0x09;
const SPECIALS = new Set([...'<|>^();&`$\r\n'].map((c) => c.charCodeAt(0)));
for (const c of [...SPECIALS]) SPECIALS.add(c + 0x80);
const SAFE_NAME = /^[A-Za-z0-9._+-]+$/;

function isBlank(b: number | undefined): boolean {
  return b === SPACE || b === TAB;
}

/** How a special byte is named in the refusal: itself when printable, else an escape. */
function show(b: number): string {
  if (b === 0x0d) return '\\r';
  if (b === 0x0a) return '\\n';
  if (b >= 0x20 && b < 0x7f) return String.fromCharCode(b);
  return `\\x${b.toString(16)}`;
}

export function notAvailable(name: string, why?: string): string {
  return `smrsh: "${name}" not available for sendmail programs${why === undefined ? '' : ` (${why})`}`;
}

/**
 * Reads `command` as smrsh would. `dirLength` is the byte length of SmrshDirectory (it bounds the
 * command length); `check` looks a name up in the directory, in the order smrsh does (a later refusal
 * is not reached when an earlier command is refused).
 */
export function parseSmrsh(command: string, dirLength: number, check: EntryCheck): SmrshParse {
  const buf = Buffer.from(command, 'utf8');
  if (buf.length > 1000 - dirLength - 2) return { ok: false, message: `smrsh: command too long: ${command}` };
  const steps: SmrshStep[] = [];
  let op: SmrshStep['op'];
  let isExec = false;
  let q = 0;
  for (;;) {
    while (isBlank(buf[q])) q++;
    if (q >= buf.length) {
      if (isExec) return { ok: false, message: 'smrsh: missing command to exec' };
      // sh would stop with a syntax error here; saying so is clearer than its exit status 2.
      if (op !== undefined) return { ok: false, message: `smrsh: missing command after ${op}` };
      break;
    }
    let end = q;
    while (end < buf.length && !isBlank(buf[end])) end++;
    let s = end;
    while (s > q && (buf[s - 1] & 0x7f) !== 0x2f) s--;
    const word = buf.toString('utf8', q, end);
    const name = buf.toString('utf8', s, end);
    // `exec` alone is refused like smrsh refuses `exec ` with nothing after it (the spec's test table).
    if (word === 'exec') {
      isExec = true;
      q = end;
      continue;
    }
    let cmd: SmrshCommand;
    if (name === 'exit') cmd = { kind: 'exit', args: [] };
    else if (name === 'echo') cmd = { kind: 'echo' };
    else {
      if (!SAFE_NAME.test(name)) return { ok: false, message: notAvailable(name, 'stat failed') };
      const refusal = check(name);
      if (refusal !== undefined) return { ok: false, message: refusal };
      cmd = { kind: 'run', name, args: [] };
    }
    isExec = false;
    let argsEnd = buf.length;
    let next: SmrshStep['op'];
    for (let r = end; r < buf.length; r++) {
      if (!SPECIALS.has(buf[r])) continue;
      if ((buf[r] === 0x26 || buf[r] === 0x7c) && buf[r + 1] === buf[r]) {
        argsEnd = r;
        next = buf[r] === 0x26 ? '&&' : '||';
        break;
      }
      return { ok: false, message: `smrsh: cannot use ${show(buf[r])} in command` };
    }
    const words = splitWords(buf.toString('utf8', end, argsEnd));
    if (!words.ok) return { ok: false, message: 'smrsh: unterminated quote in command' };
    if (cmd.kind !== 'echo') cmd.args = words.words;
    steps.push({ op, command: cmd });
    if (next === undefined) break;
    op = next;
    q = argsEnd + 2;
  }
  return { ok: true, steps };
}
