// Expansion of a user-defined macro body: $0..$N (several digits, as GNU m4), $#, $* and $@.

/** `args[0]` is the macro name. `quote` wraps one argument in the current quotes (for $@). Returns
 *  undefined as soon as the result would exceed maxLength: a body repeating `$1` applied to a long
 *  argument must not build a string larger than memory allows. */
export function substituteArgs(body: string, args: readonly string[], quote: (s: string) => string, maxLength = Infinity): string | undefined {
  if (!body.includes('$')) return body.length > maxLength ? undefined : body;
  let out = '';
  let from = 0;
  let i = body.indexOf('$');
  while (i !== -1 && i + 1 < body.length) {
    const c = body.charCodeAt(i + 1);
    let end = i + 2;
    let repl: string | undefined;
    if (c >= 48 && c <= 57) {
      while (end < body.length && body.charCodeAt(end) >= 48 && body.charCodeAt(end) <= 57) end++;
      repl = args[Number(body.slice(i + 1, end))] ?? '';
    } else if (c === 35 /* # */) {
      repl = String(args.length - 1);
    } else if (c === 42 /* * */) {
      repl = args.slice(1).join(',');
    } else if (c === 64 /* @ */) {
      repl = args.slice(1).map(quote).join(',');
    }
    if (repl === undefined) {
      i = body.indexOf('$', i + 1);
      continue;
    }
    out += body.slice(from, i) + repl;
    if (out.length > maxLength) return undefined;
    from = end;
    i = body.indexOf('$', end);
  }
  out += body.slice(from);
  return out.length > maxLength ? undefined : out;
}
