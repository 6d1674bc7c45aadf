import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HostMacro, SourceLoc } from '../../../src/config/m4/engine.js';
import { m4 } from './helpers.js';

function recorder(): { calls: { name: string; args: string[]; loc: SourceLoc }[]; macro(name: string, result?: string): HostMacro } {
  const calls: { name: string; args: string[]; loc: SourceLoc }[] = [];
  return {
    calls,
    macro: (name, result = '') => (args, loc) => {
      calls.push({ name, args, loc });
      return result;
    },
  };
}

test('host macros with and without an argument list', () => {
  const rec = recorder();
  const hostMacros = { FEATURE: rec.macro('FEATURE'), MAILER_DEFINITIONS: rec.macro('MAILER_DEFINITIONS'), NOARGS: rec.macro('NOARGS') };
  m4("FEATURE(`access_db', , `skip')dnl\nMAILER_DEFINITIONS\nNOARGS()\nFEATURE (x)\n", { hostMacros });
  assert.deepEqual(
    rec.calls.map((c) => [c.name, c.args, c.loc.line]),
    [
      ['FEATURE', ['access_db', '', 'skip'], 1],
      ['MAILER_DEFINITIONS', [], 2],
      ['NOARGS', [''], 3],
      ['FEATURE', [], 4],
    ],
  );
});

test('a host macro on a # line is still called (# is not a comment)', () => {
  const rec = recorder();
  m4("divert(-1)\n# See FEATURE(`foo') above\n", { hostMacros: { FEATURE: rec.macro('FEATURE') } });
  assert.deepEqual(rec.calls.map((c) => [c.args, c.loc.line]), [[['foo'], 2]]);
});

test('host macro arguments are collected with expansion and one level of quotes removed', () => {
  const rec = recorder();
  m4("define(`PORT', `2525')DAEMON_OPTIONS(`Port=PORT, Addr=127.0.0.1', Port=PORT)\n", { hostMacros: { DAEMON_OPTIONS: rec.macro('D') } });
  assert.deepEqual(rec.calls[0]?.args, ['Port=PORT, Addr=127.0.0.1', 'Port=2525']);
});

test('the location of a multi-line call is the line of the macro name', () => {
  const rec = recorder();
  m4("\n\nDAEMON_OPTIONS(`Family=inet,\n   Port=smtp')dnl\nFEATURE(`x')\n", { hostMacros: { DAEMON_OPTIONS: rec.macro('D'), FEATURE: rec.macro('F') } }, 'h.mc');
  assert.deepEqual(
    rec.calls.map((c) => [c.name, c.loc]),
    [
      ['D', { file: 'h.mc', line: 3 }],
      ['F', { file: 'h.mc', line: 5 }],
    ],
  );
});

test('a host macro expansion is rescanned; it can switch diversions and see definitions', () => {
  const seen: (string | undefined)[] = [];
  const divs: number[] = [];
  const hostMacros: Record<string, HostMacro> = {
    LOCAL_CONFIG: (_a, loc, ctx) => {
      ctx.mark('LOCAL_CONFIG', loc);
      return 'divert(6)';
    },
    SHOW: (args, _loc, ctx) => {
      seen.push(ctx.lookup(args[0] ?? ''));
      divs.push(ctx.divert);
      return ctx.quote('SHOW(literal)');
    },
  };
  const r = m4("define(`X', `1')divert(-1)\nLOCAL_CONFIG\nSHOW(`X')SHOW(`nope')\n", { hostMacros });
  assert.deepEqual(seen, ['1', undefined]);
  assert.deepEqual(divs, [6, 6]);
  assert.equal(r.out, '\nSHOW(literal)SHOW(literal)\n');
  assert.deepEqual(
    r.result.output.map((c) => [c.divert, c.marker ?? c.text]),
    [
      [-1, 'LOCAL_CONFIG'],
      [6, '\n'],
      [6, 'SHOW(literal)SHOW(literal)\n'],
    ],
  );
});

test('host warnings and errors become diagnostics', () => {
  const hostMacros: Record<string, HostMacro> = {
    MASQUERADE_AS: (_a, loc, ctx) => {
      ctx.error('MASQUERADE_AS is not supported', loc);
      ctx.warn('and a warning', loc);
      return '';
    },
  };
  const r = m4("\nMASQUERADE_AS(`example.org')\n", { hostMacros });
  assert.deepEqual(r.diags, ['test.mc:2: MASQUERADE_AS is not supported', 'test.mc:2: warning: and a warning']);
});

test('a user define overrides a host macro, and undefine removes it, as in m4', () => {
  const rec = recorder();
  const r = m4("define(`FEATURE', `mine')FEATURE(x) undefine(`FEATURE')FEATURE(y)\n", { hostMacros: { FEATURE: rec.macro('F') } });
  assert.equal(r.out, 'mine FEATURE(y)\n');
  assert.deepEqual(rec.calls, []);
});
