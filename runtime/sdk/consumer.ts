/**
 * The SDK's Consumer: a thin wrapper over a consumer actor hosted on the client's ActorHost.
 * `poll` is one actor event and one promise per batch of records; `for await` iterates records
 * and `batches()` iterates whole polls. With a groupId it subscribes and the group assigns
 * partitions: rebalance notices arrive through polls (like Kafka's callbacks, which run inside
 * poll), `onRevoked` is awaited before the actor may report the partitions released, and
 * `onAssigned` runs once new partitions start.
 */
import type { CommandResult, CommitOffset, CommittedResult, ConsumerCommand, ConsumerInput, ConsumerRecord, GroupNotice, OffsetSpec, PollResult,
  TopicPartition } from '../../actors/consumer.js';
import type { Clock } from '../clock.js';
import type { ActorHost } from '../host.js';
import type { Deliveries } from './deliveries.js';
import { BrookError, errorFromResult } from './errors.js';
import { registerCodecs } from './codecs.js';

export type { CommitOffset, ConsumerRecord, OffsetSpec, TopicPartition };

export interface RebalanceCallbacks {
  /** Awaited before the partitions are released: commit here what the application has processed. `lost`: they are already gone (fenced or the session lapsed). */
  onRevoked?: (partitions: TopicPartition[], info: { lost: boolean }) => Promise<void> | void;
  /** After newly assigned partitions start fetching. */
  onAssigned?: (partitions: TopicPartition[]) => Promise<void> | void;
}

export type ConsumerOptions = Omit<Partial<ConsumerInput>, 'clientId' | 'seed' | 'nowMs'> & RebalanceCallbacks;
export interface PollOptions { maxRecords?: number; timeoutMs?: number }
export type CommittedOffsets = Array<TopicPartition & { offset: number | null; metadata?: string }>;

/** Splits the options into the actor's input and the callbacks; an empty group id is refused. */
export function consumerInput(options: ConsumerOptions): { input: Omit<ConsumerOptions, keyof RebalanceCallbacks>; callbacks: RebalanceCallbacks } {
  const { onRevoked, onAssigned, ...input } = options;
  if (input.groupId !== undefined && (typeof input.groupId !== 'string' || input.groupId.length === 0)) throw new BrookError('INVALID_GROUP_ID', 'the group id is empty');
  if (input.groupInstanceId !== undefined && input.groupInstanceId.length === 0) throw new BrookError('INVALID_REQUEST', 'the group instance id is empty');
  if (input.assignor !== undefined && input.assignor !== 'uniform' && input.assignor !== 'range') throw new BrookError('UNSUPPORTED_ASSIGNOR', `assignor '${String(input.assignor)}' (uniform, range)`);
  const callbacks: RebalanceCallbacks = {};
  if (onRevoked !== undefined) callbacks.onRevoked = onRevoked;
  if (onAssigned !== undefined) callbacks.onAssigned = onAssigned;
  return { input, callbacks };
}

/** A subscription as the actor takes it: topic names, or a regular expression's source (matched by the coordinator, like Kafka's RE2J patterns: no flags). */
export function subscriptionOf(subscription: string[] | RegExp | string): { topics: string[] } | { regex: string } {
  if (Array.isArray(subscription)) {
    if (!subscription.every((t) => typeof t === 'string' && t.length > 0)) throw new BrookError('INVALID_TOPIC', 'topic names must be non-empty strings');
    return { topics: subscription };
  }
  if (subscription instanceof RegExp) {
    if (subscription.flags !== '') throw new BrookError('INVALID_REGULAR_EXPRESSION', `a subscription pattern takes no flags (/${subscription.source}/${subscription.flags})`);
    return { regex: subscription.source };
  }
  if (typeof subscription !== 'string' || subscription.length === 0) throw new BrookError('INVALID_REGULAR_EXPRESSION', 'the pattern is empty');
  try { new RegExp(subscription); } catch (error) { throw new BrookError('INVALID_REGULAR_EXPRESSION', `'${subscription}': ${(error as Error).message}`); }
  return { regex: subscription };
}

type Command = ConsumerCommand extends infer C ? (C extends ConsumerCommand ? Omit<C, 'requestId' | 'nowMs'> : never) : never;
const CLOSED = { ok: false, code: 'CLIENT_CLOSED', message: 'the consumer is closed' } as const;

export class Consumer implements AsyncIterable<ConsumerRecord> {
  private closed = false;

  constructor(private readonly host: ActorHost, readonly address: string, private readonly deliveries: Deliveries,
      private readonly clock: Clock, private readonly callbacks: RebalanceCallbacks = {}) {}

  /**
   * Joins the consumer's group with a subscription: topic names, a RegExp, or a pattern string.
   * Resolves at once; partitions arrive as the coordinator assigns them (a topic that does not
   * exist yet is waited for, like Kafka).
   */
  async subscribe(subscription: string[] | RegExp | string): Promise<void> {
    await registerCodecs(); // Fetching starts now: every codec must be there to decompress.
    await this.command({ type: 'subscribe', ...subscriptionOf(subscription) });
  }

  /** Commits the positions of the records already handed out (every owned partition), or the given offsets. */
  async commit(offsets?: CommitOffset[]): Promise<void> {
    await this.command(offsets === undefined ? { type: 'commit' } : { type: 'commit', offsets });
  }

  /** The group's committed offsets of `partitions` (null: none). */
  async committed(partitions: TopicPartition[]): Promise<CommittedOffsets> {
    const result = await this.call({ type: 'committed', partitions }) as CommittedResult;
    if (!result.ok) throw errorFromResult(result);
    return result.offsets;
  }

  /** Replaces the assignment; each partition starts at its offset (default: autoOffsetReset). */
  async assign(partitions: Array<TopicPartition & { offset?: OffsetSpec }>): Promise<void> {
    await registerCodecs(); // Fetching starts now: every codec must be there to decompress.
    await this.command({ type: 'assign', partitions });
  }

  async seek(topic: string, partition: number, offset: OffsetSpec): Promise<void> {
    await this.command({ type: 'seek', topic, partition, offset });
  }

  async pause(partitions: TopicPartition[]): Promise<void> { await this.command({ type: 'pause', partitions }); }
  async resume(partitions: TopicPartition[]): Promise<void> { await this.command({ type: 'resume', partitions }); }

  /** Records in offset order per partition; an empty array when `timeoutMs` passes without data. */
  async poll(options: PollOptions = {}): Promise<ConsumerRecord[]> {
    await registerCodecs(); // Once per process, before the first batch is decompressed.
    const result = await this.call({ type: 'poll', maxRecords: options.maxRecords ?? 500, timeoutMs: options.timeoutMs ?? 1000 }) as PollResult;
    if (!result.ok) throw errorFromResult(result);
    if (result.notice !== undefined) await this.rebalanced(result.notice);
    return result.records;
  }

  /** Runs the application's callback for a notice; a revocation is acknowledged after it, even when it throws (the error then surfaces here). */
  private async rebalanced(notice: GroupNotice): Promise<void> {
    if (notice.kind === 'assigned') { await this.callbacks.onAssigned?.(notice.partitions); return; }
    try {
      await this.callbacks.onRevoked?.(notice.partitions, { lost: notice.lost });
    } finally {
      if (!notice.lost && !this.closed) await this.command({ type: 'ackRevoked', noticeId: notice.id });
    }
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

  /** Commits (autoCommit) and leaves the group, so its partitions move at once; then stops the actor. */
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
