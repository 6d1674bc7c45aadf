// The server's TLS credentials (smtp-session.md §10.1): STARTTLS is offered only when ServerCertFile and
// ServerKeyFile are set and load; a file that does not load is a warning and TLS is simply not offered.
// The credentials are reloaded when the files change (loadServerTls).

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createSecureContext, type SecureContext } from 'node:tls';
import { DiagnosticList } from '../util/diagnostics.js';
import { Reloadable, stampsOf, type ReloadOptions } from '../util/reloadable.js';
import type { TlsCredentials } from '../smtp/server.js';

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

export type TlsReloadEvent = { kind: 'reloaded'; files: string[] } | { kind: 'rejected'; files: string[]; reason: string };

/**
 * The server credentials, reloaded when ServerCertFile, ServerKeyFile or CACertFile change (checked when
 * a client asks for STARTTLS, at most once a second, once the files have been left alone for two
 * seconds). A new pair that does not load (a key written before its certificate) keeps the old one.
 */
export async function loadServerTls(
  files: TlsFiles,
  diags: DiagnosticList,
  read: (path: string) => Promise<Buffer> = (p) => readFile(p),
  opts: { reload?: ReloadOptions; onEvent?: (e: TlsReloadEvent) => void } = {},
): Promise<TlsCredentials | undefined> {
  const paths = [files.cert, files.key, files.ca].filter((f): f is string => f !== undefined);
  const stamps = await stampsOf(paths);
  // What was read last time: a file re-read only because it cannot be stat'ed is often unchanged.
  let digest = '';
  const readAll = async (): Promise<{ ctx: SecureContext | undefined; digest: string; diags: DiagnosticList }> => {
    const h = createHash('sha256');
    const d = new DiagnosticList();
    const ctx = await loadTlsContext(files, d, async (p) => {
      const b = await read(p);
      h.update(p).update('\0').update(b);
      return b;
    });
    return { ctx, digest: h.digest('hex'), diags: d };
  };
  const first = await readAll();
  diags.items.push(...first.diags.items);
  if (first.ctx === undefined) return undefined;
  digest = first.digest;
  const ctx = new Reloadable<SecureContext>(
    first.ctx,
    paths,
    stamps,
    async () => {
      const next = await readAll();
      if (next.digest === digest) return undefined;
      digest = next.digest;
      if (next.ctx === undefined) opts.onEvent?.({ kind: 'rejected', files: paths, reason: next.diags.items[0]?.message ?? 'cannot load' });
      else opts.onEvent?.({ kind: 'reloaded', files: paths });
      return next.ctx;
    },
    opts.reload,
  );
  return {
    get current() {
      return ctx.current;
    },
    refresh: () => ctx.refresh(),
  };
}
