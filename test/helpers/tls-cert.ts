// A throw-away self-signed certificate for STARTTLS tests, made with the openssl command at test time
// (no key material is kept in the repository).

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export function makeSelfSignedCert(dir: string, cn = 'mx.example.com'): { cert: string; key: string } {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=${cn}`],
    { stdio: 'ignore' },
  );
  return { cert, key };
}
