// The worker's side of the channel: requests carry an id, replies come back in any order and are matched
// to them. When the channel ends, every request still waiting is answered with the reason, so a delivery
// in flight becomes a temporary failure instead of hanging.

import type { FramedChannel } from './ipc-channel.js';
import type { Frame } from './ipc-frame.js';
import { isRecord, requestId } from './ipc-protocol.js';

export type Reply = { ok: true; header: Record<string, unknown>; body: Buffer | undefined } | { ok: false; error: string };

export interface ClientHandlers {
  /** frames that answer no request (hello) */
  unsolicited(header: Record<string, unknown>): void;
  closed(reason: string | undefined): void;
}

export class IpcClient {
  private nextId = 1;
  private readonly pending = new Map<number, (r: Reply) => void>();

  constructor(
    private readonly channel: FramedChannel,
    private readonly handlers: ClientHandlers,
  ) {
    channel.start({ frame: (f) => this.onFrame(f), closed: (reason) => this.onClosed(reason) });
  }

  get isOpen(): boolean {
    return this.channel.isOpen;
  }

  /** Fire and forget (started, ready). */
  notify(header: Record<string, unknown>): void {
    this.channel.send(header);
  }

  request(header: Record<string, unknown>, body?: Buffer): Promise<Reply> {
    if (!this.channel.isOpen) return Promise.resolve({ ok: false, error: 'the master is gone' });
    const id = this.nextId++;
    return new Promise<Reply>((resolve) => {
      this.pending.set(id, resolve);
      this.channel.send({ ...header, id }, body);
    });
  }

  close(): void {
    this.channel.close();
  }

  unref(): void {
    this.channel.unref();
  }

  private onFrame(f: Frame): void {
    // The master is trusted; a frame that does not parse is its bug, and only its own request can fail.
    if (!f.ok || !isRecord(f.header)) return;
    const h = f.header;
    const id = requestId(h.id);
    const waiter = id === null ? undefined : this.pending.get(id);
    if (waiter === undefined || id === null) {
      this.handlers.unsolicited(h);
      return;
    }
    this.pending.delete(id);
    if (h.t === 'error') waiter({ ok: false, error: typeof h.error === 'string' ? h.error : 'error' });
    else waiter({ ok: true, header: h, body: f.body });
  }

  private onClosed(reason: string | undefined): void {
    const error = `the master is gone${reason !== undefined ? ` (${reason})` : ''}`;
    for (const w of this.pending.values()) w({ ok: false, error });
    this.pending.clear();
    this.handlers.closed(reason);
  }
}
