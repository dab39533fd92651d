/**
 * Rebuilding a replica from storage (DESIGN.md section 2: durable state lives in storage). Reads
 * the meta keys (epochs, hw, logStart, producers) and the log bounds, then scans the log once from
 * its start: the scan rebuilds the batch index, the tail cache, the epoch cache (from the batches'
 * leader epochs, plus trailing epochs from the checkpoint that have no batches yet) and the
 * producer state after the producers checkpoint. HW = min(checkpoint, LEO).
 *
 * TODO(partition-time-index): the scan reads the whole retained log; a persisted batch index would
 * make restarts of large logs cheap.
 */
import { assert } from '../assert.js';
import { isStoredBatch } from './batch.js';
import { createBatchIndex, indexAdd, indexSize, createTailCache, tailAdd } from './log-cache.js';
import { assignEpoch, epochsFromMeta, latestEpoch, recoverEpochs, type EpochEntry } from './log.js';
import { applyBatch, producersFromMeta } from './producer-state.js';
import { metaKey } from './step.js';
import type { Fx } from '../kit/fx.js';
import { newToken } from '../kit/ops.js';
import { fresh, own } from '../kit/draft.js';
import type { PartitionContext, Recovery } from './types.js';

const META_KEYS = ['epochs', 'hw', 'logStart', 'producers'] as const;

/** Entering `recovering` (at start, or after a storage failure): forget the working set and read it back. */
export function startRecovery(ctx: PartitionContext, fx: Fx): void {
  assert(ctx.leader === undefined, 'a leader steps down before recovering');
  ctx.ops = new Map(); // Completions of the previous incarnation's operations are ignored from now on.
  ctx.logWrite = undefined;
  ctx.leader = undefined;
  ctx.follower = undefined;
  ctx.retention = { ...ctx.retention, inFlight: false };
  ctx.hwCheckpoint = { ...ctx.hwCheckpoint, inFlight: false };
  ctx.producersCheckpoint = { ...ctx.producersCheckpoint, inFlight: false };
  ctx.recovery = fresh({ waiting: META_KEYS.length + 1, epochs: undefined, hw: undefined, logStart: undefined, producers: undefined,
    bounds: undefined, scanFrom: 0, producersCoveredOffset: 0 });
  for (const key of META_KEYS) {
    const token = newToken(ctx, { kind: 'recoveryMeta', key });
    fx.push({ type: 'getMeta', params: { token, key: metaKey(ctx, key) } });
  }
  const token = newToken(ctx, { kind: 'recoveryBounds' });
  fx.push({ type: 'readBounds', params: { token, log: ctx.logName } });
  assert(ctx.ops.size === META_KEYS.length + 1, 'recovery waits for its reads only');
}

/** The recovery state, owned by this step (actors/kit/draft.ts). */
function recoveryOf(ctx: PartitionContext): Recovery {
  assert(ctx.recovery !== undefined, 'recovery in progress');
  return own(ctx, 'recovery');
}

export function recoveryMetaRead(ctx: PartitionContext, fx: Fx, key: (typeof META_KEYS)[number], value: unknown): void {
  const r = recoveryOf(ctx);
  r[key] = value;
  if (--r.waiting === 0) beginScan(ctx, fx);
}

export function recoveryBoundsRead(ctx: PartitionContext, fx: Fx, first: number | undefined, last: unknown): void {
  const r = recoveryOf(ctx);
  if (last !== undefined) assert(isStoredBatch(last), 'the last log entry is a stored batch');
  r.bounds = { first, lastOffset: last === undefined ? undefined : last.lastOffset };
  if (--r.waiting === 0) beginScan(ctx, fx);
}

function asOffset(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  assert(Number.isSafeInteger(value) && (value as number) >= 0, 'offset meta is a non-negative integer');
  return value as number;
}

function beginScan(ctx: PartitionContext, fx: Fx): void {
  const r = recoveryOf(ctx);
  assert(r.bounds !== undefined, 'bounds read before the scan');
  const checkpointStart = asOffset(r.logStart) ?? 0;
  const { first, lastOffset } = r.bounds;
  ctx.leo = lastOffset === undefined ? checkpointStart : lastOffset + 1;
  ctx.logStart = Math.min(Math.max(checkpointStart, first ?? 0), ctx.leo);
  ctx.leoPending = ctx.leo;
  ctx.epochs = [];
  ctx.tail = createTailCache(ctx.knobs.tailCacheBytes);
  ctx.index = createBatchIndex();
  const loaded = producersFromMeta(r.producers, ctx.leo);
  ctx.producers = loaded.table;
  // What is on disk: the scan below replaces the table (copy on write) only if it replays a batch into it.
  ctx.producersCheckpoint = { ...ctx.producersCheckpoint, persisted: loaded.table };
  r.producersCoveredOffset = loaded.coveredOffset;
  r.scanFrom = ctx.logStart;
  assert(ctx.logStart <= ctx.leo && ctx.leo === ctx.leoPending, 'the recovered log has no write in flight');
  if (r.scanFrom < ctx.leo) return scanNext(ctx, fx, r);
  finishRecovery(ctx, fx, r);
}

function scanNext(ctx: PartitionContext, fx: Fx, r: Recovery): void {
  const token = newToken(ctx, { kind: 'recoveryRead' });
  fx.push({ type: 'read', params: { token, log: ctx.logName, fromOffset: r.scanFrom, bytesMax: ctx.knobs.recoveryReadBytes } });
}

export function recoveryReadDone(ctx: PartitionContext, fx: Fx, entries: ReadonlyArray<{ offset: number; value: unknown }>): void {
  const r = recoveryOf(ctx);
  const before = r.scanFrom;
  for (const entry of entries) {
    if (!isStoredBatch(entry.value)) assert(false, `log entry ${entry.offset} is a stored batch`);
    const batch = entry.value;
    if (batch.lastOffset < r.scanFrom) continue;
    assert(batch.baseOffset === r.scanFrom || indexSize(ctx.index) === 0, 'the stored log is contiguous');
    ctx.tail = tailAdd(ctx.tail, batch);
    ctx.index = indexAdd(ctx.index, batch);
    if (batch.baseOffset >= r.producersCoveredOffset && batch.producerId >= 0) applyBatch(own(ctx, 'producers'), batch, ctx.knobs.producerIdsMax);
    ctx.epochs = assignEpoch(ctx.epochs, batch.leaderEpoch, batch.baseOffset) ?? ctx.epochs;
    r.scanFrom = batch.lastOffset + 1;
  }
  assert(r.scanFrom > before || entries.length === 0, 'the scan makes progress');
  if (r.scanFrom < ctx.leo && entries.length > 0) return scanNext(ctx, fx, r);
  assert(r.scanFrom >= ctx.leo, `the scan reached the log end ${ctx.leo}`);
  finishRecovery(ctx, fx, r);
}

/** Trailing epochs from the checkpoint (a leader epoch that has not written yet) after the scanned ones. */
function mergeEpochs(scanned: EpochEntry[], checkpoint: EpochEntry[]): EpochEntry[] {
  assert(checkpoint.every((e, i) => i === 0 || e.epoch > (checkpoint[i - 1] as EpochEntry).epoch), 'the checkpoint\'s epochs increase');
  let merged = scanned;
  for (const entry of checkpoint) {
    if (entry.epoch <= latestEpoch(merged)) continue;
    const latestStart = merged[merged.length - 1]?.startOffset ?? -1;
    if (entry.startOffset < latestStart) continue;
    merged = assignEpoch(merged, entry.epoch, entry.startOffset) ?? merged;
  }
  assert(merged.length >= scanned.length, 'the checkpoint only adds trailing epochs');
  return merged;
}

function finishRecovery(ctx: PartitionContext, fx: Fx, r: Recovery): void {
  assert(r.scanFrom >= ctx.leo, 'the scan reached the log end');
  ctx.epochs = mergeEpochs(ctx.epochs, recoverEpochs(epochsFromMeta(r.epochs), ctx.logStart, ctx.leo));
  const checkpointHw = asOffset(r.hw) ?? ctx.logStart;
  // ctx.hw is 0 in a new replica; after a failed write it is the HW this replica already reached (and
  // reported, and exposed as leader) in this life, which the checkpoint may trail: it never moves back.
  ctx.hw = Math.max(ctx.logStart, Math.min(Math.max(checkpointHw, ctx.hw), ctx.leo));
  ctx.hwCheckpoint = { hw: ctx.hw, inFlight: false, atMs: ctx.nowMs };
  ctx.recovery = undefined;  assert(ctx.logStart <= ctx.hw && ctx.hw <= ctx.leo, 'a recovered HW lies within the recovered log');
  ctx.recovery = undefined; // Recovered: the machine leads or follows as ctx.state says.
  fx.push({ type: 'log', params: { level: 'info', event: 'partitionRecovered',
    detail: { logStart: ctx.logStart, hw: ctx.hw, leo: ctx.leo, epochs: ctx.epochs.length, producers: ctx.producers.size } } });
}
