import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  aliasStats,
  loadAliasFiles,
  lookupAlias,
  parseAliases,
  parseElements,
  type AliasOptions,
} from '../../src/maps/aliases.js';
import { canonicalize } from '../../src/policy/canonical.js';
import { formatDiagnostic } from '../../src/util/diagnostics.js';
import { SPEC_ALIASES as SPEC_FILE } from '../helpers/spec-examples.js';

const W = new Set(['localhost', 'mx.example.com', 'example.com']);
const opts: AliasOptions = { isLocalDomain: (d) => W.has(d) };


async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'postern-aliases-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function messages(text: string, o: AliasOptions = opts): string[] {
  return parseAliases(text, 'aliases', o).diagnostics.map(formatDiagnostic);
}

test('§10: the test file gives 13 aliases with the right element kinds', () => {
  const r = parseAliases(SPEC_FILE, '/etc/mail/aliases', opts);
  assert.deepEqual(r.diagnostics, []);
  assert.equal(r.aliases.size, 13);
  assert.equal(aliasStats(r.aliases).count, 13);
  const get = (n: string) => {
    const e = lookupAlias(r.aliases, n);
    assert.ok(e, n);
    return e;
  };
  assert.deepEqual(get('postmaster').elements, [{ kind: 'local', raw: 'root', user: 'root' }]);
  assert.equal(get('MAILER-DAEMON').name, 'mailer-daemon');
  assert.equal(get('team').line, 4);
  assert.equal(get('team').file, '/etc/mail/aliases');
  assert.deepEqual(get('team').elements.map((e) => e.raw), ['bob', 'carol']);
  assert.deepEqual(get('list').elements.map((e) => e.raw), ['bob', 'carol', 'bob']);
  assert.deepEqual(get('erin').elements, [
    { kind: 'local', raw: 'erin', user: 'erin' },
    { kind: 'remote', raw: 'erin@remote.example', address: 'erin@remote.example' },
  ]);
  assert.deepEqual(get('direct').elements, [{ kind: 'user', raw: '\\bob', user: 'bob' }]);
  assert.deepEqual(get('prog').elements, [{ kind: 'program', raw: '"|/usr/bin/vacation bob"', command: '/usr/bin/vacation bob' }]);
  assert.deepEqual(get('archive').elements, [{ kind: 'file', raw: '/var/mail-archive/team', path: '/var/mail-archive/team' }]);
  assert.deepEqual(get('gone').elements, [
    { kind: 'error', raw: 'error:5.1.1:550 This address is no longer in use', code: 550, enh: '5.1.1', text: 'This address is no longer in use' },
  ]);
  assert.equal(lookupAlias(r.aliases, 'TEAM'), get('team'));
  assert.equal(lookupAlias(r.aliases, 'nobody-here'), undefined);
  const stats = aliasStats(r.aliases);
  let total = 0;
  let longest = 0;
  for (const e of r.aliases.values()) {
    total += e.name.length + e.value.length;
    longest = Math.max(longest, e.value.length);
  }
  assert.deepEqual(stats, { count: 13, longest, total });
});

test('§10 rows: the newaliases errors with their line numbers', () => {
  assert.deepEqual(messages(`${SPEC_FILE}# comment\n bob\n\tcarol\n`), ['aliases:17: Non-continuation line starts with space']);
  assert.deepEqual(messages(`${SPEC_FILE}nocolon bob\n`), ['aliases:16: missing colon']);
  assert.deepEqual(messages(`${SPEC_FILE}empty:\n`), ['aliases:16: empty:... missing value for alias']);
  assert.deepEqual(messages('empty:   \n\t  \n'), ['aliases:1: empty:   \t  ... missing value for alias']);
  assert.deepEqual(messages(' first line\n'), ['aliases:1: Non-continuation line starts with space']);
  assert.deepEqual(messages('a: b\n\n  c\n'), ['aliases:3: Non-continuation line starts with space']);
});

test('§10 row: a duplicate name warns, and the later definition wins (or is joined with -A)', () => {
  const text = `${SPEC_FILE}Team: dave\n`;
  const r = parseAliases(text, 'aliases', opts);
  assert.deepEqual(r.diagnostics.map(formatDiagnostic), ['aliases:16: warning: Warning: duplicate alias name team']);
  assert.deepEqual(r.diagnostics[0]?.severity, 'warning');
  assert.deepEqual(lookupAlias(r.aliases, 'team')?.elements.map((e) => e.raw), ['dave']);
  assert.equal(lookupAlias(r.aliases, 'team')?.line, 16);
  const joined = parseAliases(text, 'aliases', { ...opts, joinDuplicates: true });
  assert.deepEqual(lookupAlias(joined.aliases, 'team')?.elements.map((e) => e.raw), ['bob', 'carol', 'dave']);
});

test('§2.1 lines: backslash-newline, CR LF, comments, # inside a value, entry length', () => {
  const r = parseAliases('a: b,\\\nc\r\n# note\r\n\r\nd: e,\r\n\tf\r\n', 'aliases', opts);
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(lookupAlias(r.aliases, 'a')?.elements.map((e) => e.raw), ['b', 'c']);
  assert.deepEqual(lookupAlias(r.aliases, 'd')?.elements.map((e) => e.raw), ['e', 'f']);
  assert.equal(lookupAlias(r.aliases, 'd')?.line, 5);

  assert.deepEqual(messages('x: bob # the boss\n'), ['aliases:1: bob # the boss... invalid address']);

  const long = `big: ${'u'.repeat(5000)},\n\t${'v'.repeat(4000)}\nafter: bob\n`;
  const lr = parseAliases(long, 'aliases', opts);
  assert.deepEqual(lr.diagnostics.map(formatDiagnostic), ['aliases:1: alias line too long']);
  assert.equal(lookupAlias(lr.aliases, 'big'), undefined);
  assert.ok(lookupAlias(lr.aliases, 'after'));
  const fits = `big: ${'u'.repeat(8192 - 6)}\n`;
  assert.equal(Buffer.byteLength(fits) - 1, 8191);
  assert.deepEqual(messages(fits), []);
});

test('§2.2 names: illegal, non-local, local domain dropped, quoted, case folding', () => {
  assert.deepEqual(messages(': bob\n'), ['aliases:1: : bob... illegal alias name']);
  assert.deepEqual(messages('a b: bob\n'), ['aliases:1: a b: bob... illegal alias name']);
  assert.deepEqual(messages(`${'n'.repeat(30)} x y z zz: bob\n`), [`aliases:1: ${'n'.repeat(30)} x y z zz:... illegal alias name`]);
  assert.deepEqual(messages('eric@prep.ai.mit.edu: bob\n'), ['aliases:1: eric@prep.ai.mit.edu... cannot alias non-local names']);
  assert.deepEqual(messages('|prog: bob\n'), ['aliases:1: |prog... cannot alias non-local names']);
  const r = parseAliases('Sales@Example.COM: bob\n"john doe": carol\n', 'aliases', opts);
  assert.deepEqual(r.diagnostics.map(formatDiagnostic), [
    'aliases:1: warning: Warning: Sales@Example.COM: local domain example.com dropped from alias name',
  ]);
  assert.ok(lookupAlias(r.aliases, 'sales'));
  assert.ok(lookupAlias(r.aliases, 'John Doe'));
});

test('§2.3 elements: splitting, quoting and every kind', () => {
  const el = (v: string) => parseElements(v, { isLocalDomain: (d) => W.has(d) });
  assert.deepEqual(el('"a,b"@remote.example, <c@remote.example>, Full Name <d@example.com>,,').elements, [
    { kind: 'remote', raw: '"a,b"@remote.example', address: '"a,b"@remote.example' },
    { kind: 'remote', raw: '<c@remote.example>', address: 'c@remote.example' },
    { kind: 'local', raw: 'Full Name <d@example.com>', user: 'd', domain: 'example.com' },
  ]);
  assert.deepEqual(el('"|/usr/bin/msgs -s", "/var/log/x y", :include:/etc/mail/list, bob@EXAMPLE.com.').elements, [
    { kind: 'program', raw: '"|/usr/bin/msgs -s"', command: '/usr/bin/msgs -s' },
    { kind: 'file', raw: '"/var/log/x y"', path: '/var/log/x y' },
    { kind: 'include', raw: ':include:/etc/mail/list', path: '/etc/mail/list' },
    { kind: 'local', raw: 'bob@EXAMPLE.com.', user: 'bob', domain: 'example.com' },
  ]);
  assert.deepEqual(el('"say \\"hi\\""@remote.example').elements.map((e) => e.kind), ['remote']);
  assert.deepEqual(el('"|echo \\"a\\" \\\\"').elements, [{ kind: 'program', raw: '"|echo \\"a\\" \\\\"', command: 'echo "a" \\' }]);
  assert.deepEqual(el('error:450 mailbox full').elements, [{ kind: 'error', raw: 'error:450 mailbox full', code: 450, text: 'mailbox full' }]);

  const errs = (v: string) => el(v).errors;
  assert.deepEqual(errs('|/usr/bin/msgs -s'), ['program address with spaces must be quoted']);
  assert.deepEqual(errs(':include:etc/list'), [':include: path must be absolute']);
  assert.deepEqual(errs('bob, error:550 gone'), ['error: must be the only element of an alias value']);
  assert.deepEqual(errs('error:5.1.1:450 mixed'), ['error:5.1.1:450 mixed... enhanced status 5.1.1 does not match reply code 450']);
  assert.deepEqual(errs('error:gone'), ['error:gone... invalid error: value (error:D.S.N:ddd text or error:ddd text)']);
  assert.deepEqual(errs('"bob'), [`"bob... Unbalanced '"'`]);
  assert.deepEqual(errs('<bob'), [`<bob... Unbalanced '<'`]);
  assert.deepEqual(errs('@example.com'), ['@example.com... user address required']);
  assert.deepEqual(errs('bob@'), ['bob@... hostname required']);
  assert.deepEqual(errs('a;b'), ['a;b... invalid address']);
  assert.deepEqual(parseElements(':include:/x, error:550 no', { isLocalDomain: () => false, allowError: false }).errors, [
    'error:550 no... error: is allowed in alias files only',
  ]);
});

test('§2.3: with the canonical form of relay-and-access.md §3, routing forms resolve', () => {
  const classify = (a: string) => canonicalize(a, { isLocalDomain: (d) => W.has(d), j: 'mx.example.com', m: 'example.com' });
  const r = parseElements('user%evil.example@example.com, @example.com:carol@example.com, root@localhost, gateway!x, x@[192.0.2.1]', {
    isLocalDomain: (d) => W.has(d),
    classify,
  });
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.elements, [
    { kind: 'remote', raw: 'user%evil.example@example.com', address: 'user@evil.example' },
    { kind: 'local', raw: '@example.com:carol@example.com', user: 'carol', domain: 'example.com' },
    { kind: 'local', raw: 'root@localhost', user: 'root', domain: 'mx.example.com' },
    { kind: 'remote', raw: 'gateway!x', address: 'x@gateway.uucp' },
    { kind: 'remote', raw: 'x@[192.0.2.1]', address: 'x@[192.0.2.1]' },
  ]);
});

test('entries with errors are left out; the rest is built', () => {
  const r = parseAliases('good: bob\nbad: |x y\nalso: carol\n', 'aliases', opts);
  assert.deepEqual([...r.aliases.keys()], ['good', 'also']);
  assert.deepEqual(r.diagnostics.map(formatDiagnostic), ['aliases:2: program address with spaces must be quoted']);
});

test('loadAliasFiles: real files, class prefixes, search order, missing and refused files', async () => {
  await withDir(async (dir) => {
    const a = join(dir, 'aliases');
    const b = join(dir, 'more-aliases');
    await writeFile(a, SPEC_FILE);
    await writeFile(b, 'team: dave\nextra: erin\n');
    const missing = join(dir, 'nope');
    const r = await loadAliasFiles([`hash:${a}`, b, missing, 'nis:mail.aliases'], (d) => W.has(d));
    assert.deepEqual(r.files.map((f) => [f.path, f.stats.count]), [
      [a, 13],
      [b, 2],
    ]);
    assert.equal(r.aliases.size, 14);
    assert.deepEqual(lookupAlias(r.aliases, 'team')?.elements.map((e) => e.raw), ['bob', 'carol'], 'the first file wins');
    assert.equal(lookupAlias(r.aliases, 'extra')?.file, b);
    assert.deepEqual(
      r.diagnostics.map((d) => [d.severity, d.message]),
      [
        ['warning', `alias file ${missing} does not exist`],
        ['error', 'alias map class nis: is not supported'],
      ],
    );
    assert.equal(r.diagnostics[0]?.file, missing);

    const unreadable = await loadAliasFiles([dir], { isLocalDomain: () => false });
    assert.equal(unreadable.diagnostics[0]?.severity, 'error');
    assert.match(unreadable.diagnostics[0]?.message ?? '', /^cannot read alias file .*: EISDIR$/);
  });
});
