/**
 * A bare Kafka-protocol connection for tests: sends frames (well-formed ones built with the
 * listener's own schemas, or any bytes at all) and reads response frames, so a test can look at
 * what a client library hides (batch attributes, version fallbacks) or feed the listener garbage.
 */
import { connect, type Socket } from 'node:net';
import { decodeMessage, encodeMessage, type Message } from '../../runtime/kafka/protocol/codec.js';
import { Reader } from '../../runtime/kafka/protocol/reader.js';
import { inRange, type ApiSchema } from '../../runtime/kafka/protocol/schema.js';
import { Writer } from '../../runtime/kafka/protocol/writer.js';

export class WireClient {
  private buffered = Buffer.alloc(0);
  private waiting: Array<(frame: Buffer) => void> = [];
  closed = false;
  private readonly closedPromise: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      while (this.buffered.byteLength >= 4 && this.buffered.byteLength >= 4 + this.buffered.readInt32BE(0)) {
        const size = this.buffered.readInt32BE(0);
        const frame = this.buffered.subarray(4, 4 + size);
        this.buffered = this.buffered.subarray(4 + size);
        this.waiting.shift()?.(frame);
      }
    });
    this.closedPromise = new Promise((resolve) => socket.once('close', () => { this.closed = true; resolve(); }));
    socket.on('error', () => {});
  }

  static open(port: number): Promise<WireClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new WireClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Resolves when the server closes the connection, or false after `timeoutMs`. */
  async closedWithin(timeoutMs: number): Promise<boolean> {
    return await Promise.race([this.closedPromise.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), timeoutMs))]);
  }

  writeRaw(bytes: Buffer): void { this.socket.write(bytes); }

  nextFrame(timeoutMs = 10_000): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no response frame')), timeoutMs);
      this.waiting.push((frame) => { clearTimeout(timer); resolve(frame); });
    });
  }

  /** A request frame for `schema` at `version` (header v1, or v2 when the version is flexible). */
  static frame(schema: ApiSchema, version: number, correlationId: number, body: Message): Buffer {
    const w = new Writer();
    const clientId = Buffer.from('wire-test');
    w.int32(0).int16(schema.apiKey).int16(version).int32(correlationId).int16(clientId.byteLength).raw(clientId);
    if (inRange(schema.request.flexibleVersions, version)) w.uvarint(0);
    encodeMessage(schema.request, version, body, w);
    const out = w.toBuffer();
    out.writeInt32BE(out.byteLength - 4, 0);
    return out;
  }

  async request(schema: ApiSchema, version: number, body: Message): Promise<Message> {
    const correlationId = Math.floor(Math.random() * 1e9);
    this.writeRaw(WireClient.frame(schema, version, correlationId, body));
    const frame = await this.nextFrame();
    const r = new Reader(frame);
    if (r.int32() !== correlationId) throw new Error('correlation id mismatch');
    if (inRange(schema.response.flexibleVersions, version) && schema.apiKey !== 18) r.uvarint();
    return decodeMessage(schema.response, version, r);
  }

  close(): void { this.socket.destroy(); }
}
