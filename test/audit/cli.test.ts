// The command itself: the real binary (output bytes, exit codes, a non-root caller), usage errors,
// unreadable input, configuration errors, --fail-on, the report formats, and "audit writes nothing".

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir, lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { find, goodAliases, HARDENED_MC, NOBODY_UID, posternDefaults, sendmailSystem, withFixture, type Fixture } from './fixture.js';

const BINARY = fileURLToPath(new URL('../../src/cli/audit-cmd.js', import.meta.url));

function runBinary(args: readonly string[], opts: { uid?: number } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BINARY, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
      ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.uid } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

async function decodeFixture(f: Fixture): Promise<string> {
  const conf = await posternDefaults(f);
  await goodAliases(f, 'postmaster: root\nroot: admin\ndecode: "|/usr/bin/uudecode"\n');
  return conf;
}

test('the binary prints the plain report byte for byte as the in-process command, and exits 3', async () => {
  await withFixture(async (f) => {
    const conf = await decodeFixture(f);
    const inProcess = await f.audit(['--config', conf]);
    const bin = await runBinary(['--root', f.root, '--config', conf]);
    assert.equal(bin.code, 3);
    assert.equal(bin.stderr, '');
    assert.equal(bin.stdout, inProcess.stdout);
    const lines = bin.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^CRITICAL alias-decode-program \/etc\/mail\/aliases:3: alias decode runs "\|\/usr\/bin\/uudecode": .* \(fix: delete the decode alias, run newaliases\)$/);
    assert.match(lines[lines.length - 1]!, /^audit: 1 critical, 0 high, 0 medium, 2 low, \d+ info$/);
    for (const l of lines.slice(0, -1)) assert.match(l, /^(CRITICAL|HIGH|MEDIUM|LOW|INFO) [a-z-]+ \S.*: .* \(fix: .*\)$/);
    assert.ok(!bin.stdout.includes('\u001b['), 'no colours when stdout is not a terminal');
  });
});

test('as a non-root caller, an unreadable alias file gives INFO check-skipped naming alias-*, and no crash', async () => {
  await withFixture(async (f) => {
    const conf = await posternDefaults(f);
    await f.write('/etc/mail/aliases', 'postmaster: root\nroot: admin\n', { mode: 0o600, age: -60 });
    const r = await runBinary(['--root', f.root, '--config', conf], { uid: NOBODY_UID });
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^INFO check-skipped alias-\*: not checked: cannot read \/etc\/mail\/aliases: permission denied /m);
    assert.doesNotMatch(r.stdout, /alias-postmaster-missing/);
    assert.match(r.stdout, /^audit: /m);
    assert.ok(r.code >= 0 && r.code <= 3);
  });
});

test('bad arguments exit 64 with the usage', async () => {
  await withFixture(async (f) => {
    await posternDefaults(f);
    for (const args of [
      ['--json', '--sarif'],
      ['--fail-on', 'severe'],
      ['--bogus'],
      ['extra-argument'],
      ['--config', '/etc/postern/postern.conf', '--sendmail', '/etc/mail/sendmail.mc'],
      ['--smrsh-dir', '/etc/smrsh'],
      ['--sendmail', '/etc/mail/sendmail.conf'],
      ['--config'],
    ]) {
      const r = await f.audit(args);
      assert.equal(r.code, 64, args.join(' '));
      assert.match(r.stderr, /^postern audit: .*\nusage: postern audit /, args.join(' '));
      assert.equal(r.stdout, '');
    }
    const help = await f.audit(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: postern audit /);
  });
});

test('a file named on the command line that cannot be read exits 66', async () => {
  await withFixture(async (f) => {
    let r = await f.audit(['--config', '/etc/postern/missing.conf']);
    assert.equal(r.code, 66);
    assert.equal(r.stderr, 'postern audit: cannot read /etc/postern/missing.conf: no such file or directory\n');
    r = await f.audit(['--sendmail', '/etc/mail/sendmail.cf']);
    assert.equal(r.code, 66);
    const bin = await runBinary(['--root', join(f.root, 'nowhere'), '--config', '/x.conf']);
    assert.equal(bin.code, 66);
    assert.match(bin.stderr, /--root .*nowhere: not a readable directory/);
  });
});

test('a configuration that cannot be parsed exits 78 with file:line: message', async () => {
  await withFixture(async (f) => {
    const conf = await posternDefaults(f, '# broken\nNoSuchOption = 1\nPrivacyOptions = goaway,bogus\n');
    const r = await f.audit(['--config', conf]);
    assert.equal(r.code, 78);
    assert.equal(r.stdout, '');
    assert.equal(
      r.stderr,
      '/etc/postern/postern.conf:2: unknown option NoSuchOption\n' +
        '/etc/postern/postern.conf:3: PrivacyOptions: unknown flag bogus\n' +
        'postern audit: the configuration cannot be parsed (2 errors)\n',
    );
  });
});

test('--fail-on moves the threshold', async () => {
  await withFixture(async (f) => {
    const conf = await posternDefaults(f, 'PrivacyOptions = goaway,restrictqrun\n');
    assert.equal((await f.audit(['--config', conf])).code, 1);
    assert.equal((await f.audit(['--config', conf, '--fail-on', 'high'])).code, 0);
    assert.equal((await f.audit(['--config', conf, '--fail-on=medium'])).code, 1);
    assert.equal((await f.audit(['--config', conf, '--fail-on', 'LOW'])).code, 1);
  });
});

test('-O and -D reach the configuration like in the other commands', async () => {
  await withFixture(async (f) => {
    const conf = await posternDefaults(f);
    let r = await f.findings(['--config', conf, '-O', 'QueueFileMode=0644']);
    assert.deepEqual(find(r.findings, 'queue-file-mode').map((x) => x.severity), ['medium']);
    await sendmailSystem(f);
    const mc = await f.write(
      '/etc/mail/sendmail.mc',
      HARDENED_MC.replace("define(`confPRIVACY_FLAGS'", "ifdef(`SECURE', `define(`confPRIVACY_FLAGS'").replace("restrictqrun'')dnl", "restrictqrun'')')dnl"),
    );
    r = await f.findings(['--sendmail', mc]);
    assert.equal(find(r.findings, 'privacy-expn').length, 1);
    r = await f.findings(['--sendmail', mc, '-D', 'SECURE']);
    assert.deepEqual(find(r.findings, 'privacy-expn'), []);
    assert.equal(find(r.findings, 'privacy-goaway-keeps-dsn').length, 1);
  });
});

test('--sarif: a SARIF 2.1.0 log with every check as a rule and physical locations', async () => {
  await withFixture(async (f) => {
    const conf = await decodeFixture(f);
    const r = await f.audit(['--config', conf, '--sarif']);
    assert.equal(r.code, 3);
    const log = JSON.parse(r.stdout) as {
      version: string;
      runs: Array<{ tool: { driver: { rules: Array<{ id: string }> } }; results: Array<{ ruleId: string; locations: Array<{ physicalLocation?: { artifactLocation: { uri: string }; region?: { startLine: number } } }> }> }>;
    };
    assert.equal(log.version, '2.1.0');
    const rules = log.runs[0]!.tool.driver.rules.map((x) => x.id);
    for (const id of ['prog-mailer-shell', 'alias-decode-program', 'privacy-expn', 'sendmail-smuggling-fix', 'check-skipped']) assert.ok(rules.includes(id), id);
    const decode = log.runs[0]!.results.find((x) => x.ruleId === 'alias-decode-program')!;
    assert.deepEqual(decode.locations[0]!.physicalLocation, { artifactLocation: { uri: 'file:///etc/mail/aliases' }, region: { startLine: 3 } });
  });
});

test('on a terminal the report is grouped by severity with why and the fix lines', async () => {
  await withFixture(async (f) => {
    const conf = await decodeFixture(f);
    const r = await f.audit(['--config', conf], { terminal: true });
    assert.match(r.stdout, /^\u001b\[1;31mCRITICAL \(1\)\u001b\[0m\n {2}\u001b\[1malias-decode-program\u001b\[0m \/etc\/mail\/aliases:3: /);
    assert.match(r.stdout, /\n {6}why: uudecode writes a file whose path the sender chooses/);
    assert.match(r.stdout, /\naudit: 1 critical, 0 high, 0 medium, 2 low, \d+ info\n$/);
  });
});

async function snapshot(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const name of (await readdir(d)).sort()) {
      const p = join(d, name);
      const st = await lstat(p);
      out.push(`${p} ${st.mode} ${st.uid} ${st.size} ${st.mtimeMs}`);
      if (st.isDirectory()) await walk(p);
    }
  };
  await walk(dir);
  return out;
}

test('the audit writes nothing: the image is unchanged afterwards', async () => {
  await withFixture(async (f) => {
    const conf = await decodeFixture(f);
    await f.dir('/home/admin', { uid: 1000 });
    await f.write('/home/admin/.forward', '"|/bin/sh -c id"\n', { uid: 1000 });
    await f.write('/etc/mail/sendmail.mc', HARDENED_MC);
    await f.write('/etc/mail/sendmail.cf', 'V10/Berkeley\nO QueueFileMode=0644\n');
    const before = await snapshot(f.root);
    await f.audit(['--config', conf, '--forward']);
    await f.audit(['--sendmail', '/etc/mail/sendmail.cf', '--forward', '--sarif']);
    await f.audit(['--sendmail', '/etc/mail/sendmail.mc', '--json']);
    assert.deepEqual(await snapshot(f.root), before);
  });
});
