// Who is at the other end of a control connection: the kernel's answer (SO_PEERCRED), never the client's.

import type { Socket } from 'node:net';
import { peerCred, strerror, type PeerCredentials } from '../deliver/native.js';

export type { PeerCredentials };

/** The descriptor under a net.Socket accepted from a Unix socket server. */
function fdOf(socket: Socket): number | undefined {
  // Node has no public accessor for a socket's descriptor; its Pipe handle exposes `fd` on Unix. The
  // shape is checked, so a Node without it makes every connection refused, never trusted.
  const handle = (socket as unknown as { _handle?: { fd?: unknown } })._handle;
  const fd = handle?.fd;
  return typeof fd === 'number' && Number.isInteger(fd) && fd >= 0 ? fd : undefined;
}

/** The peer's credentials, or why they cannot be known (the connection must then be refused). */
export function peerOf(socket: Socket): PeerCredentials | string {
  const fd = fdOf(socket);
  if (fd === undefined) return 'the socket has no descriptor';
  let r: ReturnType<typeof peerCred>;
  try {
    r = peerCred(fd);
  } catch (err) {
    // An addon built before peerCred existed (or a broken build): refuse the caller, keep the daemon.
    return `SO_PEERCRED unavailable: ${(err as Error).message}`;
  }
  if (typeof r === 'number') return `SO_PEERCRED: ${strerror(r)}`;
  return r;
}
