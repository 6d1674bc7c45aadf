// Turns the resolver library's error codes into DNS outcomes. Only the codes that mean a definite
// answer (NXDOMAIN, NOERROR without data) or a name that cannot exist are "none"; every other code,
// known or not, is temporary, so an unexpected error can delay mail but never reject it as
// non-existent.

import type { DnsFailure, DnsFailureStatus } from './lookup.js';

const STATUS: Record<string, { kind: 'none' | 'temp'; status: DnsFailureStatus }> = {
  ENOTFOUND: { kind: 'none', status: 'nxdomain' },
  ENODATA: { kind: 'none', status: 'nodata' },
  EBADNAME: { kind: 'none', status: 'badname' },
  ESERVFAIL: { kind: 'temp', status: 'servfail' },
  EREFUSED: { kind: 'temp', status: 'refused' },
  ETIMEOUT: { kind: 'temp', status: 'timeout' },
};

export function errorCode(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : 'EUNKNOWN';
}

export function failure(code: string): DnsFailure {
  const s = STATUS[code] ?? { kind: 'temp', status: 'error' };
  return { ok: false, kind: s.kind, status: s.status, code };
}

export function classifyError(err: unknown): DnsFailure {
  return failure(errorCode(err));
}

export const TIMED_OUT: DnsFailure = failure('ETIMEOUT');
export const NO_DATA: DnsFailure = failure('ENODATA');
export const BAD_NAME: DnsFailure = failure('EBADNAME');

/**
 * Two failures for one name (A and AAAA) combined: temporary if either is, else NXDOMAIN if either
 * says so (the name does not exist), else no data.
 */
export function combineFailures(a: DnsFailure, b: DnsFailure): DnsFailure {
  if (a.kind === 'temp') return a;
  if (b.kind === 'temp') return b;
  if (a.status === 'nxdomain') return a;
  if (b.status === 'nxdomain') return b;
  return a;
}

/**
 * A name worth asking about: 1–253 characters (a trailing dot aside), labels of 1–63 printable
 * characters without white space. Anything else cannot exist in DNS and is never sent.
 */
export function isQueryableName(name: string): boolean {
  const n = name.endsWith('.') ? name.slice(0, -1) : name;
  if (n.length === 0 || n.length > 253) return false;
  for (const label of n.split('.')) {
    if (label.length === 0 || label.length > 63) return false;
    if (!/^[\x21-\x7e]+$/.test(label)) return false;
  }
  return true;
}
