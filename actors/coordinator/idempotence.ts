/**
 * The coordinator's writes are idempotent, as a Kafka producer's are: every batch carries a
 * producer id, epoch and sequence, so the partition drops a duplicate (a resend, or the network's
 * copy of a produce) and refuses one that arrives out of order. Without this, a delayed copy of an
 * earlier batch could land after later ones, and a load — last value per key wins — would bring
 * back member epochs and assignments long replaced. Each load writes a fencing barrier, sequence 0
 * of a producer epoch above every earlier load's (actors/coordinator/load.ts): from then on the
 * partition refuses every write left over from an earlier load or life of the coordinator
 * (INVALID_PRODUCER_EPOCH), and the load reads all those that landed before it.
 */
import { assert } from '../assert.js';
import { PRODUCER_EPOCH_MAX, type BatchInput } from '../partition/batch.js';
import type { CoordinatorContext, ProducerStamp } from './types.js';

/** Above every producer id the controller hands out (blocks counted up from 0). */
const COORDINATOR_PRODUCER_ID_BASE = 2 ** 50;

/**
 * The producer id of the coordinators of one leader epoch of their partition. Writes of an earlier
 * leader epoch are refused by their leader epoch (FENCED_LEADER_EPOCH) before their producer id
 * matters, so each leader epoch starts a producer of its own, with the whole epoch range to itself
 * (producer epochs are 15 bits, as Kafka's: one producer for the partition's whole life would run out).
 */
export function coordinatorProducerId(leaderEpoch: number): number {
  assert(Number.isSafeInteger(leaderEpoch) && leaderEpoch >= 0, 'a leader epoch');
  return COORDINATOR_PRODUCER_ID_BASE + leaderEpoch;
}

export function isCoordinatorProducerId(producerId: number): boolean { return producerId >= COORDINATOR_PRODUCER_ID_BASE; }

/**
 * Producer epochs each life of a coordinator owns (a life: one spawn of it in a leader epoch; the
 * node counts them, and a restarted node never leads the leader epoch it led before). Its loads
 * take them in turn, so no two loads of any lives ever fence with the same epoch.
 */
const EPOCHS_PER_LIFE = 1024;
const LIVES_WITH_EPOCHS = Math.floor((PRODUCER_EPOCH_MAX + 1) / EPOCHS_PER_LIFE);

/** Before the first load: no epoch taken yet; `directUntil` is the last one this life may fence with unread. */
export function firstProducerStamp(leaderEpoch: number, life: number): ProducerStamp {
  assert(Number.isSafeInteger(life) && life >= 0, 'a life counts spawns');
  const producerId = coordinatorProducerId(leaderEpoch);
  if (life >= LIVES_WITH_EPOCHS) return { producerId, epoch: -1, nextSequence: 0, directUntil: -1 };
  return { producerId, epoch: life * EPOCHS_PER_LIFE - 1, nextSequence: 0, directUntil: (life + 1) * EPOCHS_PER_LIFE - 1 };
}

/** Takes the next `count` sequences; returns the first. */
export function takeSequences(ctx: CoordinatorContext, count: number): number {
  assert(count > 0, 'a batch has records');
  const first = ctx.producer.nextSequence;
  ctx.producer = { ...ctx.producer, nextSequence: first + count };
  return first;
}

/** The batch as this coordinator's producer writes it. */
export function stamped(batch: BatchInput, producer: ProducerStamp, baseSequence: number): BatchInput {
  assert(producer.epoch >= 0 && producer.epoch <= PRODUCER_EPOCH_MAX, 'a producer epoch in range');
  return { ...batch, producerId: producer.producerId, producerEpoch: producer.epoch, baseSequence };
}
