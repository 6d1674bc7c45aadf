// STARTTLS with a real client: Python's smtplib negotiates TLS with the daemon, the EHLO inside TLS no
// longer offers STARTTLS, and the message is queued with the TLS facts in its Received field.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { E2E_HOST, queuedData, REPO_ROOT, removeDir, run, startDaemon, tempDaemonDir, writeDaemonConfig } from '../helpers/daemon.js';
import { makeSelfSignedCert } from '../helpers/tls-cert.js';
import { ACCEPTED } from './smtp.js';

const PY_CLIENT = join(REPO_ROOT, 'test', 'e2e', 'fixtures', 'smtp_client.py');

test('smtplib: STARTTLS, a fresh EHLO inside TLS, and a message received over TLS', async (t) => {
  const dir = await tempDaemonDir();
  t.after(() => removeDir(dir));
  const { cert, key } = makeSelfSignedCert(dir, E2E_HOST);
  const d = await startDaemon({ cwd: dir, config: await writeDaemonConfig(dir, [`ServerCertFile = ${cert}`, `ServerKeyFile = ${key}`]) });
  t.after(() => d.stop());
  const job = {
    port: d.port,
    starttls: true,
    messages: [{ from: 'alice@example.org', to: [`root@${E2E_HOST}`], data_b64: Buffer.from('Subject: over tls\r\n\r\nsecret\r\n').toString('base64') }],
  };
  const r = await run('python3', [PY_CLIENT], { input: JSON.stringify(job) });
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as {
    ehlo: [number, string];
    starttls: [number, string];
    tls_version: string;
    tls_ehlo: [number, string];
    messages: Array<{ ok: boolean; data_reply: [number, string] }>;
  };
  assert.match(out.ehlo[1], /\nSTARTTLS\n/);
  assert.deepEqual(out.starttls, [220, '2.0.0 Ready to start TLS']);
  assert.match(out.tls_version, /^TLSv1\.[23]$/);
  assert.doesNotMatch(out.tls_ehlo[1], /STARTTLS/);
  const m = ACCEPTED.exec(`${out.messages[0]!.data_reply[0]} ${out.messages[0]!.data_reply[1]}`);
  assert.ok(m, JSON.stringify(out.messages));
  const stored = (await queuedData(join(dir, 'spool'), m[1]!)).toString('latin1');
  assert.match(stored, new RegExp(`with ESMTPS id ${m[1]}\\r\\n\\t\\(version=${out.tls_version.replace('.', '\\.')} cipher=\\S+ bits=\\d+ verify=NO\\)\\r\\n`));
  assert.ok(stored.endsWith('Subject: over tls\r\n\r\nsecret\r\n'));
});
