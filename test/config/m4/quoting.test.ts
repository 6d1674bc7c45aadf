import { test } from 'node:test';
import assert from 'node:assert/strict';
import { m4 } from './helpers.js';

test('one level of quotes is removed per scan, and quotes nest', () => {
  assert.equal(m4("`nested `quotes' here'\n``twice''\n").out, "nested `quotes' here\n`twice'\n");
});

test('a quoted word is not expanded; the unquoted one is', () => {
  assert.equal(m4("define(`A', `x')`A' A\n").out, 'A x\n');
});

test('a value with commas quoted twice survives as one argument', () => {
  const r = m4("define(`confPRIVACY_FLAGS', ``goaway,restrictmailq,restrictqrun'')dnl\n");
  assert.equal(r.out, '');
  assert.equal(r.result.definitions.get('confPRIVACY_FLAGS')?.value, '`goaway,restrictmailq,restrictqrun\'');
  assert.equal(r.result.expandMacro('confPRIVACY_FLAGS'), 'goaway,restrictmailq,restrictqrun');
});

test('a value with commas quoted once is cut at the first comma', () => {
  const r = m4("define(`V', goaway,restrictmailq)dnl\n");
  assert.equal(r.result.definitions.get('V')?.value, 'goaway');
  assert.deepEqual(r.diags, ["test.mc:1: warning: excess arguments to builtin `define' ignored"]);
});

test('dnl deletes up to and including the newline, also when produced by an expansion', () => {
  assert.equal(m4('a dnl this goes\nb\n').out, 'a b\n');
  assert.equal(m4("define(`D', `dnl')D eaten\nkept\n").out, 'kept\n');
  assert.equal(m4('last line dnl').out, 'last line ');
});

test('# is not a comment: macros on # lines are expanded', () => {
  const r = m4("define(`F', `called($1)')dnl\n# See F(`foo') above\n");
  assert.equal(r.out, '# See called(foo) above\n');
});

test('changequote with two arguments, one argument, an empty one, and none', () => {
  assert.equal(m4('changequote([,])define([Q], [q[$1]])Q(1) [`\']\n').out, "q1 `'\n");
  assert.equal(m4("changequote(`[')[y'\n").out, 'y\n');
  assert.equal(m4("changequote()`z'\n").out, "`z'\n");
  assert.equal(m4("changequote([,])changequote`x'\n").out, 'x\n');
});

test('multi-character quotes', () => {
  assert.equal(m4("changequote(`<<', `>>')define(<<X>>, <<x<<y>>z>>)X <<X>> <X>\n").out, 'xyz X <xyz>\n');
});

test('changecom turns comments on (copied verbatim) and off again', () => {
  const r = m4("changecom(`/*', `*/')/* define(`zz', 1) */zz\nchangecom(`%')% define(x)\nchangecom`'define(`x', 1)% x\n");
  assert.equal(r.out, "/* define(`zz', 1) */zz\n% define(x)\n% 1\n");
});

test('arguments: unquoted leading white space removed, trailing kept, nested parentheses kept together', () => {
  const r = m4("define(`f', `[$1|$2|$3|$#]')f(  a  ,  (b, c)  , `  d')\nf\nf()\n");
  assert.equal(r.out, '[a  |(b, c)  |  d|3]\n[|||0]\n[|||1]\n');
});

test('arguments are macro-expanded while being collected', () => {
  assert.equal(m4("define(`A', `1,2')define(`n', `$#')n(A) n(`A')\n").out, '2 1\n');
});

test('a name followed by a space then ( is called without arguments', () => {
  assert.equal(m4("define(`f', `<$#>')f (x)\n").out, '<0> (x)\n');
});

test('words run on across the end of an expansion, as in GNU m4', () => {
  assert.equal(m4("define(`F', `FEAT')define(`FEATURE', `yes')F`'URE F()URE\n").out, 'FEATURE yes\n');
});

test('input is text: any byte passes through', () => {
  const text = 'caf\u00e9 \u0000\u00ff\u0001 ok\n';
  assert.equal(m4(text).out, text);
});
