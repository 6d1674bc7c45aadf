// Judging one program element (`|command`) wherever it was found: an alias, a :include: file or a
// .forward (alias-program-interpreter, alias-program, alias-program-not-allowed).

import type { AuditContext } from '../context.js';
import { commandNames, dangerousProgram, SMRSH_BUILTINS } from '../interpreters.js';
import type { SmrshState } from './program.js';

export interface ElementPlace {
  /** Logical path of the file holding the element. */
  file: string;
  line: number;
  /** `alias postmaster`, `:include: file`, `.forward of bob`. */
  owner: string;
}

export function judgeProgram(ctx: AuditContext, command: string, place: ElementPlace, smrsh: SmrshState): void {
  const subject = `${place.file}:${place.line}`;
  const at = { file: place.file, line: place.line };
  const names = commandNames(command);
  const dangerous = names.map((n) => ({ ...n, kind: dangerousProgram(n.name) })).find((n) => n.kind !== undefined);
  if (dangerous !== undefined) {
    ctx.add(
      'alias-program-interpreter',
      subject,
      `${place.owner} pipes mail into "|${command}": ${dangerous.name} is ${dangerous.kind!}, so the sender's text can run as code`,
      at,
    );
    return;
  }
  ctx.add('alias-program', subject, `${place.owner} runs "|${command}"`, at);
  if (!smrsh.inUse) return;
  const missing = names.filter((n) => !SMRSH_BUILTINS.includes(n.name) && !(smrsh.entries?.has(n.name) ?? false));
  for (const n of missing) {
    ctx.add(
      'alias-program-not-allowed',
      subject,
      `${place.owner} runs ${n.name}, which is not in the smrsh directory ${smrsh.dir}: the delivery always fails`,
      at,
    );
  }
}
