import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatDuration,
  formatMode,
  parseBoolean,
  parseDuration,
  parseInteger,
  parseMode,
  parseSize,
} from '../../src/config/values.js';

function value<T>(r: { ok: true; value: T } | { ok: false; message: string }): T {
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

test('durations: units, concatenation, default unit for a bare number', () => {
  assert.equal(value(parseDuration('30s', 'm')), 30_000);
  assert.equal(value(parseDuration('2h30m', 'm')), 9_000_000);
  assert.equal(value(parseDuration('1w1d', 's')), 8 * 86_400_000);
  assert.equal(value(parseDuration('10', 'm')), 600_000, 'bare number = minutes for Timeout.*');
  assert.equal(value(parseDuration('60', 's')), 60_000, 'bare number = seconds for ConnectionRateWindowSize');
  assert.equal(value(parseDuration('5D', 'm')), 5 * 86_400_000, 'units are case-insensitive');
  for (const bad of ['', 'abc', '5x', '-5m', '1.5h', 'm5']) {
    assert.equal(parseDuration(bad, 'm').ok, false, bad);
  }
});

test('durations print back in sendmail syntax', () => {
  assert.equal(formatDuration(0), '0s');
  assert.equal(formatDuration(9_000_000), '2h30m');
  assert.equal(formatDuration(5 * 86_400_000), '5d');
  assert.equal(formatDuration(60_000), '1m');
});

test('sizes are plain byte counts', () => {
  assert.equal(value(parseSize('26214400')), 26214400);
  assert.equal(value(parseSize(' 0 ')), 0);
  for (const bad of ['25M', '-1', '1e6', '']) assert.equal(parseSize(bad).ok, false, bad);
});

test('modes are octal with or without a leading 0', () => {
  assert.equal(value(parseMode('0600')), 0o600);
  assert.equal(value(parseMode('600')), 0o600);
  assert.equal(value(parseMode('0660')), 0o660);
  assert.equal(formatMode(0o600), '0600');
  assert.equal(formatMode(0o7), '0007');
  for (const bad of ['0800', 'rw', '', '077777']) assert.equal(parseMode(bad).ok, false, bad);
});

test('booleans: t/T/y/Y true, f/F/n/N false, empty true, anything else refused', () => {
  for (const t of ['True', 'true', 't', 'Yes', 'y', '']) assert.equal(value(parseBoolean(t)), true, t);
  for (const f of ['False', 'false', 'F', 'no', 'N']) assert.equal(value(parseBoolean(f)), false, f);
  for (const bad of ['1', '0', 'on', 'off']) assert.equal(parseBoolean(bad).ok, false, bad);
});

test('integers with ranges', () => {
  assert.equal(value(parseInteger('25')), 25);
  assert.equal(parseInteger('x').ok, false);
  assert.equal(parseInteger('-1').ok, false);
  assert.equal(value(parseInteger('-1', -10)), -1);
  assert.equal(parseInteger('5', 10).ok, false);
});
