// The macro table: each name holds a stack of definitions (pushdef/popdef); define replaces the top,
// undefine removes the whole stack, as in m4.

import type { HostMacro, SourceLoc } from './engine.js';

export type Definition =
  | { kind: 'user'; value: string; loc: SourceLoc }
  | { kind: 'builtin'; name: string }
  | { kind: 'host'; name: string; fn: HostMacro };

export class MacroTable {
  private readonly macros: Map<string, Definition[]>;

  constructor(from?: MacroTable) {
    this.macros = new Map();
    if (from !== undefined) for (const [name, stack] of from.macros) this.macros.set(name, [...stack]);
  }

  lookup(name: string): Definition | undefined {
    const stack = this.macros.get(name);
    return stack === undefined ? undefined : stack[stack.length - 1];
  }

  define(name: string, def: Definition): void {
    const stack = this.macros.get(name);
    if (stack === undefined || stack.length === 0) this.macros.set(name, [def]);
    else stack[stack.length - 1] = def;
  }

  pushdef(name: string, def: Definition): void {
    const stack = this.macros.get(name);
    if (stack === undefined) this.macros.set(name, [def]);
    else stack.push(def);
  }

  popdef(name: string): void {
    const stack = this.macros.get(name);
    if (stack === undefined) return;
    stack.pop();
    if (stack.length === 0) this.macros.delete(name);
  }

  undefine(name: string): void {
    this.macros.delete(name);
  }

  /** The user-defined macros (top definition of each name). */
  userDefinitions(): Map<string, { value: string; loc: SourceLoc }> {
    const out = new Map<string, { value: string; loc: SourceLoc }>();
    for (const [name, stack] of this.macros) {
      const top = stack[stack.length - 1];
      if (top !== undefined && top.kind === 'user') out.set(name, { value: top.value, loc: top.loc });
    }
    return out;
  }
}
