// The master's listening sockets. Root binds them (port 25 needs it) but never listens on them in its
// own event loop: the master must read nothing from the network, and a socket the master polled would
// have its connections accepted by the master half of the time. So each socket is only bound here, with
// the handle Node's own cluster module uses for the same purpose (net._createServerHandle: bind without
// listen), and handed to the worker as an inherited fd; the worker calls listen(). The master keeps its
// copy, so a restarted worker gets the very same sockets, and connections that arrive meanwhile wait in
// the kernel's backlog instead of being refused.

import { lookup } from 'node:dns/promises';
import net from 'node:net';
import { getSystemErrorMap, getSystemErrorName } from 'node:util';
import type { Logger } from 'pino';
import type { ListenerSettings } from '../smtp/settings.js';

/** The part of Node's TCP handle the master uses. */
interface RawServerHandle {
  readonly fd: number;
  close(): void;
}

type CreateServerHandle = (address: string, port: number, addressType: 4 | 6, fd?: number, flags?: number) => RawServerHandle | number;

function createServerHandle(): CreateServerHandle {
  const f = (net as unknown as { _createServerHandle?: unknown })._createServerHandle;
  if (typeof f !== 'function') throw new Error(`this Node.js (${process.version}) has no net._createServerHandle; cannot bind without listening`);
  return f as CreateServerHandle;
}

export interface BoundListeners {
  listeners: ListenerSettings[];
  /** per listener: the socket's fd in the master, or null for an optional listener that did not bind */
  fds: Array<number | null>;
  close(): void;
}

function errnoText(errno: number): string {
  const name = getSystemErrorName(errno);
  const text = getSystemErrorMap().get(errno)?.[1];
  return text !== undefined ? `${name}: ${text}` : name;
}

async function ipOf(l: ListenerSettings): Promise<{ ip: string; type: 4 | 6 }> {
  const v = net.isIP(l.addr);
  if (v === 4 || v === 6) return { ip: l.addr, type: v };
  const family = l.family === 'inet6' ? 6 : 4;
  const r = await lookup(l.addr, { family });
  return { ip: r.address, type: family };
}

export type BindResult = { ok: true; bound: BoundListeners } | { ok: false; error: string };

/** Binds every listener; a listener that fails stops everything unless it has the `O` modifier. */
export async function bindListeners(listeners: readonly ListenerSettings[], log: Logger): Promise<BindResult> {
  const create = createServerHandle();
  const handles: Array<RawServerHandle | null> = [];
  const closeAll = (): void => {
    for (const h of handles) h?.close();
  };
  for (const l of listeners) {
    let error: string;
    try {
      const { ip, type } = await ipOf(l);
      const h = create(ip, l.port, type);
      if (typeof h !== 'number') {
        handles.push(h);
        continue;
      }
      error = `bind ${errnoText(h)} ${l.addr}:${l.port}`;
    } catch (err) {
      error = `${l.addr}: ${(err as Error).message}`;
    }
    if (l.modifiers.includes('O')) {
      log.warn({ listener: l.name, error }, 'optional listener could not bind; skipped');
      handles.push(null);
      continue;
    }
    closeAll();
    return { ok: false, error };
  }
  return {
    ok: true,
    bound: { listeners: [...listeners], fds: handles.map((h) => (h === null ? null : h.fd)), close: closeAll },
  };
}
