// The outbound connection pool: reuse and concurrency limits (see pool.ts).

export { ConnectionPool, PoolClosedError, type Lease, type PoolOptions, type Pooled } from './pool.js';
