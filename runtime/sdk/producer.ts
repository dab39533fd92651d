/**
 * The SDK's Producer: a thin wrapper over a producer actor hosted on the client's ActorHost. One
 * `send` is one actor event and one promise, whatever the number of records; batching, retries
 * and partitioning happen in the actor (actors/producer.ts).
 */
import type { ProducerCommand, ProducerInput, ProducerRecord, SendResult } from '../../actors/producer.js';
import type { RecordHeader } from '../../actors/client/record-codec.js';
import type { Clock } from '../clock.js';
import type { ActorHost } from '../host.js';
import type { Deliveries } from './deliveries.js';
import { BrookError, errorFromResult } from './errors.js';
import { registerCodecs } from './codecs.js';

export type Bytes = Uint8Array | string;

export interface ProducerRecordInput {
  key?: Bytes | null;
  value: Bytes | null;
  headers?: Record<string, Bytes | null> | RecordHeader[];
  /** Epoch ms; defaults to the client's wall clock at `send`. */
  timestamp?: number;
}

export interface RecordMetadata { topic: string; partition: number; offset: number; timestamp: number }

export type ProducerOptions = Omit<Partial<ProducerInput>, 'clientId' | 'seed' | 'nowMs' | 'wallMs' | 'acks'> & { acks?: 0 | 1 | -1 | 'all' };

const encoder = new TextEncoder();
export function toBytes(b: Bytes): Uint8Array { return typeof b === 'string' ? encoder.encode(b) : b; }

function toHeaders(headers: ProducerRecordInput['headers']): RecordHeader[] | undefined {
  if (headers === undefined) return undefined;
  if (Array.isArray(headers)) return headers;
  return Object.entries(headers).map(([key, value]) => ({ key, value: value === null ? null : toBytes(value) }));
}

export function toActorInput(options: ProducerOptions, clientId: string, seed: number, clock: Clock): ProducerInput {
  const { acks, ...rest } = options;
  const input: ProducerInput = { ...rest, clientId, seed, nowMs: clock.nowMs(), wallMs: clock.wallMs() };
  if (acks !== undefined) input.acks = acks === 'all' ? -1 : acks;
  return input;
}

type Command = Omit<ProducerCommand, 'requestId' | 'nowMs'> & Record<string, unknown>;

export class Producer {
  constructor(private readonly host: ActorHost, readonly address: string, private readonly deliveries: Deliveries,
      private readonly clock: Clock) {}

  /** Sends records to `topic` (all to `options.partition` if given); resolves when every one is acknowledged. */
  async send(topic: string, records: ProducerRecordInput[], options: { partition?: number } = {}): Promise<RecordMetadata[]> {
    await registerCodecs(); // Once per process (zstd's WebAssembly); every later send finds it done.
    const wallMs = Math.floor(this.clock.wallMs());
    const converted: ProducerRecord[] = records.map((r) => {
      const out: ProducerRecord = { value: r.value === null ? null : toBytes(r.value), timestamp: r.timestamp ?? wallMs };
      if (r.key !== undefined) out.key = r.key === null ? null : toBytes(r.key);
      const headers = toHeaders(r.headers);
      if (headers !== undefined) out.headers = headers;
      return out;
    });
    const command: Command = { type: 'send', topic, records: converted };
    if (options.partition !== undefined) command['partition'] = options.partition;
    const result = await this.call(command) as SendResult;
    if (!result.ok) throw errorFromResult(result);
    return converted.map((r, i) => ({ topic, partition: result.partitions[i] as number, offset: result.offsets[i] as number,
      timestamp: r.timestamp as number }));
  }

  /** Resolves once every record sent before it is settled (lingering batches go out at once). */
  async flush(): Promise<void> {
    await this.call({ type: 'flush' });
  }

  /** Flushes, then stops the actor; later sends fail with CLIENT_CLOSED. */
  async close(): Promise<void> {
    if (this.host.has(this.address)) await this.call({ type: 'close' });
    this.host.stop(this.address);
    this.deliveries.settleAll(this.address, { ok: false, code: 'CLIENT_CLOSED', message: 'the producer is closed' });
  }

  private call(command: Command): Promise<unknown> {
    const { requestId, result } = this.deliveries.expect(this.address);
    const accepted = this.host.send(this.address, { ...command, requestId, nowMs: this.clock.nowMs() });
    if (!accepted) this.deliveries.onDeliver(this.address, requestId, { ok: false, code: 'CLIENT_CLOSED', message: 'the producer is closed' });
    return result;
  }
}

export { BrookError };
