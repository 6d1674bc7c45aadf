// The messages of the master ↔ worker channel (frames of ipc-frame.ts). The master starts the worker
// as RunAsUser with the listening sockets on fds 4, 5, ... and the channel on fd 3.
//
//   worker → master   started                    signal handlers are in place (signals may be forwarded)
//                     ready                      listening and serving
//                     job {id, job, message} + message  run an agent job (AgentJob of agent-protocol.ts)
//                     file {id, path}            the bytes of a TLS file named by the master's configuration
//   master → worker   hello {listeners, fds}     the listeners the master bound, in configuration order
//                     result {id, result}        the AgentResult of a job
//                     file {id, ok, error?} + bytes
//                     error {id, error}          a request that could not be served (id null: unparsable)

import type { ListenerSettings } from '../smtp/settings.js';
import type { AgentJob, AgentResult } from './agent-protocol.js';

/** The channel's fd in the worker; the listening sockets follow it. */
export const CHANNEL_FD = 3;
export const FIRST_LISTENER_FD = 4;

/** Requests are small JSON; the body is one queued message. */
export const MASTER_LIMITS = { maxHeader: 1 << 20, maxBody: 1 << 30 } as const;
/** The most jobs a worker may have in flight with the master at once (the master refuses more). */
export const MAX_JOBS_IN_FLIGHT = 128;

/** Replies carry read results (a .forward's text) and TLS files. */
export const WORKER_LIMITS = { maxHeader: 64 << 20, maxBody: 64 << 20 } as const;

export interface Hello {
  t: 'hello';
  /** every listener of the master's configuration */
  listeners: ListenerSettings[];
  /** the fd of each listener in the worker, null for an optional listener that could not bind */
  fds: Array<number | null>;
}

export interface JobRequest {
  t: 'job';
  id: number;
  job: AgentJob;
  /** the frame's body is the message (which may be empty) */
  message: boolean;
}

export interface FileRequest {
  t: 'file';
  id: number;
  path: string;
}

export type WorkerMessage = { t: 'started' } | { t: 'ready' } | JobRequest | FileRequest;

export interface JobReply {
  t: 'result';
  id: number;
  result: AgentResult;
}

export interface FileReply {
  t: 'file';
  id: number;
  ok: boolean;
  error?: string;
}

export interface ErrorReply {
  t: 'error';
  id: number | null;
  error: string;
}

export type MasterMessage = Hello | JobReply | FileReply | ErrorReply;

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A request id: what the worker chose, echoed back; anything else cannot be answered by id. */
export function requestId(v: unknown): number | null {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : null;
}
