import { test } from 'node:test';
import assert from 'node:assert/strict';
import { durationWords } from '../../src/bounce/duration-words.js';
import { oneLine, qualify } from '../../src/bounce/text.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

test('durations in words, sendmail style (§6.2)', () => {
  const table: Array<[number, string]> = [
    [4 * H, '4 hours'],
    [H, '1 hour'],
    [5 * D, '5 days'],
    [30 * M, '30 minutes'],
    [D + 12 * H, '1 day, 12 hours'],
    [7 * D, '1 week'],
    [15 * D + H + M + S, '2 weeks, 1 day, 1 hour, 1 minute, 1 second'],
    [90 * S, '1 minute, 30 seconds'],
    [1500, '1 second'],
    [0, 'zero seconds'],
  ];
  for (const [ms, words] of table) assert.equal(durationWords(ms), words, String(ms));
});

test('oneLine keeps inner blanks, unfolds line breaks, cuts at 800 characters', () => {
  assert.equal(oneLine('550  two  spaces'), '550  two  spaces');
  assert.equal(oneLine('folded\r\n\tcontinuation'), 'folded continuation');
  assert.equal(oneLine('a\tb\x00c\x7f'), 'a b?c?');
  assert.equal(oneLine('x'.repeat(2000)).length, 800);
  assert.equal(oneLine('é'.repeat(900)), 'é'.repeat(800));
});

test('qualify adds @$j only to a bare local part', () => {
  assert.equal(qualify('postmaster', 'mail.example.com'), 'postmaster@mail.example.com');
  assert.equal(qualify('alice@example.com', 'mail.example.com'), 'alice@example.com');
});
