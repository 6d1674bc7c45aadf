// m4's eval(): 32-bit signed integer expressions with GNU m4 1.4's operators, precedence and messages.
// Precedence, loosest first: || && | ^ & (== !=) (< <= > >=) (<< >>) (+ -) (* / %) ** unary(+ - ~ !).
// `**` is right-associative; && and || short-circuit (so `0 && 1/0` is 0, not an error).

export type EvalOutcome = { ok: true; value: number; warnings: string[] } | { ok: false; error: string; warnings: string[] };

class EvalError extends Error {}

/** Expressions can be long; messages show their start. */
function clip(expr: string): string {
  return expr.length > 80 ? `${expr.slice(0, 80)}...` : expr;
}

// Each level costs about fifteen stack frames; real expressions nest a few levels.
const MAX_NESTING = 100;
const MAX_UNARY = 65536;

const BINARY_LEVELS: readonly (readonly string[])[] = [
  ['||'],
  ['&&'],
  ['|'],
  ['^'],
  ['&'],
  ['==', '!='],
  ['<', '<=', '>', '>='],
  ['<<', '>>'],
  ['+', '-'],
  ['*', '/', '%'],
];

// Longest first, so that `<=` is not read as `<`. The assignment and increment forms are recognised only
// to be refused, as GNU m4 does.
const OPERATORS = ['**=', '<<=', '>>=', '**', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '++', '--', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '+', '-', '*', '/', '%', '<', '>', '=', '&', '|', '^', '~', '!', '(', ')'];
const INVALID = new Set(['**=', '<<=', '>>=', '++', '--', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=']);

type Tok = { k: 'num'; v: number } | { k: 'op'; v: string } | { k: 'end' };

function tokenize(expr: string, warnings: string[]): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c >= '0' && c <= '9') {
      const [v, next] = readNumber(expr, i);
      toks.push({ k: 'num', v });
      i = next;
      continue;
    }
    const op = OPERATORS.find((o) => expr.startsWith(o, i));
    if (op === undefined) throw new EvalError(`bad expression in eval (bad input): ${clip(expr)}`);
    if (INVALID.has(op)) throw new EvalError(`invalid operator in eval: ${clip(expr)}`);
    if (op === '=') warnings.push('recommend ==, not =, for equality operator');
    toks.push({ k: 'op', v: op === '=' ? '==' : op });
    i += op.length;
  }
  toks.push({ k: 'end' });
  return toks;
}

/** Reads 0x.. (hex), 0b.. (binary), 0rR:.. (radix R), 0.. (octal) or decimal, wrapping at 32 bits. */
function readNumber(expr: string, start: number): [number, number] {
  let i = start;
  let radix = 10;
  if (expr[i] === '0') {
    const p = expr[i + 1];
    if (p === 'x' || p === 'X') {
      radix = 16;
      i += 2;
    } else if (p === 'b' || p === 'B') {
      radix = 2;
      i += 2;
    } else if (p === 'r' || p === 'R') {
      const m = /^0[rR](\d+):/.exec(expr.slice(i));
      const r = m === null ? NaN : Number(m[1]);
      if (m === null || r < 1 || r > 36) throw new EvalError(`bad expression in eval: ${clip(expr)}`);
      radix = r;
      i += m[0].length;
    } else {
      radix = 8;
      i += 1;
    }
  }
  let v = 0;
  for (; i < expr.length; i++) {
    const c = expr[i] as string;
    if (radix === 1) {
      if (c !== '1') break;
      v = (v + 1) | 0;
      continue;
    }
    const d = parseInt(c, 36);
    if (Number.isNaN(d) || d >= radix) break;
    v = (Math.imul(v, radix) + d) | 0;
  }
  return [v, i];
}

/** Recursive descent that computes as it parses, so long left-associative chains are loops, not deep
 *  trees. `live` is false on the right of a short-circuited && or ||, where errors must not be raised. */
class Parser {
  private pos = 0;
  private depth = 0;

  constructor(
    private readonly toks: Tok[],
    private readonly expr: string,
  ) {}

  parse(): number {
    const v = this.binary(0, true);
    if (this.peek().k !== 'end') throw new EvalError(`bad expression in eval (excess input): ${clip(this.expr)}`);
    return v;
  }

  private peek(): Tok {
    return this.toks[this.pos] as Tok;
  }

  private isOp(ops: readonly string[]): string | undefined {
    const t = this.peek();
    return t.k === 'op' && ops.includes(t.v) ? t.v : undefined;
  }

  private binary(level: number, live: boolean): number {
    if (level === BINARY_LEVELS.length) return this.power(live);
    let a = this.binary(level + 1, live);
    for (;;) {
      const op = this.isOp(BINARY_LEVELS[level] as readonly string[]);
      if (op === undefined) return a;
      this.pos++;
      if (op === '&&') {
        const b = this.binary(level + 1, live && a !== 0);
        a = a !== 0 && b !== 0 ? 1 : 0;
      } else if (op === '||') {
        const b = this.binary(level + 1, live && a === 0);
        a = a !== 0 || b !== 0 ? 1 : 0;
      } else {
        a = this.apply(op, a, this.binary(level + 1, live), live);
      }
    }
  }

  private power(live: boolean): number {
    const a = this.unary(live);
    if (this.isOp(['**']) === undefined) return a;
    this.pos++;
    const b = this.nested(() => this.power(live));
    return this.apply('**', a, b, live);
  }

  private unary(live: boolean): number {
    const op = this.isOp(['+', '-', '~', '!']);
    if (op === undefined) return this.primary(live);
    this.pos++;
    const a = this.nested(() => this.unary(live));
    if (op === '-') return -a | 0;
    if (op === '~') return ~a;
    if (op === '!') return a === 0 ? 1 : 0;
    return a;
  }

  private primary(live: boolean): number {
    const t = this.peek();
    if (t.k === 'num') {
      this.pos++;
      return t.v;
    }
    if (t.k === 'op' && t.v === '(') {
      this.pos++;
      const v = this.nested(() => this.binary(0, live));
      if (this.isOp([')']) === undefined) throw new EvalError(`bad expression in eval (missing right parenthesis): ${clip(this.expr)}`);
      this.pos++;
      return v;
    }
    throw new EvalError(`bad expression in eval: ${clip(this.expr)}`);
  }

  private nested(f: () => number): number {
    if (++this.depth > MAX_NESTING) throw new EvalError(`expression nested too deeply in eval: ${clip(this.expr)}`);
    const v = f();
    this.depth--;
    return v;
  }

  private apply(op: string, a: number, b: number, live: boolean): number {
    const expr = this.expr;
    switch (op) {
      case '|':
        return a | b;
      case '^':
        return a ^ b;
      case '&':
        return a & b;
      case '==':
        return a === b ? 1 : 0;
      case '!=':
        return a !== b ? 1 : 0;
      case '<':
        return a < b ? 1 : 0;
      case '<=':
        return a <= b ? 1 : 0;
      case '>':
        return a > b ? 1 : 0;
      case '>=':
        return a >= b ? 1 : 0;
      case '<<':
        return a << b;
      case '>>':
        return a >> b;
      case '+':
        return (a + b) | 0;
      case '-':
        return (a - b) | 0;
      case '*':
        return Math.imul(a, b);
      case '/':
        if (b === 0) return this.fail(live, `divide by zero in eval: ${clip(expr)}`);
        return (a / b) | 0;
      case '%':
        if (b === 0) return this.fail(live, `modulo by zero in eval: ${clip(expr)}`);
        return a % b | 0;
      default:
        if (b < 0) return this.fail(live, `negative exponent in eval: ${clip(expr)}`);
        if (a === 0 && b === 0) return this.fail(live, `divide by zero in eval: ${clip(expr)}`);
        return power(a, b);
    }
  }

  private fail(live: boolean, message: string): number {
    if (live) throw new EvalError(message);
    return 0;
  }
}

function power(base: number, exp: number): number {
  let result = 1;
  let b = base;
  let e = exp;
  while (e > 0) {
    if (e & 1) result = Math.imul(result, b);
    b = Math.imul(b, b);
    e >>>= 1;
  }
  return result;
}

export function evalExpression(expr: string): EvalOutcome {
  const warnings: string[] = [];
  try {
    const toks = tokenize(expr, warnings);
    return { ok: true, value: new Parser(toks, expr).parse(), warnings };
  } catch (e) {
    if (e instanceof EvalError) return { ok: false, error: e.message, warnings };
    throw e;
  }
}

/** Formats like eval's optional radix (1..36) and minimum width (zero padded) arguments. The caller
 *  bounds the width; a unary (radix 1) result is as long as the value, so it is bounded here. */
export function formatRadix(value: number, radix: number, width: number): string | undefined {
  const neg = value < 0;
  // -2**31 has no positive int32 counterpart; Math.abs on a JS number handles it.
  const abs = Math.abs(value);
  if (radix === 1 && abs > MAX_UNARY) return undefined;
  let digits = radix === 1 ? '1'.repeat(abs) : abs.toString(radix);
  if (digits.length < width) digits = '0'.repeat(width - digits.length) + digits;
  return neg ? `-${digits}` : digits;
}
