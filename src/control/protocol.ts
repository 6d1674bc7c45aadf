// The control socket's conversation (docs/cli.md "The hand-off"). Frames are those of the master ↔ worker
// channel (src/deliver/ipc-frame.ts: a JSON header and an optional binary body).
//
//   client → daemon   one request frame: { kind, ...fields of that kind } + body (the message, if any)
//   daemon → client   any number of { type: 'out', stream, text } frames (lines for stdout/stderr),
//                     then one { type: 'done', exit, ...result } frame; or, for a kind that turns the
//                     connection into a byte stream (bs), { type: 'raw' } and from then on raw octets
//
// The caller's uid, gid and groups are never part of a request: the daemon reads them from the kernel
// (SO_PEERCRED) when the connection is accepted.

import type { FrameLimits } from '../deliver/ipc-frame.js';

export interface ControlRequestHeader {
  kind: string;
  [field: string]: unknown;
}

export type ControlStream = 'stdout' | 'stderr';

export interface OutFrame {
  type: 'out';
  stream: ControlStream;
  text: string;
}

export interface DoneFrame {
  type: 'done';
  /** the exit status the command should end with (sysexits) */
  exit: number;
  [field: string]: unknown;
}

export interface RawFrame {
  type: 'raw';
}

export type ControlReplyFrame = OutFrame | DoneFrame | RawFrame;

/** A request header is small; the body is bounded by the daemon (MaxMessageSize plus room for headers). */
export const MAX_REQUEST_HEADER = 256 * 1024;
/** Reply headers carry output text (a long mailq is sent in several frames). */
export const REPLY_LIMITS: FrameLimits = { maxHeader: 16 * 1024 * 1024, maxBody: 0 };
/** Output text is cut into frames of at most this many characters. */
export const OUT_CHUNK = 256 * 1024;

/** How long a connection may take to send its request before the daemon hangs up. */
export const REQUEST_TIMEOUT_MS = 60_000;

export function isReplyFrame(v: unknown): v is ControlReplyFrame {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  if (o['type'] === 'out') return (o['stream'] === 'stdout' || o['stream'] === 'stderr') && typeof o['text'] === 'string';
  if (o['type'] === 'done') return typeof o['exit'] === 'number' && Number.isInteger(o['exit']);
  return o['type'] === 'raw';
}

export function isRequestHeader(v: unknown): v is ControlRequestHeader {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as Record<string, unknown>)['kind'] === 'string';
}
