import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { m4, tempDir } from './helpers.js';

test('syscmd, esyscmd, maketemp, mkstemp, m4exit, m4wrap are errors with file:line, nothing executed', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const marker = join(dir, 'ran');
  const text = [
    `syscmd(\`touch ${marker}')`,
    `esyscmd(\`touch ${marker}')`,
    `maketemp(\`${dir}/tmpXXXXXX')`,
    `mkstemp(\`${dir}/tmpXXXXXX')`,
    'm4exit(1)',
    "m4wrap(`wrapped')",
    'still read',
  ].join('\n');
  const r = m4(text, {}, 'evil.mc');
  assert.equal(r.out, '\n\n\n\n\n\nstill read');
  assert.deepEqual(
    r.result.diagnostics.map((d) => [d.severity, d.line, d.message.split(' ')[0]]),
    [
      ['error', 1, '`syscmd\''],
      ['error', 2, '`esyscmd\''],
      ['error', 3, '`maketemp\''],
      ['error', 4, '`mkstemp\''],
      ['error', 5, '`m4exit\''],
      ['error', 6, '`m4wrap\''],
    ],
  );
  assert.ok(r.result.diagnostics.every((d) => d.file === 'evil.mc' && / is refused in \.mc files: /.test(d.message)));
  assert.equal(existsSync(marker), false);
  assert.deepEqual(readdirSync(dir), []);
});

test('refused built-ins reached through indir, builtin or a user macro are refused too', () => {
  const r = m4("define(`run', `syscmd($1)')run(`id')indir(`esyscmd', `id')builtin(`syscmd', `id')\n");
  assert.equal(r.out, '\n');
  assert.deepEqual(
    r.result.diagnostics.map((d) => d.message.split(' ')[0]),
    ['`syscmd\'', '`esyscmd\'', '`syscmd\''],
  );
});

test('like GNU m4, the blind ones are plain words without an argument list', () => {
  const r = m4('# we never call syscmd or mkstemp here\n');
  assert.equal(r.out, '# we never call syscmd or mkstemp here\n');
  assert.deepEqual(r.diags, []);
});

test('m4exit needs no arguments to be refused, and reading goes on', () => {
  const r = m4('a m4exit b\n');
  assert.equal(r.out, 'a  b\n');
  assert.equal(r.result.diagnostics[0]?.severity, 'error');
});

test('GNU extensions outside the subset are errors; debugging built-ins are ignored with a warning', () => {
  const r = m4("patsubst(`a', `a', `b')format(`%d', 1)traceon\n");
  assert.equal(r.out, '\n');
  assert.deepEqual(r.diags, [
    "test.mc:1: `patsubst' is not supported by Postern's m4 subset (expands to nothing)",
    "test.mc:1: `format' is not supported by Postern's m4 subset (expands to nothing)",
    "test.mc:1: warning: `traceon' ignored (m4 debugging is not supported)",
  ]);
});
