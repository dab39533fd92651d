/**
 * The SDK's Consumer: a thin wrapper over a consumer actor hosted on the client's ActorHost.
 * `poll` is one actor event and one promise per batch of records; `for await` iterates records
 * and `batches()` iterates whole polls.
 */
import type { CommandResult, ConsumerCommand, ConsumerInput, ConsumerRecord, OffsetSpec, PollResult, TopicPartition } from '../../actors/consumer.js';
import type { Clock } from '../clock.js';
import type { ActorHost } from '../host.js';
import type { Deliveries } from './deliveries.js';
import { errorFromResult } from './errors.js';

export type { ConsumerRecord, OffsetSpec, TopicPartition };
export type ConsumerOptions = Omit<Partial<ConsumerInput>, 'clientId' | 'seed' | 'nowMs'>;
export interface PollOptions { maxRecords?: number; timeoutMs?: number }

type Command = ConsumerCommand extends infer C ? (C extends ConsumerCommand ? Omit<C, 'requestId' | 'nowMs'> : never) : never;
const CLOSED = { ok: false, code: 'CLIENT_CLOSED', message: 'the consumer is closed' } as const;

export class Consumer implements AsyncIterable<ConsumerRecord> {
  private closed = false;

  constructor(private readonly host: ActorHost, readonly address: string, private readonly deliveries: Deliveries,
      private readonly clock: Clock) {}

  /** Replaces the assignment; each partition starts at its offset (default: autoOffsetReset). */
  async assign(partitions: Array<TopicPartition & { offset?: OffsetSpec }>): Promise<void> {
    await this.command({ type: 'assign', partitions });
  }

  async seek(topic: string, partition: number, offset: OffsetSpec): Promise<void> {
    await this.command({ type: 'seek', topic, partition, offset });
  }

  async pause(partitions: TopicPartition[]): Promise<void> { await this.command({ type: 'pause', partitions }); }
  async resume(partitions: TopicPartition[]): Promise<void> { await this.command({ type: 'resume', partitions }); }

  /** Records in offset order per partition; an empty array when `timeoutMs` passes without data. */
  async poll(options: PollOptions = {}): Promise<ConsumerRecord[]> {
    const result = await this.call({ type: 'poll', maxRecords: options.maxRecords ?? 500, timeoutMs: options.timeoutMs ?? 1000 }) as PollResult;
    if (!result.ok) throw errorFromResult(result);
    return result.records;
  }

  /** Whole polls until the consumer is closed. */
  async *batches(options: PollOptions = {}): AsyncGenerator<ConsumerRecord[]> {
    while (!this.closed) {
      const records = await this.poll(options);
      if (records.length > 0) yield records;
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<ConsumerRecord> {
    for await (const batch of this.batches()) yield* batch;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.host.has(this.address)) await this.call({ type: 'close' });
    this.host.stop(this.address);
    this.deliveries.settleAll(this.address, CLOSED);
  }

  private async command(command: Command): Promise<void> {
    const result = await this.call(command) as CommandResult;
    if (!result.ok) throw errorFromResult(result);
  }

  private call(command: Command): Promise<unknown> {
    const { requestId, result } = this.deliveries.expect(this.address);
    if (!this.host.send(this.address, { ...command, requestId, nowMs: this.clock.nowMs() })) this.deliveries.onDeliver(this.address, requestId, CLOSED);
    return result;
  }
}
