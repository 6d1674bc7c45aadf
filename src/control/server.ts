// The daemon's control socket: a Unix socket anyone on the host may connect to (mode 0666), in a
// directory the daemon owns. Each connection carries one request; the caller's identity comes from
// the kernel (SO_PEERCRED) and each kind's handler decides what that caller may do.

import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { chmod, lstat, mkdir, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { encodeFrame, FrameDecoder } from '../deliver/ipc-frame.js';
import { isRequestHeader, MAX_REQUEST_HEADER, OUT_CHUNK, REQUEST_TIMEOUT_MS, type ControlStream } from './protocol.js';
import { peerOf } from './peer.js';
import type { ControlRegistry, ControlReply, ControlRequest } from './registry.js';
import { EX_TEMPFAIL, EX_UNAVAILABLE, EX_SOFTWARE } from '../util/sysexits.js';

export interface ControlLog {
  info(fields: Record<string, unknown>, msg: string): void;
  warn(fields: Record<string, unknown>, msg: string): void;
  error(fields: Record<string, unknown>, msg: string): void;
}

export interface ControlServerOptions {
  path: string;
  registry: ControlRegistry;
  log: ControlLog;
  /** The largest request body accepted (read at each connection: it follows MaxMessageSize on reload). */
  maxBody: () => number;
  /** Connections open at once; more are told to try later (exit 75). Default 64. */
  maxConnections?: number;
}

const DEFAULT_MAX_CONNECTIONS = 64;


export class ControlSetupError extends Error {
  override readonly name = 'ControlSetupError';
}

/** Whether something answers on a socket path (a live daemon) or it is a leftover of a dead one. */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection(path);
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

/** Removes a stale socket at `path`; refuses anything else that is there, and a socket that answers. */
async function clearPath(path: string): Promise<void> {
  const st = await lstat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (st === undefined) return;
  if (!st.isSocket()) throw new ControlSetupError(`control socket ${path}: exists and is not a socket; not removed`);
  if (await answers(path)) throw new ControlSetupError(`control socket ${path}: another daemon is listening there`);
  await unlink(path);
}

export class ControlServer {
  private server: Server | undefined;
  private readonly open = new Set<Socket>();

  constructor(private readonly opts: ControlServerOptions) {}

  get path(): string {
    return this.opts.path;
  }

  /** Creates the directory if needed (0755), replaces a stale socket, listens, and opens the socket to all. */
  async listen(): Promise<void> {
    const path = this.opts.path;
    await mkdir(dirname(path), { recursive: true, mode: 0o755 });
    await clearPath(path);
    const srv = createServer({ allowHalfOpen: true }, (sock) => this.accept(sock));
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(path, () => {
        srv.off('error', reject);
        resolve();
      });
    });
    srv.on('error', (err) => this.opts.log.error({ err, event: 'control-error' }, 'control socket error'));
    // Every local user may submit: who they are is read from the kernel, not from the file's mode.
    await chmod(path, 0o666);
    this.server = srv;
    this.opts.log.info({ event: 'control-listening', path }, `control socket ${path}`);
  }

  async close(): Promise<void> {
    const srv = this.server;
    this.server = undefined;
    if (srv === undefined) return;
    for (const s of this.open) s.destroy();
    await new Promise<void>((r) => srv.close(() => r()));
    await unlink(this.opts.path).catch(() => undefined);
  }

  private accept(sock: Socket): void {
    // Each connection may buffer a whole message: local users cannot make the daemon hold more than this.
    if (this.open.size >= (this.opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS)) {
      sock.on('error', () => undefined);
      // Read (and drop) to the client's end, or the half-open socket would never close.
      sock.resume();
      sock.end(Buffer.concat([
        encodeFrame({ type: 'out', stream: 'stderr', text: 'postern: the mail daemon is busy; try again later\n' }),
        encodeFrame({ type: 'done', exit: EX_TEMPFAIL }),
      ]));
      return;
    }
    this.open.add(sock);
    sock.on('close', () => this.open.delete(sock));
    sock.on('error', () => undefined);
    const peer = peerOf(sock);
    if (typeof peer === 'string') {
      this.opts.log.warn({ event: 'control-refused', reason: peer }, `control connection refused: ${peer}`);
      sock.destroy();
      return;
    }
    const decoder = new FrameDecoder({ maxHeader: MAX_REQUEST_HEADER, maxBody: this.opts.maxBody() });
    const timer = setTimeout(() => sock.destroy(), REQUEST_TIMEOUT_MS);
    timer.unref();
    const onData = (chunk: Buffer): void => {
      const { frames, fatal } = decoder.push(chunk);
      const first = frames[0];
      if (first === undefined) {
        if (fatal !== undefined) this.refuse(sock, peer.uid, fatal);
        return;
      }
      sock.off('data', onData);
      clearTimeout(timer);
      if (!first.ok || !isRequestHeader(first.header)) {
        this.refuse(sock, peer.uid, first.ok ? 'request without a kind' : first.error);
        return;
      }
      // Octets after the request frame belong to the kind (bs); another frame is a protocol error.
      const pending = decoder.leftover();
      const req: ControlRequest = { kind: first.header.kind, header: first.header, body: first.body, peer };
      this.dispatch(sock, req, pending);
    };
    sock.on('data', onData);
  }

  private refuse(sock: Socket, uid: number, why: string): void {
    this.opts.log.warn({ event: 'control-bad-request', uid, reason: why }, `control request refused: ${why}`);
    sock.end(encodeFrame({ type: 'done', exit: 64, error: why }));
  }

  private dispatch(sock: Socket, req: ControlRequest, pending: Buffer): void {
    const log = this.opts.log;
    const handler = this.opts.registry.get(req.kind);
    const reply = new Reply(sock, pending);
    if (handler === undefined) {
      reply.out('stderr', `postern: the running daemon does not handle "${req.kind}" requests\n`);
      reply.done(EX_UNAVAILABLE);
      return;
    }
    let result: void | Promise<void>;
    try {
      result = handler(req, reply);
    } catch (err) {
      result = Promise.reject(err);
    }
    void Promise.resolve(result).catch((err: unknown) => {
      log.error({ event: 'control-failed', kind: req.kind, uid: req.peer.uid, err }, `control request ${req.kind} failed`);
      if (!reply.finished) {
        reply.out('stderr', 'postern: internal error in the daemon\n');
        reply.done(EX_SOFTWARE);
      }
    });
  }
}

class Reply implements ControlReply {
  finished = false;
  private gone = false;
  private readonly closeHandlers: Array<() => void> = [];

  constructor(
    private readonly sock: Socket,
    private pending: Buffer,
  ) {
    sock.on('close', () => {
      this.gone = true;
      for (const fn of this.closeHandlers.splice(0)) fn();
    });
    // Until a handler takes the stream over, the client only waits; its end of the stream means it left.
    sock.on('end', () => {
      if (!this.finished) sock.destroy();
    });
  }

  get closed(): boolean {
    return this.gone || this.sock.destroyed;
  }

  onClose(fn: () => void): void {
    if (this.closed) fn();
    else this.closeHandlers.push(fn);
  }

  out(stream: ControlStream, text: string): void {
    if (this.finished || this.closed) return;
    for (let i = 0; i < text.length; i += OUT_CHUNK) {
      this.sock.write(encodeFrame({ type: 'out', stream, text: text.slice(i, i + OUT_CHUNK) }));
    }
  }

  done(exit: number, result: Record<string, unknown> = {}): void {
    if (this.finished) return;
    this.finished = true;
    if (this.closed) return;
    this.sock.end(encodeFrame({ ...result, type: 'done', exit }));
  }

  takeOver(): { socket: Socket; pending: Buffer } {
    if (this.finished) throw new Error('control reply already finished');
    this.finished = true;
    this.sock.removeAllListeners('end');
    this.sock.write(encodeFrame({ type: 'raw' }));
    const pending = this.pending;
    this.pending = Buffer.alloc(0);
    return { socket: this.sock, pending };
  }
}
