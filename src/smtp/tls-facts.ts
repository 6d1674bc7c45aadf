// ${tls_version}, ${cipher}, ${cipher_bits}, ${verify} of a TLS session, as sendmail shows them in the
// Received header and its STARTTLS log line: OpenSSL's cipher name (ECDHE-RSA-AES256-GCM-SHA384,
// TLS_AES_128_GCM_SHA256) and the symmetric key length in bits.

import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';

export interface TlsFacts {
  version: string;
  cipher: string;
  bits: number;
  verify: string;
}

/** Key bits from the cipher name; the digest part (SHA256, SHA384) says nothing about them. */
export function cipherBits(name: string): number {
  const n = name.toUpperCase();
  if (/AES[-_]?256|CHACHA20|CAMELLIA[-_]?256|ARIA[-_]?256/.test(n)) return 256;
  if (/AES[-_]?128|CAMELLIA[-_]?128|ARIA[-_]?128/.test(n)) return 128;
  return 0;
}

export function tlsFacts(sock: Socket): TlsFacts {
  const t = sock instanceof TLSSocket ? sock : undefined;
  const name = t?.getCipher().name ?? 'unknown';
  // No client certificate is asked for: sendmail says NO in that case.
  return { version: t?.getProtocol() ?? 'unknown', cipher: name, bits: cipherBits(name), verify: 'NO' };
}

/** The facts as one log field: `version=TLSv1.3 cipher=... bits=256 verify=NO`. */
export function tlsFactsText(f: TlsFacts): string {
  return `version=${f.version} cipher=${f.cipher} bits=${f.bits} verify=${f.verify}`;
}
