import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configCommand, type CommandIO } from '../../src/cli/config-cmd.js';
import { lines, withTempDir } from './helpers.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(argv: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CommandIO = { stdout: (s) => void out.push(s), stderr: (s) => void err.push(s) };
  const code = await configCommand(argv, io);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

const MARK = '#####  $Id: proto.m4,v 8.762 2013-11-22 20:51:13 ca Exp $  #####';

test('config check: 0 with warnings, 78 with errors, diagnostics as file:line: message on stderr', async () => {
  await withTempDir(async (t) => {
    const good = await t.write('good.cf', lines(MARK, 'O ForkEachJob=True'));
    const a = await run(['check', '--config', good]);
    assert.equal(a.code, 0);
    assert.equal(a.stderr, `${good}:2: warning: option ForkEachJob is not implemented by Postern; ignored\n`);
    assert.equal(a.stdout, `${good}: configuration OK (1 warning)\n`);

    const bad = await t.write('bad.conf', lines('MaxHopCount = 3', 'Bogus = 1'));
    const b = await run(['check', '--config', bad]);
    assert.equal(b.code, 78);
    assert.equal(b.stderr, `${bad}:2: unknown option Bogus\n${bad}: 1 error\n`);
    assert.equal(b.stdout, '');

    const c = await run(['check']);
    assert.equal(c.code, 0);
    assert.equal(c.stdout, 'embedded default: configuration OK (0 warnings)\n');
  });
});

test('config show: every option with value and source, PrivacyOptions expanded', async () => {
  await withTempDir(async (t) => {
    const cf = await t.write('s.cf', lines(MARK, 'O QueueFileMode=0644', 'O MaxHopCount=30'));
    const r = await run(['show', '--config', cf, '-O', 'LogLevel=12', '-OPrivacyOptions=noetrn']);
    assert.equal(r.code, 0);
    assert.equal(r.stderr, `${cf}:2: notice: hardening floor: QueueFileMode 0644 -> 0600\n`);
    const ls = r.stdout.split('\n');
    const line = (prefix: string): string => ls.find((l) => l.startsWith(prefix)) ?? `(no line ${prefix})`;
    assert.match(line('MaxHopCount = 30 '), new RegExp(`# ${cf}:3$`));
    assert.match(line('QueueFileMode = 0600 '), /# floor \(imported value 0644 ignored\)$/);
    assert.match(line('LogLevel = 12 '), /# command line$/);
    assert.match(line('MaxMessageSize = 26214400 '), /# default$/);
    assert.match(line('SafeFileEnvironment = / '), /# default$/);
    assert.match(line('TrustedUser = (unset) '), /# default$/);
    assert.match(
      line('    goaway (expands to needmailhelo,needexpnhelo,needvrfyhelo,noexpn,novrfy,noverb,authwarnings)'),
      /# default$/,
    );
    assert.match(line('    noetrn '), /# command line$/);
    assert.ok(ls.includes('Listeners:'));
    assert.ok(ls.includes('  Name=MTA, Addr=0.0.0.0, Port=25, Family=inet'));
    assert.ok(!ls.some((l) => l.startsWith('BlankSub')), 'unset ignored options are not listed');
  });
});

test('config show --json: per option long name, m4 name, value, source, imported value where floored', async () => {
  await withTempDir(async (t) => {
    const mc = await t.write('s.mc', lines('divert(0)dnl', "FEATURE(`smrsh')dnl", "define(`confTEMP_FILE_MODE', `0660')dnl", "define(`confMAX_HOP', `31')dnl"));
    const r = await run(['show', '--json', '--config', mc, '-D', 'X=1']);
    assert.equal(r.code, 0);
    const j = JSON.parse(r.stdout) as {
      options: Array<Record<string, unknown>>;
      listeners: unknown[];
      features: Array<Record<string, unknown>>;
      imported: Record<string, unknown>;
    };
    const opt = (name: string): Record<string, unknown> => j.options.find((o) => o['name'] === name)!;
    assert.deepEqual(opt('MaxHopCount'), {
      name: 'MaxHopCount',
      m4Name: 'confMAX_HOP',
      letter: 'h',
      value: 31,
      display: '31',
      source: `${mc}:4`,
      sourceDetail: { kind: 'file', file: mc, line: 4, layer: 'imported' },
      implemented: true,
    });
    assert.deepEqual(opt('TempFileMode'), {
      name: 'TempFileMode',
      m4Name: 'confTEMP_FILE_MODE',
      letter: 'F',
      value: 0o600,
      display: '0600',
      source: 'floor (imported value 0660 ignored)',
      sourceDetail: { kind: 'floor', file: mc, line: 3, importedValue: '0660' },
      implemented: true,
      importedValue: '0660',
    });
    assert.deepEqual(opt('Timeout.command')['value'], 300_000);
    assert.deepEqual(opt('PrivacyOptions')['value'], {
      words: ['goaway', 'restrictmailq', 'restrictqrun'],
      flags: ['authwarnings', 'needexpnhelo', 'needmailhelo', 'needvrfyhelo', 'noexpn', 'noverb', 'novrfy', 'restrictmailq', 'restrictqrun'],
    });
    assert.equal(opt('SafeFileEnvironment')['value'], '/');
    assert.equal(opt('TrustedUser')['value'], null);
    assert.equal(j.imported['kind'], 'mc');
    assert.deepEqual(j.features.map((f) => f['name']), ['use_cw_file', 'access_db', 'smrsh']);
    assert.equal(j.listeners.length, 2);
  });
});

test('usage errors exit 64', async () => {
  assert.equal((await run([])).code, 64);
  assert.equal((await run(['frob'])).code, 64);
  const r = await run(['check', '--bogus']);
  assert.equal(r.code, 64);
  assert.match(r.stderr, /unknown argument --bogus/);
  assert.equal((await run(['show', '-O', 'novalue'])).code, 64);
});

test('the compiled command runs as a child process', async () => {
  await withTempDir(async (t) => {
    const bad = await t.write('bad.mc', lines('divert(0)dnl', "FEATURE(`promiscuous_relay')dnl"));
    const script = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'config-cmd.js');
    const r = spawnSync(process.execPath, [script, 'check', '--config', bad], { encoding: 'utf8' });
    assert.equal(r.status, 78);
    assert.ok(r.stderr.includes(`${bad}:2: promiscuous_relay requires HardeningFloor=False\n`), r.stderr);
    const ok = spawnSync(process.execPath, [script, 'show'], { encoding: 'utf8' });
    assert.equal(ok.status, 0);
    assert.match(ok.stdout, /^QueueDirectory = \.\/spool +# default$/m);
  });
});
