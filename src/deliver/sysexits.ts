// A program's exit status as a delivery result (program-and-file-delivery.md §3.3).

import type { StatusText } from './shared-types.js';
import { perm, temp, type Failure } from './errors.js';

export const EX_USAGE = 64;
export const EX_UNAVAILABLE = 69;
export const EX_OSFILE = 72;
export const EX_CONFIG = 78;

const TABLE: Record<number, StatusText> = {
  64: { code: 500, enh: '5.0.0', text: 'Command line usage error' },
  65: { code: 501, enh: '5.6.0', text: 'Data format error' },
  66: { code: 550, enh: '5.3.0', text: 'Cannot open input' },
  67: { code: 550, enh: '5.1.1', text: 'User unknown' },
  68: { code: 550, enh: '5.1.2', text: 'Host unknown' },
  69: { code: 554, enh: '5.0.0', text: 'Service unavailable' },
  70: { code: 554, enh: '5.3.0', text: 'Internal error' },
  71: { code: 451, enh: '4.0.0', text: 'Operating system error' },
  72: { code: 554, enh: '5.3.5', text: 'System file missing' },
  73: { code: 550, enh: '5.0.0', text: "Can't create output" },
  74: { code: 451, enh: '4.0.0', text: 'I/O error' },
  75: { code: 450, enh: '4.0.0', text: 'Deferred' },
  76: { code: 554, enh: '5.5.0', text: 'Remote protocol error' },
  77: { code: 550, enh: '5.0.0', text: 'Insufficient permission' },
  78: { code: 554, enh: '5.3.5', text: 'Local configuration error' },
};

/** EX_TEMPFAIL, EX_OSERR, EX_IOERR: the message stays queued. */
const TEMPORARY = new Set([75, 71, 74]);

/** The reply for a non-zero exit status. */
export function sysexitReply(status: number): StatusText {
  return TABLE[status] ?? { code: 554, enh: '5.3.0', text: `unknown mailer error ${status}` };
}

/** The result for a program that ended with a non-zero status, or was killed by a signal. */
export function exitFailure(status: number | null, signal: number | null): Failure {
  if (status === null) return temp(451, '4.3.0', `mailer prog died with signal ${signal ?? 0}`);
  const r = sysexitReply(status);
  return TEMPORARY.has(status) ? temp(r.code, r.enh, r.text) : perm(r.code, r.enh, r.text);
}
