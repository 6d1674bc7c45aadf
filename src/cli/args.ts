// Small argument reader shared by the postern subcommands: `--name value`, `--name=value`, flags, and
// sendmail's `-D NAME=value` / `-O Name=value` / `-C file`.

export interface ParsedArgs {
  config?: string;
  defines: Record<string, string>;
  cliOptions: Array<{ name: string; value: string }>;
  flags: Set<string>;
  values: Map<string, string>;
  rest: string[];
  errors: string[];
}

const VALUE_FLAGS = new Set(['--config', '--log-level', '--grace']);

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const out: ParsedArgs = { defines: {}, cliOptions: [], flags: new Set(), values: new Map(), rest: [], errors: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const take = (): string | undefined => {
      const v = argv[i + 1];
      if (v === undefined) out.errors.push(`${a} needs a value`);
      else i++;
      return v;
    };
    if (a === '-C' || a === '--config') {
      const v = take();
      if (v !== undefined) out.config = v;
    } else if (a.startsWith('--config=')) out.config = a.slice(9);
    else if (a.startsWith('-C') && a.length > 2) out.config = a.slice(2);
    else if (a === '-D' || (a.startsWith('-D') && a.length > 2)) {
      const v = a === '-D' ? take() : a.slice(2);
      if (v === undefined) continue;
      const eq = v.indexOf('=');
      if (eq === -1) out.defines[v] = '';
      else out.defines[v.slice(0, eq)] = v.slice(eq + 1);
    } else if (a === '-O' || (a.startsWith('-O') && a.length > 2)) {
      const v = a === '-O' ? take() : a.slice(2);
      if (v === undefined) continue;
      const eq = v.indexOf('=');
      if (eq <= 0) out.errors.push(`-O ${v}: expected Name=value`);
      else out.cliOptions.push({ name: v.slice(0, eq).trim(), value: v.slice(eq + 1) });
    } else if (a.startsWith('--') && a.includes('=')) {
      const eq = a.indexOf('=');
      out.values.set(a.slice(0, eq), a.slice(eq + 1));
    } else if (VALUE_FLAGS.has(a)) {
      const v = take();
      if (v !== undefined) out.values.set(a, v);
    } else if (a.startsWith('-')) out.flags.add(a);
    else out.rest.push(a);
  }
  return out;
}
