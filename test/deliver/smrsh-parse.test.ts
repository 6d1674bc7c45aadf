// smrsh's reading of a command (program-and-file-delivery.md §2.3): what it runs and what it refuses,
// with every allowlist lookup answered by a plain function of the name.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { notAvailable, parseSmrsh, type SmrshParse } from '../../src/deliver/smrsh-parse.js';
import { splitWords } from '../../src/deliver/smrsh-words.js';

const ALLOWED = new Set(['vacation', 'filter', 'procmail']);
const looked: string[] = [];
function check(name: string): string | undefined {
  looked.push(name);
  return ALLOWED.has(name) ? undefined : notAvailable(name, 'stat failed');
}

function parse(cmd: string, dirLength = 15): SmrshParse {
  looked.length = 0;
  return parseSmrsh(cmd, dirLength, check);
}

function refused(cmd: string, message: string): void {
  assert.deepEqual(parse(cmd), { ok: false, message }, cmd);
}

test('a program name is the word after its last /', () => {
  for (const cmd of ['vacation bob', '/usr/ucb/vacation bob', '/home/x/bin/vacation bob', '  \tvacation   bob  ']) {
    assert.deepEqual(parse(cmd), { ok: true, steps: [{ op: undefined, command: { kind: 'run', name: 'vacation', args: ['bob'] } }] }, cmd);
  }
  // The 8th bit is ignored when looking for the /: ¯ (U+00AF) is C2 AF in UTF-8, and AF is / | 0x80.
  assert.deepEqual(parse('x\u00afvacation bob'), { ok: true, steps: [{ op: undefined, command: { kind: 'run', name: 'vacation', args: ['bob'] } }] });
});

test('exec, exit and echo', () => {
  assert.deepEqual(parse('exec /usr/local/bin/filter -v || exit 75'), {
    ok: true,
    steps: [
      { op: undefined, command: { kind: 'run', name: 'filter', args: ['-v'] } },
      { op: '||', command: { kind: 'exit', args: ['75'] } },
    ],
  });
  assert.deepEqual(parse('echo hi && /bin/exit 3'), {
    ok: true,
    steps: [
      { op: undefined, command: { kind: 'echo' } },
      { op: '&&', command: { kind: 'exit', args: ['3'] } },
    ],
  });
  assert.deepEqual(looked, [], 'builtins are not looked up');
  refused('exec', 'smrsh: missing command to exec');
  refused('exec exec', 'smrsh: missing command to exec');
  refused('vacation ||', 'smrsh: missing command after ||');
  refused('vacation &&   ', 'smrsh: missing command after &&');
});

test('lookups happen in order; the first refusal wins', () => {
  refused('/bin/sh -c id', 'smrsh: "sh" not available for sendmail programs (stat failed)');
  refused('vacation || perl -e 1', 'smrsh: "perl" not available for sendmail programs (stat failed)');
  assert.deepEqual(looked, ['vacation', 'perl']);
  refused('nope; vacation', 'smrsh: "nope;" not available for sendmail programs (stat failed)');
  assert.deepEqual(looked, [], 'a name with other characters than letters, digits and ._+- is never looked up');
  refused('vac"ation"', 'smrsh: "vac"ation"" not available for sendmail programs (stat failed)');
});

test('every special character, and the same with the 8th bit set, is refused', () => {
  for (const c of '<|>^();&`$') refused(`vacation a${c}b`, `smrsh: cannot use ${c} in command`);
  refused('vacation a\rb', 'smrsh: cannot use \\r in command');
  refused('vacation a\nb', 'smrsh: cannot use \\n in command');
  // The command arrives as text; its UTF-8 bytes are what smrsh looks at. Every special byte with the
  // 8th bit that UTF-8 can contain (0xFC, | with the 8th bit, never occurs in UTF-8) is refused.
  for (const c of '<|>^();&`$\r\n') {
    const high = c.charCodeAt(0) + 0x80;
    if (high === 0xfc) continue;
    let ch = '';
    for (let cp = 0x80; cp < 0xd800 && ch === ''; cp++) {
      if (Buffer.from(String.fromCodePoint(cp)).includes(high)) ch = String.fromCodePoint(cp);
    }
    const r = parse(`vacation a${ch}b`);
    assert.ok(!r.ok && r.message.startsWith('smrsh: cannot use \\x'), `0x${high.toString(16)}: ${JSON.stringify(r)}`);
  }
  // A UTF-8 é is C3 A9, and A9 is ) with the 8th bit: smrsh refuses it as it would refuse ).
  refused('vacation café', 'smrsh: cannot use \\xa9 in command');
  refused('vacation |x', 'smrsh: cannot use | in command');
  refused('vacation a & b', 'smrsh: cannot use & in command');
  assert.equal(parse('vacation a || vacation b && vacation c').ok, true);
});

test('the length limit is 1000 bytes minus the directory and 2', () => {
  const ok = `vacation ${'x'.repeat(1000 - 15 - 2 - 9)}`;
  assert.equal(parse(ok).ok, true);
  refused(`${ok}y`, `smrsh: command too long: ${ok}y`);
});

test('arguments: quotes and backslashes as sh reads them, nothing else', () => {
  assert.deepEqual(splitWords(` a  'b c' "d \\"e\\" \\\\ \\n" f\\ g * ~ [x] '' `), { ok: true, words: ['a', 'b c', 'd "e" \\ \\n', 'f g', '*', '~', '[x]', ''] });
  assert.deepEqual(splitWords(`it'"'s`), { ok: true, words: [`it"s`] });
  assert.deepEqual(splitWords('end\\'), { ok: true, words: ['end\\'] });
  assert.deepEqual(splitWords(`'open`), { ok: false });
  assert.deepEqual(splitWords(`"open`), { ok: false });
  refused(`vacation "open`, 'smrsh: unterminated quote in command');
});
