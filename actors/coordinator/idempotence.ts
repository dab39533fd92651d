/**
 * The coordinator's writes are idempotent, as a Kafka producer's are: every batch carries a
 * producer id, epoch and sequence, so the partition drops a duplicate (a resend, or the network's
 * copy of a produce) and refuses one that arrives out of order. Without this, a delayed copy of an
 * earlier batch could land after later ones, and a load — last value per key wins — would bring
 * back member epochs and assignments long replaced. Each load ends with a fencing barrier, sequence 0
 * of a producer epoch above every one in the log before it (actors/coordinator/load.ts): from then
 * on the partition refuses every write left over from an earlier life of the coordinator
 * (INVALID_PRODUCER_EPOCH), and the load has read all those that landed before it.
 */
import { assert } from '../assert.js';
import type { BatchInput } from '../partition/batch.js';
import type { CoordinatorContext, ProducerStamp } from './types.js';

/** The producer id of every coordinator: above any the controller hands out (blocks counted up from 0), one per partition's log. */
export const COORDINATOR_PRODUCER_ID = 2 ** 50;
/** Producer epochs per leader epoch: a coordinator re-spawned in the same leader epoch bumps within its range. */
const EPOCHS_PER_LEADER_EPOCH = 1024;

export function firstProducerStamp(leaderEpoch: number): ProducerStamp {
  assert(Number.isSafeInteger(leaderEpoch) && leaderEpoch >= 0, 'a leader epoch');
  return { epoch: leaderEpoch * EPOCHS_PER_LEADER_EPOCH, nextSequence: 0 };
}

/** Takes the next `count` sequences; returns the first. */
export function takeSequences(ctx: CoordinatorContext, count: number): number {
  assert(count > 0, 'a batch has records');
  const first = ctx.producer.nextSequence;
  ctx.producer = { ...ctx.producer, nextSequence: first + count };
  return first;
}

/** The batch as this coordinator's producer writes it. */
export function stamped(batch: BatchInput, epoch: number, baseSequence: number): BatchInput {
  return { ...batch, producerId: COORDINATOR_PRODUCER_ID, producerEpoch: epoch, baseSequence };
}
