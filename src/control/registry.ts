// The control socket's request kinds and their handlers. The daemon builds one registry
// (src/daemon/control-handlers.ts lists every kind); a kind nobody registered is answered 69.

import type { Socket } from 'node:net';
import type { ControlRequestHeader, ControlStream } from './protocol.js';
import type { PeerCredentials } from './peer.js';

export interface ControlRequest {
  kind: string;
  header: ControlRequestHeader;
  body: Buffer | undefined;
  /** the caller as the kernel knows it */
  peer: PeerCredentials;
}

export interface ControlReply {
  /** Text for the command's stdout or stderr (sent at once, in order). */
  out(stream: ControlStream, text: string): void;
  /** The command's exit status, and any result fields; ends the conversation. */
  done(exit: number, result?: Record<string, unknown>): void;
  /**
   * Turns the connection into a plain byte stream (the `bs` kind): the client is told, and the handler
   * gets the socket and any octets that had already arrived after the request frame.
   */
  takeOver(): { socket: Socket; pending: Buffer };
  /** The client has gone (closed its end, or the connection broke). */
  readonly closed: boolean;
  onClose(fn: () => void): void;
}

/** A handler may answer at once or later; a rejected promise becomes exit 70 with the reason logged. */
export type ControlHandler = (req: ControlRequest, reply: ControlReply) => void | Promise<void>;

export class ControlRegistry {
  private readonly handlers = new Map<string, ControlHandler>();

  /** Registers the handler of a request kind; a kind has one handler. */
  register(kind: string, handler: ControlHandler): this {
    if (this.handlers.has(kind)) throw new Error(`control request kind ${kind} registered twice`);
    this.handlers.set(kind, handler);
    return this;
  }

  get(kind: string): ControlHandler | undefined {
    return this.handlers.get(kind);
  }

  kinds(): string[] {
    return [...this.handlers.keys()];
  }
}
