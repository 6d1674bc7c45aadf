// Throw-away certificates for the client's STARTTLS tests, made with openssl at test time: self-signed
// with a subjectAltName, so the same file serves as the peer's certificate and, for "verified" cases, as
// the client's trust anchor.

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export function makeCert(dir: string, name: string): { cert: string; key: string } {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=${name}`, '-addext', `subjectAltName=DNS:${name}`],
    { stdio: 'ignore' },
  );
  return { cert, key };
}
