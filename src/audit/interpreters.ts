// Programs that must never be reachable through mail (audit-and-probe.md smrsh-interpreter,
// program-and-file-delivery.md §2.2), and how the command of a program element is split into the
// programs it runs.

import { basename } from 'node:path';

const SHELLS = ['sh', 'bash', 'csh', 'tcsh', 'ksh', 'zsh', 'dash'];
const INTERPRETER_PREFIXES = ['perl', 'python', 'ruby', 'php', 'tclsh', 'wish', 'lua'];
const INTERPRETERS = ['node', 'nodejs'];
const STREAM_EDITORS = ['sed', 'awk', 'gawk', 'mawk', 'nawk'];
const RUNNERS = ['env', 'xargs', 'find'];

/** What kind of dangerous program `name` (a basename) is, or undefined. */
export function dangerousProgram(name: string): string | undefined {
  if (SHELLS.includes(name)) return 'a shell';
  if (INTERPRETERS.includes(name) || INTERPRETER_PREFIXES.some((p) => name.startsWith(p))) return 'an interpreter';
  if (STREAM_EDITORS.includes(name)) return 'a stream editor';
  if (RUNNERS.includes(name)) return 'a program that runs other programs';
  if (name === 'uudecode') return 'uudecode, which writes files named by the sender';
  return undefined;
}

export function isProcmail(name: string): boolean {
  return name === 'procmail';
}

/** Shell builtins smrsh accepts without a directory lookup. */
export const SMRSH_BUILTINS = ['exit', 'echo'];

function unquoteWord(w: string): string {
  return w.replace(/^["']+|["']+$/g, '');
}

/**
 * The programs a program element runs: the command is split at `||`, `&&`, `;` and `|` (a shell
 * would run every part), `exec` is skipped, and each part's first word is reduced to its basename,
 * as smrsh looks it up (program-and-file-delivery.md §2.3).
 */
export function commandNames(command: string): Array<{ word: string; name: string }> {
  const out: Array<{ word: string; name: string }> = [];
  for (const part of command.split(/\|\||&&|[;|&\n]/)) {
    const words = part.trim().split(/[ \t]+/).filter((w) => w !== '').map(unquoteWord);
    let i = 0;
    while (words[i] === 'exec') i++;
    const word = words[i];
    if (word === undefined || word === '') continue;
    out.push({ word, name: basename(word) });
  }
  return out;
}
