// Resource sampling of the server under test through /proc (Linux only). A server may be several
// processes (a cluster, or Postfix's master with its smtpd/cleanup/qmgr children), so every sample
// covers the process trees rooted at the given pids.
//
// CPU of a tree: the sum over its live processes of utime+stime+cutime+cstime. cutime/cstime hold
// the CPU of children that have exited and been reaped, so a short-lived worker's CPU is not lost
// when it exits between two samples: it moves from the child's own fields into its parent's.

import { readdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

export interface ProcSample {
  /** performance.now() when the sample was taken. */
  atMs: number;
  /** Live processes found in the trees. */
  processes: number;
  /** Tree CPU (user + system, reaped children included), in microseconds. */
  cpuUs: number;
  /** Sum of VmRSS over the processes, in KiB. */
  rssKiB: number;
  /** Sum of Pss over the processes (shared pages split between their users), in KiB; 0 if unreadable. */
  pssKiB: number;
}

let clockTicks: number | undefined;

/** Kernel clock ticks per second (USER_HZ) that /proc/PID/stat times are counted in. */
export function clockTicksPerSecond(): number {
  if (clockTicks === undefined) {
    const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    const n = Number.parseInt(r.stdout ?? '', 10);
    clockTicks = Number.isFinite(n) && n > 0 ? n : 100;
  }
  return clockTicks;
}

interface StatFields {
  ppid: number;
  ticks: number;
}

/** Parses /proc/PID/stat; the command name is in parentheses and may itself contain spaces or ')'. */
export function parseStat(text: string): StatFields | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  // Fields after the name start at field 3 (state); see proc(5).
  const f = text.slice(close + 2).split(' ');
  const num = (fieldNo: number): number => Number(f[fieldNo - 3]);
  const ppid = num(4);
  const ticks = num(14) + num(15) + num(16) + num(17);
  if (!Number.isFinite(ppid) || !Number.isFinite(ticks)) return undefined;
  return { ppid, ticks };
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return undefined; // the process exited between listing and reading
  }
}

/** Reads a "Name:   1234 kB" line from a /proc status-like file, in KiB. */
export function kiBField(text: string, name: string): number {
  const at = text.indexOf(`\n${name}:`);
  const start = at >= 0 ? at + name.length + 2 : text.startsWith(`${name}:`) ? name.length + 1 : -1;
  if (start < 0) return 0;
  const n = Number.parseInt(text.slice(start, text.indexOf('\n', start)).trim(), 10);
  return Number.isFinite(n) ? n : 0;
}

/** All live processes in the trees rooted at `roots` (the roots included), with their stat fields. */
function treeMembers(roots: readonly number[]): Map<number, StatFields> {
  const all = new Map<number, StatFields>();
  for (const name of readdirSync('/proc')) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const text = readText(`/proc/${name}/stat`);
    const st = text === undefined ? undefined : parseStat(text);
    if (st !== undefined) all.set(Number(name), st);
  }
  const children = new Map<number, number[]>();
  for (const [pid, st] of all) {
    const list = children.get(st.ppid);
    if (list === undefined) children.set(st.ppid, [pid]);
    else list.push(pid);
  }
  const members = new Map<number, StatFields>();
  const todo = roots.filter((p) => all.has(p));
  while (todo.length > 0) {
    const pid = todo.pop() as number;
    if (members.has(pid)) continue;
    members.set(pid, all.get(pid) as StatFields);
    for (const child of children.get(pid) ?? []) todo.push(child);
  }
  return members;
}

/** Samples CPU and memory of the process trees rooted at `roots`. Pss costs a walk of each process's mappings. */
export function sampleTrees(roots: readonly number[], withPss = true): ProcSample {
  const atMs = performance.now();
  const members = treeMembers(roots);
  let ticks = 0;
  let rssKiB = 0;
  let pssKiB = 0;
  for (const [pid, st] of members) {
    ticks += st.ticks;
    const status = readText(`/proc/${pid}/status`);
    if (status !== undefined) rssKiB += kiBField(status, 'VmRSS');
    if (withPss) {
      const rollup = readText(`/proc/${pid}/smaps_rollup`);
      if (rollup !== undefined) pssKiB += kiBField(rollup, 'Pss');
    }
  }
  return { atMs, processes: members.size, cpuUs: (ticks * 1e6) / clockTicksPerSecond(), rssKiB, pssKiB };
}

/** True if the process exists (and is not a zombie). */
export function processAlive(pid: number): boolean {
  const text = readText(`/proc/${pid}/stat`);
  if (text === undefined) return false;
  const close = text.lastIndexOf(')');
  return close >= 0 && text[close + 2] !== 'Z';
}

/** The generator's own CPU (all its threads) in microseconds. */
export function selfCpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/** CPU of this process's children that have exited and been waited for (cutime + cstime), in microseconds. */
export function reapedChildrenCpuUs(): number {
  const text = readText('/proc/self/stat') ?? '';
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[16 - 3]) + Number(f[17 - 3])) * 1e6) / clockTicksPerSecond();
}

/** The soft limit on open files of this process (what `ulimit -n` shows), or undefined off Linux. */
export function openFileLimit(): number | undefined {
  const text = readText('/proc/self/limits');
  if (text === undefined) return undefined;
  const line = text.split('\n').find((l) => l.startsWith('Max open files'));
  if (line === undefined) return undefined;
  const soft = line.slice('Max open files'.length).trim().split(/\s+/)[0];
  const n = Number(soft);
  return soft === 'unlimited' ? Number.POSITIVE_INFINITY : Number.isFinite(n) ? n : undefined;
}
