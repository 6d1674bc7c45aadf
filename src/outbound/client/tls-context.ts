// The client's TLS trust anchors: the system's CAs plus CACertFile (confCACERT) when set. sendmail trusts
// only CACertFile; Postern adds it to the system list so that a site CA for a few verified peers does not
// make every public MX unverifiable (docs/outbound.md).

import { readFile } from 'node:fs/promises';
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';

export async function clientTlsContext(
  caFile: string | undefined,
  read: (path: string) => Promise<Buffer> = (p) => readFile(p),
): Promise<SecureContext> {
  const extra = caFile !== undefined && caFile.trim() !== '' ? [(await read(caFile)).toString('utf8')] : [];
  return createSecureContext({ ca: [...rootCertificates, ...extra], minVersion: 'TLSv1.2' });
}
