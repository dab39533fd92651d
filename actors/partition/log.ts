/**
 * The replica's log: the leader-epoch cache (KIP-101) and the divergence rules of KIP-279/595 as
 * pure functions, then the changes to the log both roles make — accepting batches into the
 * in-memory working set (log cache, producer state, epoch cache, leoPending), the one log write in
 * flight (append or truncate), moving the HW and the log start. Storage completions come back
 * through completions.ts.
 *
 * The epoch cache is a list of (epoch, startOffset) entries, strictly increasing in both. The end
 * offset of epoch e is the start offset of the next entry, or the log end offset (LEO) for the
 * latest epoch. Its functions return new arrays and never change their arguments.
 */
import { assert } from '../assert.js';
import type { StoredBatch } from './batch.js';
import { indexAdd, indexDropBefore, indexTruncate, tailAdd, tailDropBefore, tailTruncate } from './log-cache.js';
import { applyBatch, producersReach, producersToMeta, truncateProducers } from './producer-state.js';
import { metaKey } from './step.js';
import { logLine, report, type Fx } from '../kit/fx.js';
import { newToken } from '../kit/ops.js';
import { own } from '../kit/draft.js';
import type { EpochEnd, EpochEntry, PartitionContext } from './types.js';

// ---- the leader-epoch cache ----

export type { EpochEnd, EpochEntry } from './types.js';

export const NO_EPOCH = -1;

export function latestEpoch(epochs: readonly EpochEntry[]): number {
  return epochs.length === 0 ? NO_EPOCH : (epochs[epochs.length - 1] as EpochEntry).epoch;
}

export function checkEpochs(epochs: readonly EpochEntry[]): void {
  for (let i = 1; i < epochs.length; i++) {
    const prev = epochs[i - 1] as EpochEntry;
    const next = epochs[i] as EpochEntry;
    assert(next.epoch > prev.epoch, `epoch cache epochs not increasing at ${i}`);
    assert(next.startOffset > prev.startOffset, `epoch cache start offsets not increasing at ${i}`);
  }
}

/**
 * Records that `epoch` starts at `startOffset` when it is newer than the latest cached epoch.
 * An entry for an epoch that produced no batches (same start offset) is replaced, keeping the
 * start offsets strictly increasing. Returns undefined when nothing changed.
 */
export function assignEpoch(epochs: readonly EpochEntry[], epoch: number, startOffset: number): EpochEntry[] | undefined {
  assert(epoch >= 0 && startOffset >= 0, 'assignEpoch: epoch and offset are non-negative');
  const latest = epochs[epochs.length - 1];
  if (latest !== undefined && epoch <= latest.epoch) return undefined;
  assert(latest === undefined || startOffset >= latest.startOffset, 'an epoch cannot start before the latest one');
  const kept = latest !== undefined && latest.startOffset === startOffset ? epochs.slice(0, -1) : epochs.slice();
  kept.push({ epoch, startOffset });
  return kept;
}

/** Where `epoch` ends in a log that ends at `leo`; {-1, -1} when no cached epoch is ≤ `epoch`. */
export function endOffsetForEpoch(epochs: readonly EpochEntry[], epoch: number, leo: number): EpochEnd {
  assert(leo >= 0, 'a log end offset');
  assert(Number.isSafeInteger(epoch) && epoch >= NO_EPOCH, 'an epoch, or none');
  for (let i = epochs.length - 1; i >= 0; i--) {
    const entry = epochs[i] as EpochEntry;
    if (entry.epoch > epoch) continue;
    const next = epochs[i + 1];
    return { epoch: entry.epoch, endOffset: next === undefined ? leo : next.startOffset };
  }
  return { epoch: NO_EPOCH, endOffset: NO_EPOCH };
}

/** The start offset of `epoch` if cached. */
export function epochStartOffset(epochs: readonly EpochEntry[], epoch: number): number | undefined {
  for (const entry of epochs) if (entry.epoch === epoch) return entry.startOffset;
  return undefined;
}

/**
 * The leader's divergence check on a fetch (KIP-595 in Fetch): the follower's last fetched epoch
 * must be one the leader knows and must not end before the fetch offset. Otherwise the answer
 * names where the follower's log stops agreeing with the leader's.
 */
export function divergence(epochs: readonly EpochEntry[], leo: number, fetchOffset: number, lastFetchedEpoch: number): EpochEnd | undefined {
  if (lastFetchedEpoch < 0) return undefined;
  const end = endOffsetForEpoch(epochs, lastFetchedEpoch, leo);
  if (end.epoch === lastFetchedEpoch && end.endOffset >= fetchOffset) return undefined;
  return end;
}

/**
 * Where a follower truncates on a diverging epoch (after Kafka's fetcher): when it knows the
 * leader's epoch, the smaller of both end offsets (done); when it does not, the end of its own
 * largest smaller epoch, then it fetches again (KIP-279: the next answer refines it). Unknown
 * epochs on both sides fall back to the HW, which every ISR member holds.
 */
export function truncationOffset(epochs: readonly EpochEntry[], leo: number, hw: number, diverging: EpochEnd): number {
  if (diverging.epoch < 0 || diverging.endOffset < 0) return Math.min(hw, leo);
  const own = endOffsetForEpoch(epochs, diverging.epoch, leo);
  if (own.epoch < 0) return Math.min(hw, leo);
  if (own.epoch !== diverging.epoch) return Math.min(own.endOffset, leo);
  return Math.min(own.endOffset, diverging.endOffset, leo);
}

/** Drops cache entries that start at or past a truncation point. */
export function truncateEpochs(epochs: readonly EpochEntry[], offset: number): EpochEntry[] {
  return epochs.filter((entry) => entry.startOffset < offset);
}

/**
 * The cache after a restart: entries past the recovered log end are dropped (their batches were
 * lost with unsynced writes), and entries wholly before the log start collapse into one.
 */
export function recoverEpochs(epochs: readonly EpochEntry[], logStart: number, leo: number): EpochEntry[] {
  const kept = epochs.filter((entry) => entry.startOffset <= leo);
  let first = 0;
  while (first + 1 < kept.length && (kept[first + 1] as EpochEntry).startOffset <= logStart) first++;
  return kept.slice(first);
}

export function epochsToMeta(epochs: readonly EpochEntry[]): Array<[number, number]> {
  return epochs.map((e) => [e.epoch, e.startOffset]);
}

/** Parses the `epochs` meta value; anything malformed is a corrupt store (assert). */
export function epochsFromMeta(value: unknown): EpochEntry[] {
  if (value === undefined) return [];
  assert(Array.isArray(value), 'epochs meta must be an array');
  const epochs = value.map((pair: unknown) => {
    assert(Array.isArray(pair) && pair.length === 2, 'epochs meta entry must be a pair');
    const [epoch, startOffset] = pair as [unknown, unknown];
    assert(Number.isSafeInteger(epoch) && Number.isSafeInteger(startOffset), 'epochs meta entry must be integers');
    return { epoch: epoch as number, startOffset: startOffset as number };
  });
  checkEpochs(epochs);
  assert(epochs.every((e) => e.epoch >= 0 && e.startOffset >= 0), 'stored epochs and offsets are non-negative');
  return epochs;
}

// ---- changes to the log ----

/** Adds a batch at leoPending to the working set. Returns whether the epoch cache changed. */
export function acceptBatch(ctx: PartitionContext, batch: StoredBatch): boolean {
  if (batch.baseOffset !== ctx.leoPending) assert(false, `batch ${batch.baseOffset} must start at leoPending ${ctx.leoPending}`);
  assert(batch.lastOffset >= batch.baseOffset, 'batch has records');
  ctx.tail = tailAdd(ctx.tail, batch);
  ctx.index = indexAdd(ctx.index, batch);
  if (batch.producerId >= 0) applyBatch(own(ctx, 'producers'), batch, ctx.knobs.producerIdsMax);
  ctx.leoPending = batch.lastOffset + 1;
  const epochs = assignEpoch(ctx.epochs, batch.leaderEpoch, batch.baseOffset);
  if (epochs === undefined) return false;
  ctx.epochs = epochs;
  return true;
}

/** Issues one append effect for accepted batches (one atomic store batch). */
export function issueAppend(ctx: PartitionContext, fx: Fx, batches: readonly StoredBatch[], asLeader: boolean): void {
  assert(ctx.logWrite === undefined, 'one log write in flight at a time');
  const first = batches[0];
  const last = batches[batches.length - 1];
  assert(first !== undefined && last !== undefined, 'issueAppend needs batches');
  if (first.baseOffset !== ctx.leo) assert(false, `append starts at the stored leo ${ctx.leo}, not ${first.baseOffset}`);
  const token = newToken(ctx, { kind: 'append', baseOffset: first.baseOffset, lastOffset: last.lastOffset, asLeader, leaderEpoch: ctx.state.leaderEpoch });
  ctx.logWrite = token;
  fx.push({ type: 'append', params: { token, log: ctx.logName, sync: ctx.configs.flush === 'always',
    entries: batches.map((b) => ({ offset: b.baseOffset, value: b })) } });
}

/** The append completed: the stored log now ends after it. */
export function appended(ctx: PartitionContext, fx: Fx, baseOffset: number, lastOffset: number, asLeader: boolean, leaderEpoch: number): void {
  assert(baseOffset === ctx.leo, 'appends complete in order');
  assert(lastOffset < ctx.leoPending, 'an append never passes leoPending');
  ctx.leo = lastOffset + 1;
  ctx.logWrite = undefined;
  report(fx, 'partitionAppend', { topic: ctx.topic, partition: ctx.partition, nodeId: ctx.nodeId,
    leaderEpoch, baseOffset, lastOffset, asLeader });
}

/**
 * Forgets everything at or past `offset` in memory. Used for follower truncation (with a storage
 * truncate) and for batches a stepping-down leader accepted but never issued (without one).
 */
export function dropFrom(ctx: PartitionContext, offset: number): void {
  assert(offset >= ctx.logStart || ctx.leo === ctx.logStart, 'never drop below the log start');
  assert(ctx.leader === undefined || ctx.logWrite === undefined || offset >= ctx.leo, 'a leader drops only batches never issued');
  ctx.tail = tailTruncate(ctx.tail, offset);
  ctx.index = indexTruncate(ctx.index, offset);
  if (producersReach(ctx.producers, offset)) truncateProducers(own(ctx, 'producers'), offset);
  ctx.epochs = truncateEpochs(ctx.epochs, offset);
  ctx.leoPending = Math.min(ctx.leoPending, offset);
  ctx.leo = Math.min(ctx.leo, offset);
  ctx.hw = Math.min(ctx.hw, offset); // Only after an unclean election; the caller logs it.
  assert(ctx.leoPending <= offset && ctx.leo <= ctx.leoPending, 'nothing at or past the drop point is kept');
}

/** Follower truncation after a diverging epoch: in memory now, in storage by one truncateFrom. */
export function truncateLog(ctx: PartitionContext, fx: Fx, offset: number): void {
  assert(ctx.logWrite === undefined, 'truncate waits for the append in flight');
  assert(offset <= ctx.leoPending, 'truncate within the log');
  const belowHw = ctx.hw > offset;
  if (belowHw) logLine(fx, 'warn', 'truncateBelowHw', { hw: ctx.hw, offset });
  dropFrom(ctx, offset);
  // A committed offset dropped is an HW regression; say so, so that a checker can see it.
  if (belowHw) report(fx, 'partitionHw', { topic: ctx.topic, partition: ctx.partition, nodeId: ctx.nodeId, hw: ctx.hw, leaderEpoch: ctx.state.leaderEpoch });
  // A producers checkpoint taken before the truncation names batches past it. Once the log has
  // grown back from the leader past that checkpoint's covered offset, recovery would take it as
  // good and answer a retried batch with an offset that now holds other records (seed 832856). The
  // truncated table goes first: writes land in issue order, so no crash leaves the stale one over
  // a truncated log.
  persistProducers(ctx, fx);
  const token = newToken(ctx, { kind: 'truncate', offset });
  ctx.logWrite = token;
  fx.push({ type: 'truncateFrom', params: { token, log: ctx.logName, offset } });
  persistEpochs(ctx, fx, undefined, false);
}

/** The producer state as of the stored log (recovery replays the log from its covered offset). */
export function persistProducers(ctx: PartitionContext, fx: Fx): void {
  assert(ctx.leo === ctx.leoPending, 'the checkpoint covers exactly the stored log');
  assert(ctx.leo >= ctx.logStart, 'the covered log does not end below its start');
  const meta = producersToMeta(ctx.producers, ctx.leo);
  const token = newToken(ctx, { kind: 'producers', table: ctx.producers });
  ctx.producersCheckpoint = { ...ctx.producersCheckpoint, inFlight: true };
  fx.push({ type: 'putMeta', params: { token, entries: [[metaKey(ctx, 'producers'), meta]], sync: false } });
}

export function persistEpochs(ctx: PartitionContext, fx: Fx, leaderEpoch: number | undefined, sync: boolean): void {
  const token = newToken(ctx, { kind: 'epochs', leaderEpoch });
  fx.push({ type: 'putMeta', params: { token, entries: [[metaKey(ctx, 'epochs'), epochsToMeta(ctx.epochs)]], sync } });
}

/** Moves the HW forward (never back) and reports it. */
export function setHw(ctx: PartitionContext, fx: Fx, hw: number): boolean {
  if (hw <= ctx.hw) return false;
  if (!(hw <= ctx.leo)) assert(false, `hw ${hw} cannot pass the stored leo ${ctx.leo}`);
  ctx.hw = hw;
  report(fx, 'partitionHw', { topic: ctx.topic, partition: ctx.partition, nodeId: ctx.nodeId, hw, leaderEpoch: ctx.state.leaderEpoch });
  return true;
}

/** Advances the log start (retention, or following the leader's): durable first, then deleteBefore. */
export function advanceLogStart(ctx: PartitionContext, fx: Fx, offset: number): void {
  assert(offset > ctx.logStart, 'log start only moves forward');
  assert(offset <= ctx.hw, 'never delete at or above the hw');
  assert(!ctx.retention.inFlight, 'one log start move at a time');
  ctx.logStart = offset;
  ctx.tail = tailDropBefore(ctx.tail, offset);
  ctx.index = indexDropBefore(ctx.index, offset);
  ctx.retention = { ...ctx.retention, inFlight: true };
  const token = newToken(ctx, { kind: 'logStart', offset });
  fx.push({ type: 'putMeta', params: { token, entries: [[metaKey(ctx, 'logStart'), offset]], sync: false } });
}
