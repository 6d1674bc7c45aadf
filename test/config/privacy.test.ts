import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GOAWAY_FLAGS, parsePrivacy, PRIVACY_WORDS, privacyUnion, type PrivacyValue } from '../../src/config/privacy.js';

function parse(text: string): PrivacyValue {
  const r = parsePrivacy(text);
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

test('sendmail 8.17 knows exactly 16 PrivacyOptions names', () => {
  assert.equal(PRIVACY_WORDS.length, 16);
});

test('goaway expands to the seven flags of 8.17 and leaves DSN on', () => {
  const v = parse('goaway');
  assert.deepEqual([...v.flags].sort(), [...GOAWAY_FLAGS].sort());
  assert.deepEqual(
    [...v.flags].sort(),
    ['authwarnings', 'needexpnhelo', 'needmailhelo', 'needvrfyhelo', 'noexpn', 'noverb', 'novrfy'],
  );
  assert.equal(v.flags.has('noreceipts'), false);
  assert.deepEqual(v.words, ['goaway']);
});

test('names are case-insensitive, commas and spaces separate, duplicates collapse', () => {
  const v = parse(' NoExpn , novrfy  noexpn,restrictQRUN');
  assert.deepEqual(v.words, ['noexpn', 'novrfy', 'restrictqrun']);
  assert.deepEqual([...v.flags].sort(), ['noexpn', 'novrfy', 'restrictqrun']);
});

test('an unknown flag is an error naming it [Postern]', () => {
  const r = parsePrivacy('goaway,noreflection,bogus');
  assert.equal(r.ok, false);
  assert.equal(r.ok ? '' : r.message, 'PrivacyOptions: unknown flags noreflection, bogus');
});

test('public sets nothing and disappears next to real flags in a union', () => {
  assert.equal(parse('public').flags.size, 0);
  const u = privacyUnion(parse('public'), parse('noetrn'));
  assert.deepEqual(u.words, ['noetrn']);
  assert.deepEqual([...u.flags], ['noetrn']);
});
