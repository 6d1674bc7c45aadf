// Framing of the master ↔ worker channel: each frame is a JSON header and an optional binary body
// (the message data of a delivery job), so a message crosses the channel as raw bytes, not as JSON.
//
//   u32 BE header length | u32 BE body length | header (UTF-8 JSON) | body
//
// The decoder is written for a peer that may be hostile (the master reads what the unprivileged worker
// sends): a header that is not JSON spoils only its own frame, and only lengths beyond the limits (which
// leave no way to find the next frame) end the channel, after the frames that came before them.

export interface FrameLimits {
  maxHeader: number;
  maxBody: number;
}

export type Frame =
  | { ok: true; header: unknown; body: Buffer | undefined }
  /** the frame was well delimited but its header is not JSON: answer it, then carry on */
  | { ok: false; error: string };

const PREFIX = 8;

export function encodeFrame(header: unknown, body?: Buffer): Buffer {
  const [head, data] = encodeFrameParts(header, body);
  return data === undefined ? head : Buffer.concat([head, data]);
}

/** The frame as its prefix and header, and its body (not copied), for a writev. */
export function encodeFrameParts(header: unknown, body?: Buffer): [Buffer, Buffer | undefined] {
  const json = JSON.stringify(header);
  const jsonLen = Buffer.byteLength(json, 'utf8');
  const head = Buffer.allocUnsafe(PREFIX + jsonLen);
  head.writeUInt32BE(jsonLen, 0);
  head.writeUInt32BE(body?.length ?? 0, 4);
  head.write(json, PREFIX, 'utf8');
  return [head, body !== undefined && body.length > 0 ? body : undefined];
}

export interface Decoded {
  frames: Frame[];
  /** set when the stream cannot be framed any more (the frames before it are still good): close it */
  fatal?: string;
}

export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private broken: string | undefined;

  constructor(private readonly limits: FrameLimits) {}

  /** Adds bytes; returns every frame they complete, and why the stream is unusable if it has become so. */
  push(chunk: Buffer): Decoded {
    if (this.broken !== undefined) return { frames: [], fatal: this.broken };
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Frame[] = [];
    for (;;) {
      if (this.buffered < PREFIX) break;
      const prefix = this.peek(PREFIX);
      const headerLen = prefix.readUInt32BE(0);
      const bodyLen = prefix.readUInt32BE(4);
      if (headerLen > this.limits.maxHeader) this.broken = `frame header of ${headerLen} bytes exceeds ${this.limits.maxHeader}`;
      else if (bodyLen > this.limits.maxBody) this.broken = `frame body of ${bodyLen} bytes exceeds ${this.limits.maxBody}`;
      if (this.broken !== undefined) {
        this.chunks = [];
        this.buffered = 0;
        return { frames, fatal: this.broken };
      }
      const total = PREFIX + headerLen + bodyLen;
      if (this.buffered < total) break;
      const all = this.take(total);
      const json = all.subarray(PREFIX, PREFIX + headerLen).toString('utf8');
      const body = bodyLen > 0 ? all.subarray(PREFIX + headerLen) : undefined;
      try {
        frames.push({ ok: true, header: JSON.parse(json) as unknown, body });
      } catch (err) {
        frames.push({ ok: false, error: `header is not JSON: ${(err as Error).message}` });
      }
    }
    return { frames };
  }

  /** The octets after the last complete frame, handed over when the stream stops being framed. */
  leftover(): Buffer {
    const out = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    this.chunks = [];
    this.buffered = 0;
    return out;
  }

  private peek(n: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= n) return first.subarray(0, n);
    const joined = Buffer.concat(this.chunks);
    this.chunks = [joined];
    return joined.subarray(0, n);
  }

  private take(n: number): Buffer {
    const joined = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const out = joined.subarray(0, n);
    const rest = joined.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered -= n;
    return out;
  }
}
