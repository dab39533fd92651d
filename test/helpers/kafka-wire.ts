/**
 * A bare Kafka-protocol connection for tests: sends frames (well-formed ones built with the
 * listener's own schemas, or any bytes at all) and reads response frames, so a test can look at
 * what a client library hides (batch attributes, version fallbacks) or feed the listener garbage.
 */
import { createRequire } from 'node:module';
import { connect, type Socket } from 'node:net';
import { decodeMessage, encodeMessage, type Message } from '../../runtime/kafka/protocol/codec.js';
import { Reader } from '../../runtime/kafka/protocol/reader.js';
import { inRange, type ApiSchema } from '../../runtime/kafka/protocol/schema.js';
import { Writer } from '../../runtime/kafka/protocol/writer.js';
import type { Intercept } from './tcp-proxy.js';

/** Cuts a byte stream into Kafka frames (each with its 4-byte size prefix), across chunk boundaries. */
export class FrameSplitter {
  private buffered = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    const frames: Buffer[] = [];
    while (this.buffered.byteLength >= 4 && this.buffered.byteLength >= 4 + this.buffered.readInt32BE(0)) {
      const size = this.buffered.readInt32BE(0);
      frames.push(this.buffered.subarray(0, 4 + size));
      this.buffered = this.buffered.subarray(4 + size);
    }
    return frames;
  }
}

export class WireClient {
  private readonly frames = new FrameSplitter();
  private waiting: Array<(frame: Buffer) => void> = [];
  closed = false;
  private readonly closedPromise: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const frame of this.frames.push(chunk)) this.waiting.shift()?.(frame.subarray(4));
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

/**
 * A tap for a TCP proxy (tcp-proxy.ts) in front of Kafka listeners that loses the first Produce
 * response and closes that connection: the broker has written the batch, the client never hears
 * so, and resends it. Over TCP that is how a response goes missing. Counts the Produce requests it
 * forwards, so a test can see the resend happened.
 */
export class LoseFirstProduceResponse {
  produceRequests = 0;
  lost = false;

  readonly tap = (): Intercept => {
    const produceIds = new Set<number>();
    const requests = new FrameSplitter();
    const responses = new FrameSplitter();
    return {
      up: (chunk) => {
        for (const f of requests.push(chunk)) {
          if (f.readInt16BE(4) !== 0) continue; // api key 0: Produce
          this.produceRequests++;
          produceIds.add(f.readInt32BE(8));
        }
      },
      down: (chunk) => {
        const passed: Buffer[] = [];
        for (const f of responses.push(chunk)) {
          if (!this.lost && produceIds.has(f.readInt32BE(4))) { this.lost = true; return 'cut'; }
          passed.push(f);
        }
        return Buffer.concat(passed);
      },
    };
  };
}

const require = createRequire(import.meta.url);
type Encoded = { buffer: Buffer };
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0') as { RecordBatch: (args: Record<string, unknown>) => Promise<Encoded> };
const kafkaRecord = require('kafkajs/src/protocol/recordBatch/record/v0') as (args: Record<string, unknown>) => unknown;
const Long = require('kafkajs/src/utils/long') as { fromNumber: (n: number) => unknown };

/** A RecordBatch v2 as a Kafka client writes it (kafkajs's encoder), idempotent when given a producer. */
export async function recordBatch(values: string[], producer?: { producerId: number; producerEpoch: number; firstSequence: number }): Promise<Buffer> {
  const now = Date.now();
  const batch = await RecordBatch({
    records: values.map((value, i) => kafkaRecord({ offsetDelta: i, timestampDelta: 0, key: null, value: Buffer.from(value) })),
    firstTimestamp: now, maxTimestamp: now, lastOffsetDelta: values.length - 1,
    producerId: Long.fromNumber(producer?.producerId ?? -1), producerEpoch: producer?.producerEpoch ?? 0, firstSequence: producer?.firstSequence ?? 0,
  });
  return batch.buffer;
}

/** A tap for a TCP proxy in front of Kafka listeners that records each request as `key:version`. */
export class RequestLog {
  readonly requests: string[] = [];

  readonly tap = (): Intercept => {
    const frames = new FrameSplitter();
    return {
      up: (chunk) => { for (const f of frames.push(chunk)) this.requests.push(`${f.readInt16BE(4)}:${f.readInt16BE(6)}`); },
      down: (chunk) => chunk,
    };
  };
}
