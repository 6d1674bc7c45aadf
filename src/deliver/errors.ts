// Errors of file operations as the texts and classes delivery status replies need.

import { constants } from 'node:os';
import { strerror } from './native.js';
import type { AgentResult } from './agent-protocol.js';

/** The errno code of a Node error (`ENOENT`), or undefined. */
export function errCode(e: unknown): string | undefined {
  if (typeof e === 'object' && e !== null && 'code' in e) {
    const c = (e as { code: unknown }).code;
    if (typeof c === 'string') return c;
  }
  return undefined;
}

/** The C library's text for a Node error (`Permission denied`), or the error's own message. */
export function reasonOf(e: unknown): string {
  const code = errCode(e);
  const n = code === undefined ? undefined : (constants.errno as Record<string, number | undefined>)[code];
  if (n !== undefined) return strerror(n);
  return e instanceof Error ? e.message : String(e);
}

/** Errors that may go away by themselves: worth a retry, not a bounce. */
const TRANSIENT = new Set(['EIO', 'ETIMEDOUT', 'EAGAIN', 'EWOULDBLOCK', 'ESTALE', 'EINTR', 'ENOMEM', 'ENFILE', 'EMFILE', 'EBUSY', 'ENOSPC', 'EDQUOT', 'ENOLCK']);

export function isTransient(e: unknown): boolean {
  const c = errCode(e);
  return c !== undefined && TRANSIENT.has(c);
}

export type Failure = Extract<AgentResult, { status: 'temp' | 'perm' }>;

export function temp(code: number, enh: string, text: string, log?: string[]): Failure {
  return log === undefined || log.length === 0 ? { status: 'temp', reply: { code, enh, text } } : { status: 'temp', reply: { code, enh, text }, log };
}

export function perm(code: number, enh: string, text: string, log?: string[]): Failure {
  return log === undefined || log.length === 0 ? { status: 'perm', reply: { code, enh, text } } : { status: 'perm', reply: { code, enh, text }, log };
}
