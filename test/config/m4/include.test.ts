import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HostMacro, SourceLoc } from '../../../src/config/m4/engine.js';
import { diskIncludes, m4, tempDir } from './helpers.js';

test('include reads a real file relative to the including file; its lines and definitions count', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  mkdirSync(join(dir, 'm4'));
  writeFileSync(join(dir, 'm4', 'site.m4'), "dnl site settings\ndefine(`confX', `from include')dnl\ninside __line__\ninclude(`more.m4')dnl\n");
  writeFileSync(join(dir, 'm4', 'more.m4'), 'more __file__\n');
  const mc = join(dir, 'sendmail.mc');
  const text = "before\ninclude(`m4/site.m4')dnl\nafter __line__\n";
  writeFileSync(mc, text);
  const r = m4(text, { readInclude: diskIncludes('/nonexistent-root') }, mc);
  assert.equal(r.out, `before\ninside 3\nmore ${join(dir, 'm4', 'more.m4')}\nafter 3\n`);
  assert.deepEqual(r.diags, []);
  assert.deepEqual(r.result.definitions.get('confX')?.loc, { file: join(dir, 'm4', 'site.m4'), line: 2 });
  const inside = r.result.output.find((c) => c.text.startsWith('inside'));
  assert.deepEqual(inside?.loc, { file: join(dir, 'm4', 'site.m4'), line: 3 });
});

test('include of an absent file warns with file:line; sinclude is silent; both expand to nothing', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const r = m4("a\ninclude(`missing.m4')b\nsinclude(`missing.m4')c\n", { readInclude: diskIncludes(dir) }, join(dir, 'x.mc'));
  assert.equal(r.out, 'a\nb\nc\n');
  assert.deepEqual(r.diags, [`${join(dir, 'x.mc')}:2: warning: cannot open include file missing.m4: not found`]);
});

test('sinclude of a present file includes it', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  writeFileSync(join(dir, 'opt.m4'), 'optional\n');
  const r = m4("sinclude(`opt.m4')", { readInclude: diskIncludes(dir) }, join(dir, 'x.mc'));
  assert.equal(r.out, 'optional\n');
});

test("sendmail's cf.m4 is recognised by name and never read", () => {
  const asked: string[] = [];
  const readInclude = (path: string) => {
    asked.push(path);
    return undefined;
  };
  const r = m4("include(`/usr/share/sendmail/cf/m4/cf.m4')dnl\nsinclude(`../m4/cf.m4')dnl\ninclude(`cf.m4')dnl\n", { readInclude });
  assert.deepEqual(asked, []);
  assert.equal(r.out, '');
  assert.equal(r.result.diagnostics.length, 3);
  assert.ok(r.result.diagnostics.every((d) => d.severity === 'notice' && /cf\.m4 skipped/.test(d.message)));
  assert.deepEqual(
    r.result.diagnostics.map((d) => d.line),
    [1, 2, 3],
  );
});

test('a file that includes itself stops at the include depth bound with an error', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  writeFileSync(join(dir, 'self.m4'), "x\ninclude(`self.m4')dnl\n");
  const r = m4("include(`self.m4')dnl\n", { readInclude: diskIncludes(dir), limits: { maxIncludeDepth: 5 } }, join(dir, 'x.mc'));
  assert.equal(r.out, 'x\n'.repeat(4));
  assert.deepEqual(r.diags, [`${join(dir, 'self.m4')}:2: include nesting deeper than 5 files (does self.m4 include itself?)`]);
});

test('an error thrown by the host while reading an include is reported at the include', () => {
  const readInclude = (path: string, from: SourceLoc) => {
    throw new Error(`${path} is group-writable (seen from line ${from.line})`);
  };
  const r = m4("\ninclude(`bad.m4')ok\n", { readInclude });
  assert.equal(r.out, '\nok\n');
  assert.deepEqual(r.diags, ['test.mc:2: cannot read include file bad.m4: bad.m4 is group-writable (seen from line 2)']);
});

test('a host macro called inside an included file gets that file and line', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  writeFileSync(join(dir, 'dialup.m4'), "dnl\n\nFEATURE(`x')dnl\n");
  const calls: [string[], SourceLoc][] = [];
  const FEATURE: HostMacro = (args, loc) => {
    calls.push([args, loc]);
    return '';
  };
  m4("include(`dialup.m4')dnl\nFEATURE(`y')dnl\n", { readInclude: diskIncludes(dir), hostMacros: { FEATURE } }, join(dir, 'x.mc'));
  assert.deepEqual(calls, [
    [['x'], { file: join(dir, 'dialup.m4'), line: 3 }],
    [['y'], { file: join(dir, 'x.mc'), line: 2 }],
  ]);
});
