import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { diskIncludes, m4, tempDir } from './helpers.js';

test('an unterminated quote is an error at the line where it starts; output before it is kept', () => {
  const r = m4("a\n`unterminated\nb\nc\n", {}, 'q.mc');
  assert.equal(r.out, 'a\n');
  assert.deepEqual(r.diags, ["q.mc:2: end of input inside a quoted string (missing closing quote ') that starts here"]);
});

test('an unterminated argument list is an error at the line of the macro call', () => {
  const r = m4("a\ndefine(`x',\nb\n", {}, 'a.mc');
  assert.equal(r.out, 'a\n');
  assert.deepEqual(r.diags, ["a.mc:2: end of input inside the argument list of define that starts here (missing ')')"]);
});

test('an unterminated quote inside an included file names that file', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  writeFileSync(join(dir, 'u.m4'), 'x\n`abc\n');
  const r = m4("a\ninclude(`u.m4')\nb\n", { readInclude: diskIncludes(dir) }, join(dir, 'x.mc'));
  assert.deepEqual(r.diags, [`${join(dir, 'u.m4')}:2: end of input inside a quoted string (missing closing quote ') that starts here`]);
});

test('an unterminated comment (after changecom) is an error too', () => {
  const r = m4("changecom(`/*', `*/')\n/* never closed\n");
  assert.deepEqual(r.diags, ['test.mc:2: end of input inside a comment (missing end of comment "*/") that starts here']);
});

test('endless recursion without growth stops at the call bound', () => {
  const r = m4("\ndefine(`x', `x')x\n", { limits: { maxCalls: 10_000 } });
  assert.deepEqual(r.diags, ['test.mc:2: more than 10000 macro calls (endless recursion in x?)']);
});

test('recursion that nests stops at the depth bound', () => {
  const grow = m4("define(`x', `x y')x\n");
  assert.deepEqual(grow.diags, ['test.mc:1: expansion nested more than 1000 deep (endless recursion in x?)']);
  const args = m4("define(`x', `')define(`y', `x(y')x(y\n");
  assert.match(args.diags[0] ?? '', /nested more than 1000 deep/);
  const indir = m4(`indir(${'`indir\','.repeat(2000)}\`len', x)`);
  assert.deepEqual(indir.diags, ['test.mc:1: macro calls nested more than 1000 deep (through indir or builtin)']);
});

test('exponential expansion stops at the expansion size bound', () => {
  const r = m4("define(`d', `$1$1')define(`e', `d(d(d(d(d(d(d(d(d(d($1))))))))))')e(e(e(`abcdefgh')))\n");
  assert.deepEqual(r.diags, ['test.mc:1: expansions larger than 16777216 characters in all (runaway expansion in d?)']);
});

test('large output stops at the output bound', () => {
  const r = m4(`define(\`a', \`${'x'.repeat(999)}\n')define(\`b', \`${'a '.repeat(100)}')b b b b b b b b b b b b\n`, {
    limits: { maxOutputChars: 1_000_000 },
  });
  assert.deepEqual(r.diags, ['test.mc:2: output larger than 1000000 characters (runaway expansion?)']);
  assert.ok(r.out.length <= 1_001_000);
});

test('deeply nested quotes and parentheses are handled without recursion', () => {
  const quotes = m4('`'.repeat(100_000) + "'".repeat(100_000));
  assert.equal(quotes.out, '`'.repeat(99_999) + "'".repeat(99_999));
  const parens = m4(`define(\`f', \`[$1]')f(${'('.repeat(100_000)}${')'.repeat(100_000)})`);
  assert.equal(parens.out, `[${'('.repeat(100_000)}${')'.repeat(100_000)}]`);
});

test('excess and missing arguments warn like GNU m4', () => {
  const r = m4("define(`a', `b', `c')dnl(x)\nifdef(`a')\n");
  assert.deepEqual(r.diags, [
    "test.mc:1: warning: excess arguments to builtin `define' ignored",
    "test.mc:1: warning: excess arguments to builtin `dnl' ignored",
    "test.mc:2: warning: too few arguments to builtin `ifdef'",
  ]);
});

test('one substitution or defn larger than the expansion bound is stopped before it is built', () => {
  const body = '$1'.repeat(5000);
  const arg = 'x'.repeat(100_000);
  const r = m4(`define(\`m', \`${body}')m(\`${arg}')\n`);
  assert.deepEqual(r.diags, ['test.mc:1: expansions larger than 16777216 characters in all (runaway expansion in m?)']);
  const d = m4(`define(\`v', \`${arg}')defn(${'`v\','.repeat(500)}\`v')\n`);
  assert.deepEqual(d.diags, ['test.mc:1: expansions larger than 16777216 characters in all (runaway expansion in defn?)']);
});
