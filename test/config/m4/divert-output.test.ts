import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HostMacro } from '../../../src/config/m4/engine.js';
import { outputItems } from '../../../src/config/m4/output.js';
import { m4 } from './helpers.js';

test('divert(-1) discards, divert(0) and divert without arguments keep', () => {
  const r = m4('divert(-1)\ngone\ndivert(0)dnl\nkept\ndivert(-1)x\ndivert\nback divnum\n');
  assert.equal(r.out, 'kept\n\nback 0\n');
});

test('text in other diversions is kept in production order with its diversion number', () => {
  const r = m4('zero\ndivert(7)seven\ndivert(2)two\ndivert(0)again\n');
  assert.deepEqual(
    r.result.output.map((c) => [c.divert, c.text]),
    [
      [0, 'zero\n'],
      [7, 'seven\n'],
      [2, 'two\n'],
      [0, 'again\n'],
    ],
  );
});

test('a non-numeric divert is an error and leaves the diversion unchanged', () => {
  const r = m4('divert(-1)divert(x)hidden\n');
  assert.equal(r.out, '');
  assert.deepEqual(r.diags, ["test.mc:1: non-numeric argument to builtin `divert'"]);
});

test('output chunks carry file and line; expansion text carries the line of the call', () => {
  const r = m4("define(`TWO', `two\nlines')dnl\nfirst\nTWO and\nlast\n", {}, 'o.mc');
  assert.deepEqual(
    r.result.output.map((c) => [c.loc.line, c.text]),
    [
      [3, 'first\n'],
      [4, 'two\n'],
      [4, 'lines and\n'],
      [5, 'last\n'],
    ],
  );
  assert.ok(r.result.output.every((c) => c.loc.file === 'o.mc'));
});

test('line numbers stay right after multi-line calls, multi-line quotes and dnl', () => {
  const r = m4("define(`A',\n`1'\n)dnl\n`quoted\nover lines'\ndnl comment\nafter\n", {}, 'l.mc');
  const items = outputItems(r.result.output);
  assert.deepEqual(
    items.map((i) => (i.kind === 'line' ? [i.loc.line, i.text] : [i.loc.line, i.tag])),
    [
      [4, 'quoted'],
      [5, 'over lines'],
      [7, 'after'],
    ],
  );
});

test('outputItems: lines end at newlines, markers and diversion changes', () => {
  const section: HostMacro = (_args, loc, ctx) => {
    ctx.mark('S', loc);
    return '';
  };
  const r = m4('a\nb SECTION c\nd\ndivert(1)e\n', { hostMacros: { SECTION: section } });
  const items = outputItems(r.result.output);
  assert.deepEqual(items, [
    { kind: 'line', text: 'a', loc: { file: 'test.mc', line: 1 }, divert: 0 },
    { kind: 'line', text: 'b ', loc: { file: 'test.mc', line: 2 }, divert: 0 },
    { kind: 'marker', tag: 'S', loc: { file: 'test.mc', line: 2 }, divert: 0 },
    { kind: 'line', text: ' c', loc: { file: 'test.mc', line: 2 }, divert: 0 },
    { kind: 'line', text: 'd', loc: { file: 'test.mc', line: 3 }, divert: 0 },
    { kind: 'line', text: 'e', loc: { file: 'test.mc', line: 4 }, divert: 1 },
  ]);
});
