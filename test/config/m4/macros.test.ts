import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMAND_LINE_FILE } from '../../../src/config/m4/engine.js';
import { m4 } from './helpers.js';

test('define, undefine, ifdef', () => {
  const r = m4("define(`X', `1')ifdef(`X', `yes', `no') undefine(`X')ifdef(`X', `yes', `no') ifdef(`X', `only')|X\n");
  assert.equal(r.out, 'yes no |X\n');
});

test('ifelse: comment form, pairs, default branch, several triples', () => {
  const r = m4(
    [
      "ifelse(`a comment, with commas')",
      "ifelse(`a', `a', `eq')",
      "ifelse(`a', `b', `eq')",
      "ifelse(`a', `b', `eq', `ne')",
      "ifelse(`a', `b', `1', `a', `a', `2', `3')",
      "ifelse(`a', `b', `1', `c', `d', `2', `3')",
      "ifelse(`a', `b', `1', `c', `d', `2')",
    ].join('|') + '\n',
  );
  assert.equal(r.out, '|eq||ne|2|3|\n');
  assert.deepEqual(r.diags, []);
});

test('ifelse with two arguments warns, as GNU m4', () => {
  assert.deepEqual(m4('ifelse(a,b)').diags, ["test.mc:1: warning: too few arguments to builtin `ifelse'"]);
});

test('user macro parameters: $0..$9 and more, $#, $*, $@', () => {
  const r = m4(
    "define(`q', `<`$0':$#:$*:$@>')q(x,`y,z')|q|q()\n" +
      "define(`p', `[$1|$10|$11]')p(a,b,c,d,e,f,g,h,i,j,k)\n" +
      "define(`r', ``$*'')r(a,b) define(`s', ``$@'')s(a,b) define(`cost', `$5 and $')cost\n",
  );
  assert.equal(r.out, '<q:2:x,y,z:x,y,z>|<q:0::>|<q:1::>\n[a|j|k]\na,b `a\',`b\'  and $\n');
});

test('a macro defined earlier is expanded where it is used later, with its value at that time', () => {
  const r = m4("define(`DOM', `example.org')dnl\nmail.DOM\ndefine(`DOM', `example.net')dnl\nmx.DOM\n");
  assert.equal(r.out, 'mail.example.org\nmx.example.net\n');
});

test('recursion through ifelse and shift terminates', () => {
  const r = m4("define(`rec', `ifelse(`$1', `', `', `[$1]rec(shift($@))')')rec(a,b,c)\n");
  assert.equal(r.out, '[a][b][c]\n');
});

test('pushdef and popdef keep a stack; undefine removes all of it', () => {
  const r = m4("define(`a',1)pushdef(`a',2)a popdef(`a')a popdef(`a')a pushdef(`b',1)pushdef(`b',2)undefine(`b')b\n");
  assert.equal(r.out, '2 1 a b\n');
});

test('defn returns a user definition quoted; indir and builtin call by name', () => {
  const r = m4("define(`a', `A$1')define(`b', defn(`a'))b(1) indir(`a', 2) builtin(`len', `abc') indir(`nope')\n");
  assert.equal(r.out, 'A1 A2 3 \n');
  assert.deepEqual(r.diags, ["test.mc:1: indir: undefined macro `nope'"]);
});

test('a counter kept with define and incr', () => {
  assert.equal(m4("define(`cnt', 0)define(`inc', `define(`cnt', incr(cnt))')inc inc inc cnt\n").out, '   3\n');
});

test('-D defines exist before the file is read and can be redefined', () => {
  const r = m4("ifdef(`SITE', `site=SITE', `no site')\ndefine(`confX', `SITE')dnl\n", {
    defines: { SITE: 'mx1', OTHER: '' },
  });
  assert.equal(r.out, 'site=mx1\n');
  assert.deepEqual(r.result.definitions.get('OTHER'), { value: '', loc: { file: COMMAND_LINE_FILE, line: 0 } });
  assert.equal(r.result.expandMacro('confX'), 'mx1');
});

test('definitions: final user definitions with the location of their define', () => {
  const r = m4("dnl\ndefine(`confA', `1')dnl\ndefine(`confB',\n`2')dnl\nundefine(`confA')dnl\ndefine(`confC', `3')undefine(`confC')define(`confC', `4')\n", {}, 'site.mc');
  const defs = r.result.definitions;
  assert.equal(defs.has('confA'), false);
  assert.deepEqual(defs.get('confB'), { value: '2', loc: { file: 'site.mc', line: 3 } });
  assert.deepEqual(defs.get('confC'), { value: '4', loc: { file: 'site.mc', line: 6 } });
  assert.equal(defs.has('define'), false, 'built-ins are not user definitions');
});

test('expandMacro expands in the final state, like m4 at the end of the file', () => {
  const r = m4("define(`A', `x')define(`confB', `A.y')define(`A', `z')\n");
  assert.equal(r.result.expandMacro('confB'), 'z.y');
  assert.equal(r.result.expandMacro('A'), 'z');
  assert.equal(r.result.expandMacro('define'), undefined);
  assert.equal(r.result.expandMacro('nothing'), undefined);
  // Expanding does not change the final state.
  const s = m4("define(`n', 0)define(`bump', `define(`n', incr(n))n')\n");
  assert.equal(s.result.expandMacro('bump'), '1');
  assert.equal(s.result.expandMacro('bump'), '1');
  assert.equal(s.result.definitions.get('n')?.value, '0');
});

test('expandMacro reports problems in the value into the diagnostics', () => {
  const r = m4("define(`confX', `syscmd(`ls')ok')\n");
  assert.deepEqual(r.diags, []);
  assert.equal(r.result.expandMacro('confX'), 'ok');
  assert.match(r.result.diagnostics[0]?.message ?? '', /^`syscmd' is refused/);
  assert.equal(r.result.diagnostics[0]?.line, 1);
});
