// What newaliases reports besides syntax errors (issue 4; aliases-forward.md §2.5, §9): a missing
// postmaster, alias loops, the `decode` alias, program aliases that pipe mail into an interpreter or
// into a program that is not in the smrsh directory. Warnings only: they never change the exit status.

import type { AliasEntry } from '../maps/aliases.js';
import { commandNames, dangerousProgram, SMRSH_BUILTINS } from '../audit/interpreters.js';

export interface WarningContext {
  /** The merged aliases, first file first. */
  aliases: ReadonlyMap<string, AliasEntry>;
  userExists(name: string): boolean;
  /** Present when programs go through smrsh: its directory and the names in it (undefined if unreadable). */
  smrsh?: { dir: string; entries: ReadonlySet<string> | undefined };
}

function where(e: AliasEntry): string {
  return `${e.file}: line ${e.line}: `;
}

/** §2.5 */
function postmasterWarning(c: WarningContext): string[] {
  return c.aliases.has('postmaster') || c.userExists('postmaster') ? [] : ['Warning: no alias for postmaster'];
}

/** §9: decode, interpreters, programs smrsh will refuse. */
function programWarnings(c: WarningContext): string[] {
  const out: string[] = [];
  for (const e of c.aliases.values()) {
    const programs = e.elements.filter((el) => el.kind === 'program').map((el) => (el.kind === 'program' ? el.command : ''));
    if (e.name === 'decode') {
      out.push(
        programs.length > 0
          ? `${where(e)}Warning: alias decode pipes mail into "|${programs[0]!}": anyone can make it write files; remove the alias`
          : `${where(e)}Warning: alias decode is a relic of the uudecode attack; remove it`,
      );
      continue;
    }
    for (const command of programs) {
      const names = commandNames(command);
      const bad = names.map((n) => ({ name: n.name, kind: dangerousProgram(n.name) })).find((n) => n.kind !== undefined);
      if (bad !== undefined) {
        out.push(`${where(e)}Warning: alias ${e.name} pipes mail into ${bad.name}, ${bad.kind!}: the sender's text can run as code`);
        continue;
      }
      if (c.smrsh === undefined) continue;
      for (const n of names) {
        if (SMRSH_BUILTINS.includes(n.name) || c.smrsh.entries?.has(n.name) === true) continue;
        out.push(`${where(e)}Warning: alias ${e.name} runs ${n.name}, which is not in the smrsh directory ${c.smrsh.dir}: its deliveries will fail`);
      }
    }
  }
  return out;
}

/** The aliases an entry names (not itself: `erin: erin, ...` is a self-reference, §8 rule 4). */
function successors(c: WarningContext, e: AliasEntry): string[] {
  const out: string[] = [];
  for (const el of e.elements) {
    if (el.kind !== 'local') continue;
    const next = el.user.toLowerCase();
    if (next !== e.name && c.aliases.has(next)) out.push(next);
  }
  return out;
}

/** Cycles among aliases (`a: b`, `b: a`), by an iterative depth-first walk (no stack limit on long chains). */
function loopWarnings(c: WarningContext): string[] {
  const out: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  for (const root of c.aliases.keys()) {
    if (state.has(root)) continue;
    const stack: Array<{ name: string; next: string[]; i: number }> = [];
    const enter = (name: string): void => {
      state.set(name, 'open');
      stack.push({ name, next: successors(c, c.aliases.get(name)!), i: 0 });
    };
    enter(root);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const next = top.next[top.i++];
      if (next === undefined) {
        state.set(top.name, 'done');
        stack.pop();
        continue;
      }
      const s = state.get(next);
      if (s === undefined) enter(next);
      else if (s === 'open') {
        const names = stack.map((f) => f.name);
        const cycle = [...names.slice(names.indexOf(next)), next];
        out.push(`${where(c.aliases.get(next)!)}Warning: alias loop: ${cycle.join(' -> ')}`);
      }
    }
  }
  return out;
}

export function aliasWarnings(c: WarningContext): string[] {
  return [...loopWarnings(c), ...programWarnings(c), ...postmasterWarning(c)];
}
