/**
 * Splits a TCP byte stream into Kafka frames: int32 size, then that many bytes. A size below the
 * smallest possible header or above the bound (Kafka's socket.request.max.bytes, 100 MiB) is a
 * protocol violation the connection cannot recover from: the caller closes it.
 */

export const FRAME_BYTES_MAX_DEFAULT = 100 * 1024 * 1024;
/** apiKey + apiVersion + correlationId + clientId length. */
const FRAME_BYTES_MIN = 10;

export type FrameResult = { ok: true; frames: Buffer[] } | { ok: false; message: string };

export class FrameSplitter {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(readonly frameBytesMax = FRAME_BYTES_MAX_DEFAULT) {}

  /** Bytes held for a frame not yet complete (bounded by frameBytesMax + 4). */
  get bufferedBytes(): number { return this.buffered; }

  push(data: Buffer): FrameResult {
    this.chunks.push(data);
    this.buffered += data.byteLength;
    const frames: Buffer[] = [];
    while (this.buffered >= 4) {
      const head = this.peekSize();
      if (head < FRAME_BYTES_MIN || head > this.frameBytesMax) return { ok: false, message: `frame size ${head} outside [${FRAME_BYTES_MIN}, ${this.frameBytesMax}]` };
      if (this.buffered < 4 + head) break;
      const all = this.chunks.length === 1 ? this.chunks[0] as Buffer : Buffer.concat(this.chunks, this.buffered);
      frames.push(all.subarray(4, 4 + head));
      const rest = all.subarray(4 + head);
      this.chunks = rest.byteLength > 0 ? [rest] : [];
      this.buffered = rest.byteLength;
    }
    return { ok: true, frames };
  }

  private peekSize(): number {
    const first = this.chunks[0] as Buffer;
    if (first.byteLength >= 4) return first.readInt32BE(0);
    const head = Buffer.concat(this.chunks, this.buffered).subarray(0, 4);
    return head.readInt32BE(0);
  }
}
