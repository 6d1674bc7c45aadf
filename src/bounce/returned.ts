// The third part of a report: what of the original message goes back (queue-and-bounces.md §6.4).
// The bytes are the queued data as they are, never re-encoded: the whole message, or its header only.

import type { Envelope } from '../queue/envelope.js';
import type { DsnKind } from './types.js';

export type ReturnedContent = 'full' | 'headers';

/**
 * Success reports and postmaster copies return the header only; the others return the full message
 * unless RET=HDRS, nobodyreturn or a negative precedence class (list, bulk, junk) says otherwise.
 */
export function returnedContent(kind: DsnKind, envelope: Pick<Envelope, 'ret'>, precedenceClass: number, nobodyreturn: boolean): ReturnedContent {
  if (kind === 'success' || kind === 'postmaster') return 'headers';
  if (envelope.ret === 'HDRS' || nobodyreturn || precedenceClass < 0) return 'headers';
  return 'full';
}

const CRLF_CRLF = Buffer.from('\r\n\r\n');

/** The header block of queued data (CR LF line ends), up to and including its last field's CR LF. */
export function headerBlock(data: Buffer): Buffer {
  if (data.length >= 2 && data[0] === 0x0d && data[1] === 0x0a) return data.subarray(0, 0);
  const end = data.indexOf(CRLF_CRLF);
  return end < 0 ? data : data.subarray(0, end + 2);
}

export function returnedBytes(content: ReturnedContent, data: Buffer): Buffer {
  return content === 'full' ? data : headerBlock(data);
}
