import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { compactDate, ctimeDate, rfc5322Date } from '../../src/smtp/dates.js';

const NEW_YEAR = new Date(Date.UTC(2024, 0, 1, 12, 0, 0));

test('$b: RFC 5322 date, no leading zero on the day, numeric zone', () => {
  assert.equal(rfc5322Date(NEW_YEAR, 0), 'Mon, 1 Jan 2024 12:00:00 +0000');
  assert.equal(rfc5322Date(NEW_YEAR, 60), 'Mon, 1 Jan 2024 13:00:00 +0100');
  assert.equal(rfc5322Date(NEW_YEAR, -330), 'Mon, 1 Jan 2024 06:30:00 -0530');
  assert.equal(rfc5322Date(new Date(Date.UTC(2026, 10, 21, 5, 25, 5)), 0), 'Sat, 21 Nov 2026 05:25:05 +0000');
  assert.equal(rfc5322Date(new Date(Date.UTC(2023, 11, 31, 23, 59, 59)), 60), 'Mon, 1 Jan 2024 00:59:59 +0100');
});

test('$d: ctime form with a space-padded day; $t: YYYYMMDDHHmm', () => {
  assert.equal(ctimeDate(NEW_YEAR, 0), 'Mon Jan  1 12:00:00 2024');
  assert.equal(ctimeDate(new Date(Date.UTC(2024, 1, 29, 3, 4, 5)), 0), 'Thu Feb 29 03:04:05 2024');
  assert.equal(compactDate(NEW_YEAR, 0), '202401011200');
  assert.equal(compactDate(new Date(Date.UTC(2024, 8, 9, 7, 5)), -60), '202409090605');
});

test('the local time zone of the process is used by default', () => {
  // A child process with its own TZ, so this process's zone is left alone.
  const mod = fileURLToPath(new URL('../../src/smtp/dates.js', import.meta.url));
  const script = `import(${JSON.stringify(mod)}).then((m) => { const d = new Date(Date.UTC(2024, 0, 1, 12)); console.log([m.rfc5322Date(d), m.ctimeDate(d), m.compactDate(d)].join('|')); })`;
  const run = (tz: string): string => {
    const r = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, TZ: tz }, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
  };
  assert.equal(run('UTC'), 'Mon, 1 Jan 2024 12:00:00 +0000|Mon Jan  1 12:00:00 2024|202401011200');
  assert.equal(run('Etc/GMT-1'), 'Mon, 1 Jan 2024 13:00:00 +0100|Mon Jan  1 13:00:00 2024|202401011300');
});
