// EHLO, falling back to HELO for a server that does not know EHLO (RFC 5321 §3.2).

import type { ProbeConnection } from '../connection.js';
import type { Reply } from '../reply.js';

export interface Greeted {
  reply: Reply;
  /** the reply is to EHLO (so its lines list extensions) */
  extended: boolean;
}

export async function greet(conn: ProbeConnection, helo: string): Promise<Greeted> {
  const ehlo = await conn.command(`EHLO ${helo}`);
  if (ehlo.code === 500 || ehlo.code === 502) return { reply: await conn.command(`HELO ${helo}`), extended: false };
  return { reply: ehlo, extended: true };
}
