import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseClassFileText, readClassFile } from '../../src/maps/class-file.js';

test('class file format: comments, blanks, trimming, first word only, line numbers', () => {
  const words = parseClassFileText(
    ['# local-host-names', 'example.com', '  mx.example.com  # primary', '', '   ', 'a.example b.example', '\tlast.example\t'].join('\n'),
  );
  assert.deepEqual(words, [
    { word: 'example.com', line: 2 },
    { word: 'mx.example.com', line: 3 },
    { word: 'a.example', line: 6 },
    { word: 'last.example', line: 7 },
  ]);
});

test('readClassFile: present file, missing optional file, missing mandatory file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'postern-class-'));
  try {
    const p = join(dir, 'relay-domains');
    await writeFile(p, '192.168.1\r\npartner.example # our partner\r\n');
    assert.deepEqual(await readClassFile({ path: p, optional: false }), {
      ok: true,
      missing: false,
      words: [
        { word: '192.168.1', line: 1 },
        { word: 'partner.example', line: 2 },
      ],
    });
    const missing = join(dir, 'nope');
    assert.deepEqual(await readClassFile({ path: missing, optional: true }), { ok: true, words: [], missing: true });
    assert.deepEqual(await readClassFile({ path: missing, optional: false }), {
      ok: false,
      error: { severity: 'error', message: `cannot read class file ${missing}: no such file`, file: missing },
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
