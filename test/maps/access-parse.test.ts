import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_REPORTED, parseAccessBuffer, parseAccessText, type AccessParseResult } from '../../src/maps/access-parse.js';
import { formatDiagnostic } from '../../src/util/diagnostics.js';

/** Writes the text to a real file, reads it back as the daemon does, and parses it. */
async function parseFile(text: string): Promise<AccessParseResult & { file: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'postern-access-'));
  try {
    const file = join(dir, 'access');
    await writeFile(file, text);
    return { ...(await parseAccessBuffer(await readFile(file), { file })), file };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function shown(r: AccessParseResult, severity: 'error' | 'warning' | 'notice'): string[] {
  return r.diagnostics.filter((d) => d.severity === severity).map(formatDiagnostic);
}

test('§2 format: key, white space, value; comments and blank lines; CRLF; keys folded, values not', async () => {
  const r = await parseFile(
    [
      '# access map',
      '',
      '   ',
      'Connect:192.0.2.7\tREJECT',
      'From:Spammer@Bad.EXAMPLE    ERROR:5.7.1:"550 Go Away"   ',
      '  To:Partner.Example RELAY',
      'Spam:Abuse@ FRIEND\r',
      'GreetPause:198.51.100 5000',
      '',
    ].join('\n'),
  );
  assert.equal(r.errors, 0, shown(r, 'error').join('\n'));
  assert.deepEqual(r.diagnostics, []);
  assert.equal(r.table.size, 5);
  const from = r.table.get('from:spammer@bad.example');
  assert.ok(from?.value.kind === 'error');
  assert.equal(from.value.text, 'Go Away');
  assert.equal(from.line, 5);
  assert.equal(from.tag, 'From');
  assert.equal(r.table.get('TO:partner.example')?.value.kind, 'relay');
  assert.equal(r.table.get('spam:abuse@')?.value.kind, 'friend');
  assert.deepEqual(r.table.get('greetpause:198.51.100')?.value, { kind: 'number', raw: '5000', value: 5000 });
  assert.deepEqual(
    [...r.table.entries()].map((e) => [e.key, e.line]),
    [
      ['connect:192.0.2.7', 4],
      ['from:spammer@bad.example', 5],
      ['to:partner.example', 6],
      ['spam:abuse@', 7],
      ['greetpause:198.51.100', 8],
    ],
  );
});

test('§2 a key without a value is an error with file and line', async () => {
  const r = await parseFile('Connect:192.0.2.7 REJECT\nFrom:lonely.example\nFrom:ok.example OK\n');
  assert.equal(r.errors, 1);
  assert.deepEqual(shown(r, 'error'), [`${r.file}:2: key From:lonely.example has no value`]);
  assert.equal(r.table.size, 2);
});

test('§2 a repeated key is an error with file and line; the first entry wins', async () => {
  const r = await parseFile(
    ['Connect:192.0.2.7 REJECT', 'connect:192.0.2.7 OK', 'Connect:IPv6:2001:db8::1 OK', 'Connect:IPv6:2001:DB8:0:0:0:0:0:1 REJECT'].join('\n'),
  );
  assert.equal(r.errors, 2);
  assert.deepEqual(shown(r, 'error'), [
    `${r.file}:2: repeated key connect:192.0.2.7 (first at line 1); the first entry is used`,
    `${r.file}:4: repeated key Connect:IPv6:2001:DB8:0:0:0:0:0:1 (first at line 3); the first entry is used`,
  ]);
  assert.equal(r.table.get('connect:192.0.2.7')?.value.kind, 'reject');
  assert.equal(r.table.get('Connect:IPv6:2001:db8::1')?.value.kind, 'ok');
});

test('§2.2 any other value is a load-time error with file and line; the rest of the map is built', async () => {
  const r = await parseFile(
    ['Connect:192.0.2.7 REJECT', 'Connect:192.0.2.8 REJECT # spammer', 'Connect:192.0.2.9 FRIEND', 'Spam:bob@ OK', 'ClientRate:192.0.2.1 many', 'Connect:192.0.2.10 ACCEPT'].join('\n'),
  );
  assert.equal(r.errors, 5);
  assert.deepEqual(shown(r, 'error'), [
    `${r.file}:2: "REJECT # spammer" is not an access value (OK, RELAY, REJECT, DISCARD, SKIP, QUARANTINE:reason, ERROR:ddd text, ERROR:D.S.N:ddd text) (a # comment must be on a line of its own)`,
    `${r.file}:3: FRIEND is only valid for Spam: keys`,
    `${r.file}:4: Spam: entries take FRIEND or HATER, not "OK"`,
    `${r.file}:5: "many" is not a number (GreetPause:, ClientRate: and ClientConn: take a number)`,
    `${r.file}:6: "ACCEPT" is not an access value (OK, RELAY, REJECT, DISCARD, SKIP, QUARANTINE:reason, ERROR:ddd text, ERROR:D.S.N:ddd text)`,
  ]);
  assert.equal(r.table.size, 1);
});

test('the same bad value on many lines is reported on each line', async () => {
  const r = await parseFile('a.example BLOCK\nb.example BLOCK\n');
  assert.deepEqual(
    shown(r, 'error').map((m) => m.replace(/^.*:(\d+): .*$/, '$1')),
    ['1', '2'],
  );
});

test('§2.1 other sendmail tags are accepted and ignored with one notice per tag, kept for audit', async () => {
  const r = await parseFile(
    ['TLS_Clt:client.example VERIFY', 'Srv_Features:192.0.2 U', 'Srv_Features:198.51.100 G', 'Connect:192.0.2.7 OK', 'QGRP:example.com slow'].join('\n'),
  );
  assert.equal(r.errors, 0);
  assert.deepEqual(shown(r, 'notice'), [
    `${r.file}:1: notice: TLS_Clt: entries are not used by Postern and are ignored (1 entry)`,
    `${r.file}:2: notice: Srv_Features: entries are not used by Postern and are ignored (2 entries)`,
    `${r.file}:5: notice: QGRP: entries are not used by Postern and are ignored (1 entry)`,
  ]);
  assert.equal(r.table.size, 1);
  assert.deepEqual(r.table.ignored, [
    { tag: 'TLS_Clt', key: 'tls_clt:client.example', value: 'VERIFY', line: 1 },
    { tag: 'Srv_Features', key: 'srv_features:192.0.2', value: 'U', line: 2 },
    { tag: 'Srv_Features', key: 'srv_features:198.51.100', value: 'G', line: 3 },
    { tag: 'QGRP', key: 'qgrp:example.com', value: 'slow', line: 5 },
  ]);
  assert.equal(r.table.stats.ignored, 4);
});

test('a key with an unknown tag word and a broken IPv6 key are warnings', async () => {
  const r = await parseFile('Conect:192.0.2.7 REJECT\nConnect:IPv6:2001:db8:::1 REJECT\n');
  assert.equal(r.errors, 0);
  assert.deepEqual(shown(r, 'warning'), [
    `${r.file}:1: warning: Conect:192.0.2.7: Conect: is not an access map tag; this entry is never looked up`,
    `${r.file}:2: warning: Connect:IPv6:2001:db8:::1: not a valid IPv6 address; the key is used as written`,
  ]);
  assert.equal(r.table.get('connect:ipv6:2001:db8:::1')?.line, 2);
});

test('deprecated forms are counted and marked: untagged keys, `ddd text` values', async () => {
  const r = await parseFile(['spammer.example REJECT', '192.0.2 550 go away', 'From:x.example 550 go away', 'To:y.example ERROR:550 no'].join('\n'));
  assert.equal(r.errors, 0);
  assert.equal(r.table.stats.untagged, 2);
  assert.equal(r.table.stats.numericValues, 2);
  const deprecated = [...r.table.entries()].filter((e) => e.tag === undefined || (e.value.kind === 'error' && e.value.deprecatedForm));
  assert.deepEqual(
    deprecated.map((e) => e.line),
    [1, 2, 3],
  );
});

test('values are parsed once and shared between entries', () => {
  const r = parseAccessText('Connect:192.0.2.1 REJECT\nConnect:192.0.2.2 REJECT\nConnect:192.0.2.3 ERROR:550 x\nConnect:192.0.2.4 ERROR:550 x\n', { file: 'access' });
  assert.equal(r.table.stats.distinctValues, 2);
  assert.equal(r.table.get('connect:192.0.2.1')?.value, r.table.get('connect:192.0.2.2')?.value);
  assert.equal(r.table.get('connect:192.0.2.3')?.value, r.table.get('connect:192.0.2.4')?.value);
});

test('OperatorChars from the configuration shape the ERROR text rebuild', () => {
  const r = parseAccessText('From:a.example ERROR:550 Refused. See you, later\n', { file: 'access', operatorChars: '' });
  const v = r.table.get('from:a.example')?.value;
  assert.ok(v?.kind === 'error');
  assert.equal(v.text, 'Refused. See you,later');
});

test('a broken big file reports the first errors and counts the rest', async () => {
  const bad = Array.from({ length: MAX_REPORTED + 50 }, (_, i) => `Connect:10.0.${i >> 8}.${i & 255} NOPE`).join('\n');
  const r = await parseFile(bad);
  assert.equal(r.errors, MAX_REPORTED + 50);
  const errors = shown(r, 'error');
  assert.equal(errors.length, MAX_REPORTED + 1);
  assert.equal(errors.at(-1), `${r.file}: 50 more errors not shown`);
});

test('a file without a final newline, and an empty file', async () => {
  const r = await parseFile('Connect:192.0.2.7 REJECT');
  assert.equal(r.table.get('connect:192.0.2.7')?.line, 1);
  const e = await parseFile('');
  assert.equal(e.table.size, 0);
  assert.deepEqual(e.diagnostics, []);
});
