// The server's TLS credentials (smtp-session.md §10.1): STARTTLS is offered only when ServerCertFile and
// ServerKeyFile are set and load; a file that does not load is a warning and TLS is simply not offered.

import { readFile } from 'node:fs/promises';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { DiagnosticList } from '../util/diagnostics.js';

export interface TlsFiles {
  cert?: string | undefined;
  key?: string | undefined;
  ca?: string | undefined;
}

/** `read` reads a file; a worker under the root master asks the master, which may read the key. */
export async function loadTlsContext(
  files: TlsFiles,
  diags: DiagnosticList,
  read: (path: string) => Promise<Buffer> = (p) => readFile(p),
): Promise<SecureContext | undefined> {
  if (files.cert === undefined || files.key === undefined) {
    if (files.cert !== undefined || files.key !== undefined) {
      diags.warning('STARTTLS not offered: ServerCertFile and ServerKeyFile must both be set');
    }
    return undefined;
  }
  try {
    const [cert, key, ca] = await Promise.all([
      read(files.cert),
      read(files.key),
      files.ca !== undefined ? read(files.ca) : Promise.resolve(undefined),
    ]);
    // [Postern] TLS 1.2 is the floor (smtp-session.md §10.1).
    return createSecureContext({ cert, key, ...(ca !== undefined ? { ca } : {}), minVersion: 'TLSv1.2' });
  } catch (err) {
    diags.warning(`STARTTLS not offered: cannot load the server certificate or key: ${(err as Error).message}`);
    return undefined;
  }
}
