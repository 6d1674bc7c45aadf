// MailboxFormat and MaildirPath [Postern extension] (delivery-design.md): defaults, values, refusals.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/load.js';
import { lines, messages, withTempDir } from './helpers.js';

test('MailboxFormat defaults to mbox and MaildirPath to $z/Maildir', async () => {
  await withTempDir(async (t) => {
    const conf = await t.write('postern.conf', lines('# nothing set'));
    const r = await loadConfig({ path: conf });
    assert.deepEqual(messages(r.diagnostics, 'error'), []);
    assert.equal(r.config!.options.MailboxFormat, 'mbox');
    assert.equal(r.config!.options.MaildirPath, '$z/Maildir');
    assert.deepEqual(r.config!.sources.MailboxFormat, { kind: 'default' });
  });
});

test('MailboxFormat = maildir (any case) and a MaildirPath template are taken as written', async () => {
  await withTempDir(async (t) => {
    const conf = await t.write('postern.conf', lines('MailboxFormat = Maildir', 'MaildirPath = $z/Mail/$u'));
    const r = await loadConfig({ path: conf });
    assert.deepEqual(messages(r.diagnostics, 'error'), []);
    assert.equal(r.config!.options.MailboxFormat, 'maildir');
    assert.equal(r.config!.options.MaildirPath, '$z/Mail/$u');
  });
});

test('MailboxFormat refuses other formats, naming the file and line', async () => {
  await withTempDir(async (t) => {
    const conf = await t.write('postern.conf', lines('', 'MailboxFormat = mh'));
    const r = await loadConfig({ path: conf });
    const errors = messages(r.diagnostics, 'error');
    assert.equal(errors.length, 1, errors.join('\n'));
    assert.match(errors[0], new RegExp(`^${conf.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: .*MailboxFormat.*mh.*mbox, maildir`));
  });
});
