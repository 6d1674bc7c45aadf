import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DiagnosticList, formatDiagnostic } from '../../src/util/diagnostics.js';

test('diagnostics are formatted as file:line: message', () => {
  const d = new DiagnosticList();
  d.error('unknown option Foo', { file: 'postern.conf', line: 3 });
  d.warning('duplicate', { file: 'a.mc', line: 9 });
  assert.equal(d.hasErrors, true);
  assert.deepEqual(d.items.map(formatDiagnostic), ['postern.conf:3: unknown option Foo', 'a.mc:9: warning: duplicate']);
});
