/**
 * Changes to the replica's log shared by both roles: accepting batches into the in-memory working
 * set (tail cache, batch index, producer state, epoch cache, leoPending) and issuing the one log
 * write in flight (append or truncate); moving the HW and the log start. Storage completions come
 * back through completions.ts.
 */
import { assert } from '../assert.js';
import type { StoredBatch } from './batch.js';
import { indexAdd, indexDropBefore, indexTruncate, tailAdd, tailDropBefore, tailTruncate } from './log-cache.js';
import { assignEpoch, epochsToMeta, truncateEpochs } from './log-state.js';
import { applyBatch, producersReach, truncateProducers } from './producer-state.js';
import { metaKey } from './step.js';
import { logLine, report, type Fx } from '../kit/fx.js';
import { newToken } from '../kit/ops.js';
import { own } from '../kit/draft.js';
import type { PartitionContext } from './types.js';

/** Adds a batch at leoPending to the working set. Returns whether the epoch cache changed. */
export function acceptBatch(ctx: PartitionContext, batch: StoredBatch): boolean {
  assert(batch.baseOffset === ctx.leoPending, `batch ${batch.baseOffset} must start at leoPending ${ctx.leoPending}`);
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
  assert(first.baseOffset === ctx.leo, `append starts at the stored leo ${ctx.leo}, not ${first.baseOffset}`);
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
  ctx.tail = tailTruncate(ctx.tail, offset);
  ctx.index = indexTruncate(ctx.index, offset);
  if (producersReach(ctx.producers, offset)) truncateProducers(own(ctx, 'producers'), offset);
  ctx.epochs = truncateEpochs(ctx.epochs, offset);
  ctx.leoPending = Math.min(ctx.leoPending, offset);
  ctx.leo = Math.min(ctx.leo, offset);
  ctx.hw = Math.min(ctx.hw, offset); // Only after an unclean election; the caller logs it.
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
  const token = newToken(ctx, { kind: 'truncate', offset });
  ctx.logWrite = token;
  fx.push({ type: 'truncateFrom', params: { token, log: ctx.logName, offset } });
  persistEpochs(ctx, fx, undefined, false);
}

export function persistEpochs(ctx: PartitionContext, fx: Fx, leaderEpoch: number | undefined, sync: boolean): void {
  const token = newToken(ctx, { kind: 'epochs', leaderEpoch });
  fx.push({ type: 'putMeta', params: { token, entries: [[metaKey(ctx, 'epochs'), epochsToMeta(ctx.epochs)]], sync } });
}

/** Moves the HW forward (never back) and reports it. */
export function setHw(ctx: PartitionContext, fx: Fx, hw: number): boolean {
  if (hw <= ctx.hw) return false;
  assert(hw <= ctx.leo, `hw ${hw} cannot pass the stored leo ${ctx.leo}`);
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
