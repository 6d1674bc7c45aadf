// The worker's link to the root master: the channel on fd 3 (ipc-protocol.ts). It gives the worker the
// listeners the master bound, its DeliveryService, the TLS files only root may read, and tells it when
// the master is gone (the worker then stops: an orphaned worker would hold the ports).

import { fstatSync } from 'node:fs';
import { Socket } from 'node:net';
import type { DeliveryService } from '../deliver/agent-protocol.js';
import { spawnAgentService, type AgentService } from '../deliver/agent-service.js';
import { FramedChannel } from '../deliver/ipc-channel.js';
import { IpcClient } from '../deliver/ipc-client.js';
import { CHANNEL_FD, WORKER_LIMITS, isRecord, type Hello } from '../deliver/ipc-protocol.js';
import { IpcDeliveryService } from '../deliver/ipc-service.js';
import type { ListenerSettings } from '../smtp/settings.js';

function helloOf(h: Record<string, unknown>): Hello | undefined {
  const { listeners, fds } = h;
  if (h.t !== 'hello' || !Array.isArray(listeners) || !Array.isArray(fds) || listeners.length !== fds.length) return undefined;
  if (!listeners.every(isRecord)) return undefined;
  const out: Array<number | null> = [];
  for (const fd of fds) {
    if (fd !== null && !(typeof fd === 'number' && Number.isSafeInteger(fd) && fd >= 0)) return undefined;
    out.push(fd);
  }
  // The master built these from the same configuration loader as the worker's own settings.
  return { t: 'hello', listeners: listeners as unknown as ListenerSettings[], fds: out };
}

export class WorkerLink {
  readonly delivery: DeliveryService;
  private readonly client: IpcClient;
  private hellos: Array<(h: Hello) => void> = [];
  private received: Hello | undefined;
  private goneReason: string | undefined;
  private gone = false;
  private onGone: Array<(reason: string | undefined) => void> = [];

  private constructor(sock: Socket) {
    this.client = new IpcClient(new FramedChannel(sock, WORKER_LIMITS), {
      unsolicited: (h) => {
        const hello = helloOf(h);
        if (hello === undefined || this.received !== undefined) return;
        this.received = hello;
        for (const w of this.hellos.splice(0)) w(this.received);
      },
      closed: (reason) => {
        this.gone = true;
        this.goneReason = reason;
        for (const f of this.onGone.splice(0)) f(reason);
      },
    });
    this.delivery = new IpcDeliveryService(this.client);
  }

  /**
   * Opens the channel the master gave this process and says that signals may now be forwarded.
   * Throws when there is none (`serve --worker` run by hand).
   */
  static open(fd = CHANNEL_FD): WorkerLink {
    let isSocket = false;
    try {
      isSocket = fstatSync(fd).isSocket();
    } catch {
      // not open at all
    }
    if (!isSocket) throw new Error(`serve --worker needs the master's channel on fd ${fd}; it is started by the master, not by hand`);
    const link = new WorkerLink(new Socket({ fd, readable: true, writable: true }));
    link.client.notify({ t: 'started' });
    return link;
  }

  /** The master's listeners and their fds; rejects if they do not come within `timeoutMs`. */
  hello(timeoutMs: number): Promise<Hello> {
    if (this.received !== undefined) return Promise.resolve(this.received);
    return new Promise<Hello>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listeners from the master within ${timeoutMs} ms`)), timeoutMs);
      this.hellos.push((h) => {
        clearTimeout(timer);
        resolve(h);
      });
      this.whenGone((reason) => {
        clearTimeout(timer);
        reject(new Error(`the master closed the channel${reason !== undefined ? ` (${reason})` : ''}`));
      });
    });
  }

  /** Serving: the master stops counting start-up failures as fatal. */
  ready(): void {
    this.client.notify({ t: 'ready' });
  }

  /** A TLS file named by the configuration, read by the master (the key is usually readable by root only). */
  async readFile(path: string): Promise<Buffer> {
    const reply = await this.client.request({ t: 'file', path });
    if (!reply.ok) throw new Error(reply.error);
    if (reply.header.ok !== true) throw new Error(typeof reply.header.error === 'string' ? reply.header.error : `${path}: not served by the master`);
    return reply.body ?? Buffer.alloc(0);
  }

  /** Called once when the channel ends (at once if it has already ended). */
  whenGone(f: (reason: string | undefined) => void): void {
    if (this.gone) f(this.goneReason);
    else this.onGone.push(f);
  }

  /** The link must not keep a stopped worker alive; nor may a finished one wait for the master. */
  close(): void {
    this.client.unref();
    this.client.close();
  }
}

/**
 * The DeliveryService for this process's queue runner: in a worker, the master's (jobs go over the
 * channel); in a single process, agents spawned here. `close()` ends agents kept for reuse (a no-op for
 * the worker, whose agents belong to the master).
 */
export function deliveryFor(link: WorkerLink | undefined): AgentService {
  if (link === undefined) return spawnAgentService();
  const delivery = link.delivery;
  return { run: (job, message) => delivery.run(job, message), close: () => Promise.resolve() };
}
