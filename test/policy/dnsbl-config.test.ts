import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/load.js';
import type { FeatureUse } from '../../src/config/features.js';
import { dnsblLists } from '../../src/policy/dnsbl-config.js';
import { formatDiagnostic } from '../../src/util/diagnostics.js';
import { lines, withTempDir } from '../config/helpers.js';

// FEATURE(dnsbl) / FEATURE(enhdnsbl) arguments as the configuration hands them over
// (relay-and-access.md §8.1, §8.2).

function use(name: string, args: string[], line = 1): FeatureUse {
  return { name, args, file: '/etc/mail/sendmail.mc', line, layer: 'imported' };
}

function messages(features: FeatureUse[]): string[] {
  return dnsblLists(features).diagnostics.map(formatDiagnostic);
}

test('a .mc with every kind of argument arrives in configuration order', async () => {
  await withTempDir(async (t) => {
    const mc = await t.write(
      'sendmail.mc',
      lines(
        'divert(0)dnl',
        "FEATURE(`dnsbl', `bl.example.org')dnl",
        "FEATURE(`dnsbl', `custom.example.org', `\"550 Mail from \" $&{client_addr} \" refused\"', `t')dnl",
        "FEATURE(`enhdnsbl', `enh.example.org', `', `\"451 Try later \" $&{client_addr}', `127.0.0.2.', `127.0.$-.3.', `127.1.$+')dnl",
        "FEATURE(`dnsbl', `q.example.org', `quarantine')dnl",
        "FEATURE(`dnsbl', `d.example.org.', `discard')dnl",
      ),
    );
    const r = await loadConfig({ path: mc });
    const { lists, diagnostics } = dnsblLists(r.config!.featureList);
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(
      lists.map((l) => [l.feature, l.zone, l.listed.kind, l.temp.kind, l.patterns.map((p) => p.source), l.line]),
      [
        ['dnsbl', 'bl.example.org', 'reject', 'ignore', [], 2],
        ['dnsbl', 'custom.example.org', 'reject', 'reject', [], 3],
        ['enhdnsbl', 'enh.example.org', 'reject', 'reject', ['127.0.0.2.', '127.0.$-.3.', '127.1.$+'], 4],
        ['dnsbl', 'q.example.org', 'quarantine', 'ignore', [], 5],
        ['dnsbl', 'd.example.org', 'discard', 'ignore', [], 6],
      ],
    );
    const custom = lists[1]!;
    assert.ok(custom.listed.kind === 'reject' && custom.listed.text !== undefined);
    assert.ok(custom.temp.kind === 'reject' && custom.temp.text === undefined);
  });
});

test('other features are left alone; no lists without the features', () => {
  assert.deepEqual(dnsblLists([use('access_db', []), use('relay_based_on_MX', [])]), { lists: [], diagnostics: [] });
});

test('a missing zone is a configuration error with file and line', () => {
  assert.deepEqual(messages([use('dnsbl', [], 12), use('enhdnsbl', [' '], 13)]), [
    '/etc/mail/sendmail.mc:12: missing argument for FEATURE(dnsbl)',
    '/etc/mail/sendmail.mc:13: missing argument for FEATURE(enhdnsbl)',
  ]);
});

test('bad zones, texts and patterns are configuration errors; the list is left out', () => {
  const features = [
    use('dnsbl', ['bl..example.org'], 2),
    use('dnsbl', ['bl.example.org', '"550 open'], 3),
    use('dnsbl', ['bl.example.org', '250 fine'], 4),
    use('dnsbl', ['bl.example.org', '', '"451 x" $#y'], 5),
    use('enhdnsbl', ['bl.example.org', '', '', '127.0.0.2.', '127.0.0.300.'], 6),
  ];
  assert.deepEqual(messages(features), [
    '/etc/mail/sendmail.mc:2: FEATURE(dnsbl): invalid zone "bl..example.org"',
    '/etc/mail/sendmail.mc:3: FEATURE(dnsbl, bl.example.org): message: unbalanced " in "550 open',
    '/etc/mail/sendmail.mc:4: FEATURE(dnsbl, bl.example.org): message "250 fine": reply code 250 must be 4xx or 5xx',
    '/etc/mail/sendmail.mc:5: FEATURE(dnsbl, bl.example.org): tempfail text: "$#" is not a macro (only $x, ${name}, $&x, $&{name} and $$ may appear here)',
    '/etc/mail/sendmail.mc:6: FEATURE(enhdnsbl, bl.example.org): invalid answer pattern "127.0.0.300." (write an address such as 127.0.0.2. with $- for one octet, $+ or $* at the end)',
  ]);
  assert.deepEqual(dnsblLists(features).lists, []);
});

test('warnings: a text without a reply code, patterns on a plain dnsbl, more than six patterns', () => {
  const features = [
    use('dnsbl', ['bl.example.org', 'Go away'], 2),
    use('dnsbl', ['bl.example.org', '', '', '127.0.0.2.'], 3),
    use('enhdnsbl', ['bl.example.org', '', '', '127.0.0.1.', '127.0.0.2.', '127.0.0.3.', '127.0.0.4.', '127.0.0.5.', '127.0.0.6.', '127.0.0.7.'], 4),
  ];
  assert.deepEqual(messages(features), [
    '/etc/mail/sendmail.mc:2: warning: FEATURE(dnsbl, bl.example.org): message "Go away" has no reply code; 550 is used',
    '/etc/mail/sendmail.mc:3: warning: FEATURE(dnsbl, bl.example.org): arguments after the third are ignored (answer patterns need FEATURE(enhdnsbl))',
    '/etc/mail/sendmail.mc:4: warning: FEATURE(enhdnsbl, bl.example.org): only the first 6 answer patterns are used',
  ]);
  const { lists } = dnsblLists(features);
  assert.equal(lists.length, 3);
  assert.equal(lists[2]!.patterns.length, 6);
});
