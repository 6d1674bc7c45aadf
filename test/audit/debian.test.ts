// Debian's own sendmail configuration examples, audited with --sendmail. The sendmail-cf package is
// downloaded from Debian's mirrors in the setup (never vendored) and extracted into a temporary
// directory, which then serves as the --root of a small sendmail host. If it cannot be downloaded,
// these tests fail. The generic Linux .mc is also turned into a sendmail.cf with m4 (sendmail-cf
// depends on m4; it is downloaded the same way when not installed) so that a real generated cf is
// audited too.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { access, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { auditCommand } from '../../src/cli/audit-cmd.js';
import { find, PASSWD, type JsonFinding } from './fixture.js';

const run = promisify(execFile);
const CF = '/usr/share/sendmail/cf';

let work = '';
let tree = '';

async function download(pkg: string): Promise<string> {
  const dir = join(work, `deb-${pkg}`);
  await run('mkdir', ['-p', dir]);
  try {
    await run('apt-get', ['download', pkg], { cwd: dir, timeout: 120_000 });
  } catch {
    // The package lists may be missing on a fresh machine; fetch them once and try again.
    await run('apt-get', ['update'], { timeout: 300_000 });
    await run('apt-get', ['download', pkg], { cwd: dir, timeout: 120_000 });
  }
  const deb = (await readdir(dir)).find((n) => n.endsWith('.deb'));
  if (deb === undefined) throw new Error(`apt-get download ${pkg} produced no .deb`);
  return join(dir, deb);
}

async function m4Binary(): Promise<string> {
  try {
    await run('m4', ['--version']);
    return 'm4';
  } catch {
    const deb = await download('m4');
    const dir = join(work, 'm4-root');
    await run('dpkg-deb', ['-x', deb, dir]);
    return join(dir, 'usr/bin/m4');
  }
}

async function place(path: string, content: string, mode = 0o644): Promise<void> {
  const real = join(tree, path);
  await run('mkdir', ['-p', join(real, '..')]);
  await writeFile(real, content, { mode });
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'postern-debian-'));
  tree = join(work, 'root');
  await run('dpkg-deb', ['-x', await download('sendmail-cf'), tree]);
  // A small sendmail host around the package: accounts, shells, aliases, a queue.
  await place('/etc/passwd', PASSWD);
  await place('/etc/shells', '/bin/sh\n/bin/bash\n');
  await place('/etc/mail/aliases', 'postmaster: root\nroot: admin\n');
  await place('/etc/mail/aliases.db', 'compiled', 0o640);
  await run('mkdir', ['-p', '-m', '0700', join(tree, 'var/spool/mqueue')]);
  await run('chmod', ['0755', tree, work]);
  const m4 = await m4Binary();
  const { stdout } = await run(m4, ['../m4/cf.m4', 'generic-linux.mc'], { cwd: join(tree, CF, 'cf'), maxBuffer: 16 << 20 });
  await writeFile(join(tree, CF, 'cf', 'generic-linux.cf'), stdout);
});

after(async () => {
  if (work !== '') await rm(work, { recursive: true, force: true });
});

async function audit(file: string): Promise<{ code: number; findings: JsonFinding[] }> {
  let out = '';
  const code = await auditCommand(['--root', tree, '--sendmail', file, '--json'], { stdout: (t) => void (out += t), stderr: () => undefined, env: {} });
  return { code, findings: out === '' ? [] : (JSON.parse(out) as { findings: JsonFinding[] }).findings };
}

async function lineOf(mc: string, text: string): Promise<number> {
  const lines = (await readFile(join(tree, CF, 'cf', mc), 'latin1')).split('\n');
  const i = lines.indexOf(text);
  assert.ok(i >= 0, `${text} in ${mc}`);
  return i + 1;
}

function severities(fs: readonly JsonFinding[], id: string): string[] {
  return find(fs, id).map((x) => x.severity);
}

test('generic-linux.mc: shell prog mailer, EXPN/VRFY open, mailq and qrun unrestricted, greeting shows $v; exit 3', async () => {
  const r = await audit(`${CF}/cf/generic-linux.mc`);
  assert.deepEqual(severities(r.findings, 'prog-mailer-shell'), ['critical']);
  // The local mailer (and so Mprog) comes from MAILER(local).
  assert.equal(find(r.findings, 'prog-mailer-shell')[0]!.subject, `${CF}/cf/generic-linux.mc:${await lineOf('generic-linux.mc', 'MAILER(local)dnl')}`);
  assert.deepEqual(severities(r.findings, 'privacy-expn'), ['high']);
  assert.deepEqual(severities(r.findings, 'privacy-vrfy'), ['medium']);
  assert.deepEqual(severities(r.findings, 'privacy-restrictmailq'), ['medium']);
  assert.deepEqual(severities(r.findings, 'privacy-restrictqrun'), ['medium']);
  assert.deepEqual(severities(r.findings, 'safe-file-env-unset'), ['high']);
  assert.deepEqual(severities(r.findings, 'greeting-discloses-version'), ['info']);
  assert.match(find(r.findings, 'greeting-discloses-version')[0]!.message, /\$j Sendmail \$v\/\$Z; \$b/);
  assert.deepEqual(severities(r.findings, 'sendmail-smuggling-fix'), ['info']);
  assert.equal(r.code, 3);
});

test('the cf that m4 generates from generic-linux.mc: the same judgement, markers found, not hand-edited', async () => {
  const mc = await audit(`${CF}/cf/generic-linux.mc`);
  const cf = await audit(`${CF}/cf/generic-linux.cf`);
  const serious = (fs: readonly JsonFinding[]): string[] => fs.filter((x) => ['critical', 'high', 'medium'].includes(x.severity)).map((x) => `${x.severity} ${x.id}`);
  assert.deepEqual(serious(cf.findings), serious(mc.findings));
  assert.deepEqual(find(cf.findings, 'cf-no-feature-markers'), []);
  assert.deepEqual(find(cf.findings, 'cf-hand-edited'), []);
  const mprog = find(cf.findings, 'prog-mailer-shell')[0]!;
  const text = await readFile(join(tree, CF, 'cf', 'generic-linux.cf'), 'latin1');
  assert.match(text.split('\n')[mprog.line! - 1]!, /^Mprog,\s+P=\/bin\/sh,/);
});

test("Debian's sendmail.mc: restrictqrun and needmailhelo are set, restrictmailq and noexpn are not", async () => {
  const r = await audit(`${CF}/debian/sendmail.mc`);
  assert.deepEqual(severities(r.findings, 'privacy-restrictmailq'), ['medium']);
  assert.deepEqual(severities(r.findings, 'privacy-expn'), ['high']);
  assert.deepEqual(severities(r.findings, 'privacy-vrfy'), ['medium']);
  for (const id of ['privacy-restrictqrun', 'privacy-needmailhelo', 'privacy-restrictexpand', 'privacy-authwarnings']) {
    assert.deepEqual(find(r.findings, id), [], id);
  }
  assert.deepEqual(severities(r.findings, 'prog-mailer-shell'), ['critical']);
  // What the audit could not read is said, not passed over.
  assert.ok(find(r.findings, 'config-warning').some((x) => x.message.includes('DOMAIN(debian-mta)')));
  assert.equal(r.code, 3);
});

test('knecht.mc (milters, virtusertable, cyrus): the audit completes and names what it cannot judge', async () => {
  const r = await audit(`${CF}/cf/knecht.mc`);
  assert.notEqual(r.code, 78);
  const unsupported = find(r.findings, 'unsupported-construct').map((x) => x.message);
  for (const what of ['FEATURE(virtusertable)', 'INPUT_MAIL_FILTER(spamassassin)', 'MAILER(cyrus)']) {
    assert.ok(unsupported.some((m) => m.includes(what)), what);
  }
  // authwarnings,noexpn,novrfy and three DNS blocklists are configured.
  assert.deepEqual([...find(r.findings, 'privacy-expn'), ...find(r.findings, 'privacy-vrfy'), ...find(r.findings, 'dnsbl-none')], []);
});

test('submit.mc (the MSP) hands programs to the MTA: no prog-mailer finding', async () => {
  const r = await audit(`${CF}/cf/submit.mc`);
  assert.deepEqual([...find(r.findings, 'prog-mailer-shell'), ...find(r.findings, 'prog-mailer-external')], []);
});

test('FEATURE(rbl) added to a Debian example: the feature file is gone from the tree, the audit reports it and completes', async () => {
  await assert.rejects(access(join(tree, CF, 'feature', 'rbl.m4')));
  await access(join(tree, CF, 'feature', 'dnsbl.m4'));
  const text = await readFile(join(tree, CF, 'cf', 'generic-linux.mc'), 'latin1');
  await writeFile(join(tree, CF, 'cf', 'rbl-linux.mc'), text.replace('MAILER(local)dnl', "FEATURE(`rbl')dnl\nMAILER(local)dnl"));
  const r = await audit(`${CF}/cf/rbl-linux.mc`);
  const line = await lineOf('rbl-linux.mc', "FEATURE(`rbl')dnl");
  assert.deepEqual(find(r.findings, 'feature-rbl-removed').map((x) => [x.severity, x.subject]), [['medium', `${CF}/cf/rbl-linux.mc:${line}`]]);
  assert.equal(r.code, 3);
});

test('every example .mc of the package audits to a verdict (exit 0-3), none is a configuration error', async () => {
  const files = [
    ...(await readdir(join(tree, CF, 'cf'))).filter((n) => n.endsWith('.mc') && n !== 'rbl-linux.mc').map((n) => `${CF}/cf/${n}`),
    `${CF}/debian/sendmail.mc`,
    `${CF}/debian/submit.mc`,
  ];
  assert.ok(files.length > 20);
  for (const file of files) {
    const r = await audit(file);
    assert.ok(r.code >= 0 && r.code <= 3, `${file}: exit ${r.code}`);
    assert.ok(r.findings.length > 0, file);
  }
});
