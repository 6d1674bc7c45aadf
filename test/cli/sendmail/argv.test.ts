// sendmail's flags as getopt reads them (cli.md §3): grouped letters, attached or separate values,
// `--`, the first address ending the flags, and the usage errors.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSendmailArgs, type SendmailArgs } from '../../../src/cli/sendmail/argv.js';

function ok(argv: string[]): SendmailArgs {
  const r = parseSendmailArgs(argv);
  assert.ok(r.ok, JSON.stringify(r));
  return r.args;
}

test('PHP, mutt, cron and git forms', () => {
  assert.deepEqual([ok(['-t', '-i']).readTo, ok(['-t', '-i']).ignoreDots], [true, true]);
  const mutt = ok(['-oem', '-oi', '--', 'bob@example.com']);
  assert.deepEqual([mutt.errorMode, mutt.ignoreDots, mutt.addresses], ['m', true, ['bob@example.com']]);
  const cron = ok(['-FCronDaemon', '-i', '-B8BITMIME', '-oem', 'carol']);
  assert.deepEqual([cron.fullName, cron.bodyType, cron.addresses], ['CronDaemon', '8BITMIME', ['carol']]);
  assert.deepEqual(ok(['-i', 'a@x', 'b@y']).addresses, ['a@x', 'b@y']);
});

test('values attached or as the next argument; grouped letters', () => {
  assert.deepEqual(ok(['-fbob']).from, { address: 'bob', flag: 'f' });
  assert.deepEqual(ok(['-f', 'bob']).from, { address: 'bob', flag: 'f' });
  assert.deepEqual(ok(['-r', '<>']).from, { address: '<>', flag: 'r' });
  const g = ok(['-tif', 'boss', 'x']);
  assert.deepEqual([g.readTo, g.ignoreDots, g.from?.address, g.addresses], [true, true, 'boss', ['x']]);
  assert.deepEqual(ok(['-O', 'NoRecipientAction=add-to']).options, [{ name: 'NoRecipientAction', value: 'add-to' }]);
  assert.deepEqual(ok(['-oQ/tmp/q']).options, [{ name: 'Q', value: '/tmp/q', letter: 'Q' }]);
  assert.equal(ok(['-odi']).deliveryMode, 'i');
  assert.equal(ok(['-oIgnoreDots']).ignoreDots, true);
  assert.deepEqual(ok(['-Mrproto']).macros, [{ name: 'r', value: 'proto' }]);
});

test('flags end at the first address and at --', () => {
  assert.deepEqual(ok(['bob', '-t']).addresses, ['bob', '-t']);
  assert.equal(ok(['bob', '-t']).readTo, false);
  assert.deepEqual(ok(['--', '-weird']).addresses, ['-weird']);
});

test('modes, queue arguments and the accepted-and-ignored flags', () => {
  assert.equal(ok([]).mode, 'm');
  assert.equal(ok(['-bs']).mode, 's');
  assert.equal(ok(['-I']).mode, 'i');
  assert.deepEqual(ok(['-bp', '-v', '-qRbob', '--json']).queueArgs, ['-v', '-qRbob', '--json']);
  assert.deepEqual(ok(['-q30m']).queueArgs, ['-q30m']);
  assert.deepEqual(ok(['-q', 'x']).queueArgs, ['-q']);
  assert.equal(ok(['-d0.1']).debug, true);
  assert.deepEqual(ok(['-G', '-m', '-Ac', '-L', 'tag']).ignored, ['-G', '-m', '-Ac']);
});

test('usage errors', () => {
  const bad = (argv: string[]): string => {
    const r = parseSendmailArgs(argv);
    assert.ok(!r.ok);
    assert.equal(r.exit, 64);
    return r.message;
  };
  assert.equal(bad(['-x']), 'illegal option -- x');
  assert.equal(bad(['-tz']), 'illegal option -- z');
  assert.equal(bad(['-f']), 'option requires an argument -- f');
  assert.equal(bad(['-f', 'a', '-r', 'b']), 'More than one "from" person');
});
