import { test } from 'node:test';
import assert from 'node:assert/strict';
import { m4 } from './helpers.js';

test('len, index, substr', () => {
  const r = m4('len(abc)|len()|index(abcdef,cd)|index(abc,x)|substr(abcdef,2)|substr(abcdef,2,2)|substr(abc,5)|substr(abc,-1,2)\n');
  assert.equal(r.out, '3|0|2|-1|cdef|cd||\n');
});

test('translit with ranges, descending ranges and deletion', () => {
  const r = m4("translit(`Hello, World', `a-zA-Z', `A-Za-z')|translit(hello,lo)|translit(abc,c-a,xyz)\n");
  assert.equal(r.out, 'hELLO, wORLD|he|zyx\n');
});

test('incr and decr, with GNU m4 messages for non-numbers', () => {
  const r = m4('incr(5)|decr(0)|incr(x)|incr( 7)|incr(7 )\n');
  assert.equal(r.out, '6|-1||8|\n');
  assert.deepEqual(r.diags, ["test.mc:1: non-numeric argument to builtin `incr'", "test.mc:1: non-numeric argument to builtin `incr'"]);
});

test('eval: operators and precedence as GNU m4 1.4', () => {
  const exprs = [
    '1+2*3', '2**10', '-7/2', '-7%2', '1<2', '!0', '1&&0||1', '~0', '0x1f', '010', '0b101',
    '2147483647+1', '2**3**2', '-2**2', '0&&1/0', '1||1/0', '3<<2>>1', '5^3|8', '(1+2)*3', '3 == 3 == 1', '1 - - 1', '0r36:zz',
  ];
  const r = m4(exprs.map((e) => `eval(${e})`).join('|'));
  assert.equal(r.out, '7|1024|-3|-1|1|1|1|-1|31|8|5|-2147483648|512|4|0|1|6|14|9|1|2|1295');
  assert.deepEqual(r.diags, []);
});

test('eval: radix and width', () => {
  assert.equal(m4('eval(255,16)|eval(5,2,8)|eval(-5,10,4)|eval(3,1)').out, 'ff|00000101|-0005|111');
});

test('eval: division by zero and bad expressions are errors with the location', () => {
  const r = m4('dnl\neval(1/0)eval(5%0)eval(1 2)eval(1?2:3)eval(--3)eval(2**-1)eval(7,37)eval()\n');
  assert.equal(r.out, '0\n');
  assert.deepEqual(r.diags, [
    'test.mc:2: divide by zero in eval: 1/0',
    'test.mc:2: modulo by zero in eval: 5%0',
    'test.mc:2: bad expression in eval (excess input): 1 2',
    'test.mc:2: bad expression in eval (bad input): 1?2:3',
    'test.mc:2: invalid operator in eval: --3',
    'test.mc:2: negative exponent in eval: 2**-1',
    "test.mc:2: radix 37 in builtin `eval' out of range",
    "test.mc:2: warning: empty string treated as 0 in builtin `eval'",
  ]);
});

test('eval: nesting and length are bounded without exhausting the stack', () => {
  const deep = m4(`eval(${'('.repeat(5000)}1${')'.repeat(5000)})`);
  assert.equal(deep.out, '');
  assert.match(deep.diags[0] ?? '', /expression nested too deeply in eval/);
  const long = m4(`eval(${'1+'.repeat(20000)}1)`);
  assert.equal(long.out, '20001');
});

test('shift quotes the remaining arguments', () => {
  assert.equal(m4("shift(a,b,c)|shift(a)|define(`n', `$#')n(shift(a,`b,c',d))\n").out, 'b,c||2\n');
});

test('errprint becomes a warning', () => {
  const r = m4("dnl\nerrprint(`site not configured', `yet')\n");
  assert.deepEqual(r.diags, ['test.mc:2: warning: site not configured yet']);
});

test('__file__ and __line__', () => {
  assert.equal(m4('a\n__line__ __file__\n', {}, 'x.mc').out, 'a\n2 x.mc\n');
});

test('too few arguments: index(`abc\') is 0, substr and translit give their text back (GNU m4)', () => {
  const r = m4('index(abc)|substr(abc)|translit(abc)\n');
  assert.equal(r.out, '0|abc|abc\n');
  assert.equal(r.diags.length, 3);
});
