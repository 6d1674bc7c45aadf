// The outbound connection pool: reuse and concurrency limits (see pool.ts), typed for the SMTP client's
// sessions.

import type { Session } from '../client/session.js';
import { ConnectionPool, type PoolOptions } from './pool.js';

export { ConnectionPool, PoolClosedError, type Lease, type PoolOptions, type Pooled } from './pool.js';

/** The pool of the SMTP client's sessions (what ClientOptions.pool takes). */
export type OutboundPool = ConnectionPool<Session>;

export function createOutboundPool(opts: PoolOptions): OutboundPool {
  return new ConnectionPool<Session>(opts);
}
