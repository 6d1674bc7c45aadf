// The facts of a client TLS session (for logs, the delivery report and the TLS policy): protocol, cipher,
// key bits, whether the certificate validated for the expected name, and the peer's subject/issuer CN.

import { checkServerIdentity, type TLSSocket } from 'node:tls';
import type { TlsFacts } from './types.js';

const NO_CERT = 'no certificate';

/** Symmetric key bits from an OpenSSL / IANA cipher name (getCipher() does not report them). */
export function cipherBits(name: string): number {
  if (/CHACHA20/i.test(name)) return 256;
  const m = /(?:AES|CAMELLIA|ARIA)[_-]?(\d{3})/i.exec(name);
  if (m !== null) return Number(m[1]);
  if (/3DES|DES-CBC3/i.test(name)) return 112;
  return 0;
}

function cnOf(field: unknown): string | undefined {
  if (typeof field !== 'object' || field === null) return undefined;
  const cn = (field as Record<string, unknown>)['CN'];
  if (typeof cn === 'string') return cn;
  if (Array.isArray(cn) && typeof cn[0] === 'string') return cn[0];
  return undefined;
}

/**
 * The facts of `sock` after its handshake. The chain check is OpenSSL's (`authorized`, with the name check
 * switched off at connect time); the name is checked here against `expectedName`, so the same code serves
 * host names and address literals.
 */
export function tlsFactsOf(sock: TLSSocket, expectedName: string): TlsFacts {
  const cipher = sock.getCipher();
  const cert = sock.getPeerCertificate();
  const hasCert = cert !== null && typeof cert === 'object' && Object.keys(cert).length > 0;
  let verifyError: string | undefined;
  if (!hasCert) verifyError = NO_CERT;
  else if (!sock.authorized) verifyError = String(sock.authorizationError ?? 'certificate not trusted');
  else {
    const nameError = checkServerIdentity(expectedName, cert);
    if (nameError !== undefined) verifyError = nameError.message;
  }
  const peerCN = hasCert ? cnOf(cert.subject) : undefined;
  const issuerCN = hasCert ? cnOf(cert.issuer) : undefined;
  return {
    version: sock.getProtocol() ?? 'unknown',
    cipher: cipher.name,
    bits: cipherBits(cipher.name),
    verified: verifyError === undefined,
    ...(verifyError !== undefined ? { verifyError } : {}),
    ...(peerCN !== undefined ? { peerCN } : {}),
    ...(issuerCN !== undefined ? { issuerCN } : {}),
  };
}

/** sendmail's Received-style summary: `version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 bits=256 verify=OK` (NO: no certificate). */
export function tlsSummary(f: TlsFacts): string {
  const verify = f.verified ? 'OK' : f.verifyError === NO_CERT ? 'NO' : 'FAIL';
  return `version=${f.version} cipher=${f.cipher} bits=${f.bits} verify=${verify}`;
}
