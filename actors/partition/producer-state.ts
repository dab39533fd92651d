/**
 * Idempotent producer state (KIP-98 idempotence, without transactions): per producer id the
 * current epoch and the last five batches, so that a retried batch is recognised and answered
 * with its original offset, and a gap in the sequence is refused. The leader checks a batch
 * before it assigns offsets; every replica applies every batch it appends, so that a follower
 * that becomes leader already knows the sequences. Rebuilt on restart from the `producers`
 * checkpoint plus the batches after it.
 */
import { assert } from '../assert.js';
import { lastSequence, type BatchInput, type StoredBatch } from './batch.js';

/** Kafka's ProducerStateEntry.NUM_BATCHES_TO_RETAIN. */
export const PRODUCER_BATCHES_RETAINED = 5;

export interface ProducerBatch { baseSequence: number; lastSequence: number; baseOffset: number; lastOffset: number }
/**
 * `truncatedAt`: the base sequence of the oldest batch a truncation removed while no batch of the
 * producer was left — the sequence the log now continues with. Without it the entry would accept
 * any sequence (a gap, or a batch ahead of its predecessor) until a batch is applied again.
 */
export interface ProducerEntry { producerEpoch: number; batches: ProducerBatch[]; truncatedAt: number | undefined }
export type ProducerTable = Map<number, ProducerEntry>;

export type SequenceCheck =
  | { kind: 'append' }
  | { kind: 'duplicate'; baseOffset: number; lastOffset: number }
  | { kind: 'refuse'; code: 'OUT_OF_ORDER_SEQUENCE_NUMBER' | 'INVALID_PRODUCER_EPOCH'; message: string };

/** Decides what to do with a producer's batch; never mutates the table. */
export function checkSequence(table: ProducerTable, batch: BatchInput): SequenceCheck {
  assert(batch.recordCount >= 1, 'a checked batch has records');
  if (batch.producerId < 0) return { kind: 'append' };
  const entry = table.get(batch.producerId);
  if (entry === undefined) return { kind: 'append' }; // Unknown (new or expired): accept, like Kafka.
  if (batch.producerEpoch < entry.producerEpoch) {
    return { kind: 'refuse', code: 'INVALID_PRODUCER_EPOCH', message: `epoch ${batch.producerEpoch} < ${entry.producerEpoch}` };
  }
  if (batch.producerEpoch > entry.producerEpoch) {
    return batch.baseSequence === 0 ? { kind: 'append' }
      : { kind: 'refuse', code: 'OUT_OF_ORDER_SEQUENCE_NUMBER', message: `a new epoch must start at sequence 0, not ${batch.baseSequence}` };
  }
  const last = lastSequence(batch.baseSequence, batch.recordCount);
  assert(entry.batches.length <= PRODUCER_BATCHES_RETAINED, 'at most five batches remembered');
  for (const kept of entry.batches) {
    if (kept.baseSequence === batch.baseSequence && kept.lastSequence === last) {
      return { kind: 'duplicate', baseOffset: kept.baseOffset, lastOffset: kept.lastOffset };
    }
  }
  const newest = entry.batches[entry.batches.length - 1];
  if (newest === undefined && entry.truncatedAt === undefined) return { kind: 'append' }; // Loaded without history: accept.
  const expected = newest === undefined ? entry.truncatedAt as number
    : newest.lastSequence === 2_147_483_647 ? 0 : newest.lastSequence + 1;
  if (batch.baseSequence === expected) return { kind: 'append' };
  return { kind: 'refuse', code: 'OUT_OF_ORDER_SEQUENCE_NUMBER', message: `expected sequence ${expected}, got ${batch.baseSequence}` };
}

/**
 * Applies an appended batch (leader, follower and recovery replay alike). When the table is full,
 * the producer whose newest batch is oldest is forgotten (Kafka expires idle producer ids).
 * Changes the table (the caller owns it) but never an entry: a changed entry is a new object, so
 * a table copied for a step shares the entries it did not change.
 */
export function applyBatch(table: ProducerTable, batch: StoredBatch, producersMax: number): void {
  if (batch.producerId < 0) return;
  assert(batch.baseSequence >= 0, 'idempotent batch has a sequence');
  const before = table.get(batch.producerId);
  const current = before !== undefined && batch.producerEpoch <= before.producerEpoch ? before : undefined;
  if (before === undefined && table.size >= producersMax) evictOldest(table);
  assert(current === undefined || batch.producerEpoch === current.producerEpoch, 'appended batch carries the current producer epoch');
  const kept = current?.batches ?? [];
  const batches = kept.slice(kept.length >= PRODUCER_BATCHES_RETAINED ? kept.length - PRODUCER_BATCHES_RETAINED + 1 : 0);
  batches.push({ baseSequence: batch.baseSequence, lastSequence: lastSequence(batch.baseSequence, batch.recordCount),
    baseOffset: batch.baseOffset, lastOffset: batch.lastOffset });
  table.set(batch.producerId, { producerEpoch: batch.producerEpoch, batches, truncatedAt: undefined });
  assert(batches.length <= PRODUCER_BATCHES_RETAINED, 'at most five batches remembered');
}

function evictOldest(table: ProducerTable): void {
  assert(table.size > 0, 'evict from a full table');
  let victim: number | undefined;
  let oldest = Infinity;
  for (const [id, entry] of table) {
    const newest = entry.batches[entry.batches.length - 1]?.lastOffset ?? -1;
    if (newest < oldest) { oldest = newest; victim = id; }
  }
  if (victim !== undefined) table.delete(victim);
  assert(victim !== undefined, 'a full table has an oldest producer');
}

/**
 * Forgets batches at or past a truncation point; entries keep their epoch. Batches of one producer
 * are applied in sequence order, so the oldest removed one names the sequence that comes next.
 * Like applyBatch, replaces the entries it changes instead of changing them.
 */
export function truncateProducers(table: ProducerTable, offset: number): void {
  assert(offset >= 0, 'truncate at an offset');
  for (const [id, entry] of table) {
    const removed = entry.batches.find((b) => b.lastOffset >= offset);
    if (removed === undefined) continue;
    const batches = entry.batches.filter((b) => b.lastOffset < offset);
    table.set(id, { producerEpoch: entry.producerEpoch, batches, truncatedAt: batches.length === 0 ? removed.baseSequence : entry.truncatedAt });
    assert(batches.every((b) => b.lastOffset < offset), 'nothing at or past the truncation point is kept');
  }
}

/** Whether a truncation at `offset` would change the table (so a step copies it only then). */
export function producersReach(table: ProducerTable, offset: number): boolean {
  for (const entry of table.values()) if (entry.batches.some((b) => b.lastOffset >= offset)) return true;
  return false;
}

/**
 * Checkpoint value: `[coveredOffset, [[producerId, producerEpoch, [[baseSeq, lastSeq, baseOffset, lastOffset]...], truncatedAt?]...]]`
 * (truncatedAt only when set: older checkpoints without it still load).
 */
export function producersToMeta(table: ProducerTable, coveredOffset: number): unknown {
  assert(coveredOffset >= 0, 'a checkpoint covers a log prefix');
  for (const entry of table.values()) assert(entry.batches.every((b) => b.lastOffset < coveredOffset), 'a checkpoint covers only stored batches');
  const ids = [...table.keys()].sort((a, b) => a - b);
  return [coveredOffset, ids.map((id) => {
    const entry = table.get(id) as ProducerEntry;
    const batches = entry.batches.map((b) => [b.baseSequence, b.lastSequence, b.baseOffset, b.lastOffset]);
    return entry.truncatedAt === undefined ? [id, entry.producerEpoch, batches] : [id, entry.producerEpoch, batches, entry.truncatedAt];
  })];
}

/**
 * Loads a checkpoint. A checkpoint that claims to cover batches the recovered log does not have
 * (unsynced appends lost) is discarded whole: a stale duplicate answer would lose a write.
 */
export function producersFromMeta(value: unknown, leo: number): { table: ProducerTable; coveredOffset: number } {
  const table: ProducerTable = new Map();
  if (value === undefined) return { table, coveredOffset: 0 };
  assert(Array.isArray(value) && value.length === 2, 'producers meta is [coveredOffset, entries]');
  const [coveredOffset, entries] = value as [number, Array<[number, number, Array<[number, number, number, number]>, number?]>];
  assert(Number.isSafeInteger(coveredOffset) && Array.isArray(entries), 'producers meta fields');
  if (coveredOffset > leo) return { table, coveredOffset: 0 };
  for (const [id, producerEpoch, batches, truncatedAt] of entries) {
    table.set(id, { producerEpoch, truncatedAt, batches: batches.map(([baseSequence, last, baseOffset, lastOffset]) =>
      ({ baseSequence, lastSequence: last, baseOffset, lastOffset })) });
  }
  return { table, coveredOffset };
}
