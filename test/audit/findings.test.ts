import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countFindings, exitStatus, parseSeverity, sortFindings, type Finding } from '../../src/audit/findings.js';
import { renderJson } from '../../src/audit/report-json.js';
import { renderSarif } from '../../src/audit/report-sarif.js';
import { renderText } from '../../src/audit/report-text.js';

const decode: Finding = {
  id: 'alias-decode-program',
  severity: 'critical',
  subject: '/etc/mail/aliases:12',
  message: 'alias decode runs "|/usr/bin/uudecode"',
  fix: 'delete the decode alias, run newaliases',
  file: '/etc/mail/aliases',
  line: 12,
  why: 'Anyone can mail a uuencoded file that overwrites files.',
};
const restrict: Finding = {
  id: 'privacy-restrictmailq',
  severity: 'medium',
  subject: 'PrivacyOptions',
  message: 'restrictmailq is not set',
  fix: 'add restrictmailq',
  fixes: { conf: 'PrivacyOptions = goaway,restrictmailq,restrictqrun' },
};
const dsn: Finding = { id: 'privacy-goaway-keeps-dsn', severity: 'info', subject: 'PrivacyOptions', message: 'DSN stays on', fix: 'add noreceipts only if DSN must be off' };
const expn: Finding = { id: 'privacy-expn', severity: 'high', subject: 'PrivacyOptions', message: 'EXPN answers', fix: 'add goaway (or noexpn)' };
const alias2: Finding = { ...decode, id: 'alias-syntax', severity: 'medium', subject: '/etc/mail/aliases:9', line: 9 };
const alias10: Finding = { ...alias2, subject: '/etc/mail/aliases:10', line: 10 };

test('findings sort by severity, then id, then subject (file lines numerically)', () => {
  const sorted = sortFindings([dsn, alias10, restrict, expn, alias2, decode]);
  assert.deepEqual(
    sorted.map((f) => `${f.severity} ${f.id} ${f.subject}`),
    [
      'critical alias-decode-program /etc/mail/aliases:12',
      'high privacy-expn PrivacyOptions',
      'medium alias-syntax /etc/mail/aliases:9',
      'medium alias-syntax /etc/mail/aliases:10',
      'medium privacy-restrictmailq PrivacyOptions',
      'info privacy-goaway-keeps-dsn PrivacyOptions',
    ],
  );
});

test('the plain text report is exactly one line per finding and the counts line', () => {
  const text = renderText('audit', [restrict, decode, dsn]);
  assert.equal(
    text,
    'CRITICAL alias-decode-program /etc/mail/aliases:12: alias decode runs "|/usr/bin/uudecode" (fix: delete the decode alias, run newaliases)\n' +
      'MEDIUM privacy-restrictmailq PrivacyOptions: restrictmailq is not set (fix: add restrictmailq)\n' +
      'INFO privacy-goaway-keeps-dsn PrivacyOptions: DSN stays on (fix: add noreceipts only if DSN must be off)\n' +
      'audit: 1 critical, 0 high, 1 medium, 0 low, 1 info\n',
  );
  assert.equal(renderText('probe', []), 'probe: 0 critical, 0 high, 0 medium, 0 low, 0 info\n');
});

test('the terminal report groups by severity, colours, and shows why and the fix lines', () => {
  const text = renderText('audit', [restrict, decode], { grouped: true, color: true });
  assert.match(text, /\u001b\[1;31mCRITICAL \(1\)\u001b\[0m/);
  assert.match(text, /why: Anyone can mail a uuencoded file/);
  assert.match(text, /conf: PrivacyOptions = goaway,restrictmailq,restrictqrun/);
  assert.ok(text.endsWith('audit: 1 critical, 0 high, 1 medium, 0 low, 0 info\n'));
  const plainGrouped = renderText('audit', [restrict], { grouped: true, color: false });
  assert.ok(!plainGrouped.includes('\u001b['));
  assert.match(plainGrouped, /^MEDIUM \(1\)\n {2}privacy-restrictmailq PrivacyOptions: restrictmailq is not set\n/);
});

test('the JSON report has tool, findings with the fields of §1 first, and counts', () => {
  const doc = JSON.parse(renderJson('audit', [restrict, decode])) as {
    tool: string;
    findings: Array<Record<string, unknown>>;
    counts: Record<string, number>;
  };
  assert.deepEqual(Object.keys(doc), ['tool', 'findings', 'counts']);
  assert.equal(doc.tool, 'audit');
  assert.deepEqual(Object.keys(doc.findings[0]!), ['id', 'severity', 'subject', 'message', 'fix', 'file', 'line', 'why']);
  assert.equal(doc.findings[0]!['line'], 12);
  assert.deepEqual(Object.keys(doc.findings[1]!), ['id', 'severity', 'subject', 'message', 'fix', 'fixes']);
  assert.deepEqual(doc.counts, { critical: 1, high: 0, medium: 1, low: 0, info: 0 });
});

test('SARIF: one rule per check id with its level, results with physical locations for files', () => {
  const log = JSON.parse(
    renderSarif('audit', [restrict, decode, alias2], {
      toolVersion: '1.2.3',
      rules: [{ id: 'privacy-restrictmailq', severity: 'medium', title: 'restrictmailq not set' }],
    }),
  ) as {
    version: string;
    runs: Array<{
      tool: { driver: { name: string; version: string; rules: Array<{ id: string; defaultConfiguration: { level: string }; properties: { severity: string } }> } };
      results: Array<{ ruleId: string; ruleIndex: number; level: string; locations: Array<Record<string, unknown>> }>;
    }>;
  };
  assert.equal(log.version, '2.1.0');
  const run = log.runs[0]!;
  assert.equal(run.tool.driver.name, 'postern-audit');
  assert.equal(run.tool.driver.version, '1.2.3');
  assert.deepEqual(
    run.tool.driver.rules.map((r) => [r.id, r.defaultConfiguration.level, r.properties.severity]),
    [
      ['privacy-restrictmailq', 'warning', 'medium'],
      ['alias-decode-program', 'error', 'critical'],
      ['alias-syntax', 'warning', 'medium'],
    ],
  );
  const first = run.results[0]!;
  assert.equal(first.ruleId, 'alias-decode-program');
  assert.equal(run.tool.driver.rules[first.ruleIndex]!.id, 'alias-decode-program');
  assert.equal(first.level, 'error');
  assert.deepEqual(first.locations[0], {
    physicalLocation: { artifactLocation: { uri: 'file:///etc/mail/aliases' }, region: { startLine: 12 } },
  });
  const option = run.results.find((r) => r.ruleId === 'privacy-restrictmailq')!;
  assert.deepEqual(option.locations[0], { logicalLocations: [{ fullyQualifiedName: 'PrivacyOptions' }] });
});

test('exit status: worst finding, and --fail-on moves the threshold', () => {
  assert.equal(exitStatus([]), 0);
  assert.equal(exitStatus([dsn]), 0);
  assert.equal(exitStatus([dsn, restrict]), 1);
  assert.equal(exitStatus([restrict, expn]), 2);
  assert.equal(exitStatus([restrict, decode]), 3);
  assert.equal(exitStatus([restrict, expn], 'critical'), 0);
  assert.equal(exitStatus([restrict, expn], 'high'), 2);
  assert.equal(exitStatus([restrict], 'high'), 0);
  assert.equal(exitStatus([restrict], 'medium'), 1);
  assert.equal(exitStatus([dsn], 'info'), 1);
  assert.equal(exitStatus([dsn], 'low'), 0);
  assert.equal(exitStatus([], 'info'), 0);
  assert.deepEqual(countFindings([dsn, dsn, decode]), { critical: 1, high: 0, medium: 0, low: 0, info: 2 });
});

test('severity names parse case-insensitively', () => {
  assert.equal(parseSeverity('HIGH'), 'high');
  assert.equal(parseSeverity(' info '), 'info');
  assert.equal(parseSeverity('severe'), undefined);
});
