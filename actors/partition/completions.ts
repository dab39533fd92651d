/**
 * Storage completions (stored, readDone, metaRead, boundsRead), matched to the operation that
 * started them by token. A token we no longer know belongs to an operation of an earlier
 * incarnation (before a storage failure restarted recovery) and is ignored.
 */
import { assert } from '../assert.js';
import type { RuntimeEvent } from '../effects.js';
import { appended } from './log-writes.js';
import { logLine, report, type Fx } from '../kit/fx.js';
import { newToken, takeOp } from '../kit/ops.js';
import type { PartitionContext, PendingOp } from './types.js';
import { epochDurable, leaderAppended } from './leader.js';
import { fetchReadDone } from './purgatory.js';
import { followerLogWritten } from './follower.js';
import { stepDown } from './roles.js';
import { recoveryBoundsRead, recoveryMetaRead, recoveryReadDone, startRecovery } from './recovery.js';

export function onStored(ctx: PartitionContext, fx: Fx, event: RuntimeEvent & { type: 'stored' }): void {
  const op = takeOp<PendingOp>(ctx, event.token);
  if (op === undefined) return;
  if (event.error !== undefined) return storeFailed(ctx, fx, op, event.error);
  switch (op.kind) {
    case 'append':
      assert(ctx.logWrite === event.token, 'the append was the log write in flight');
      appended(ctx, fx, op.baseOffset, op.lastOffset, op.asLeader, op.leaderEpoch);
      if (ctx.role === 'leader') leaderAppended(ctx, fx); else followerLogWritten(ctx, fx);
      return;
    case 'truncate':
      assert(ctx.logWrite === event.token, 'the truncate was the log write in flight');
      ctx.logWrite = undefined;
      report(fx, 'partitionTruncate', { topic: ctx.topic, partition: ctx.partition, nodeId: ctx.nodeId, offset: op.offset });
      if (ctx.role === 'leader') leaderAppended(ctx, fx); else followerLogWritten(ctx, fx);
      return;
    case 'epochs':
      if (op.leaderEpoch !== undefined) epochDurable(ctx, fx, op.leaderEpoch);
      return;
    case 'hw':
      ctx.hwCheckpoint = { hw: Math.max(ctx.hwCheckpoint.hw, op.hw), inFlight: false, atMs: ctx.nowMs };
      return;
    case 'producers':
      ctx.producersCheckpoint = { inFlight: false, atMs: ctx.nowMs };
      return;
    case 'logStart': {
      const token = newToken(ctx, { kind: 'deleteBefore', offset: op.offset });
      fx.push({ type: 'deleteBefore', params: { token, log: ctx.logName, offset: op.offset } });
      return;
    }
    case 'deleteBefore':
      ctx.retention = { ...ctx.retention, inFlight: false };
      return;
    case 'recoveryMeta': case 'recoveryBounds': case 'recoveryRead': case 'fetchRead':
      assert(false, `${op.kind} completes with another event`);
      return;
    default:
      assert(false, 'unknown pending op');
  }
}

function storeFailed(ctx: PartitionContext, fx: Fx, op: PendingOp, error: string): void {
  switch (op.kind) {
    case 'hw':
      ctx.hwCheckpoint = { ...ctx.hwCheckpoint, inFlight: false };
      return logLine(fx, 'warn', 'hwCheckpointFailed', { error });
    case 'producers':
      ctx.producersCheckpoint = { ...ctx.producersCheckpoint, inFlight: false };
      return logLine(fx, 'warn', 'producersCheckpointFailed', { error });
    default:
      return storageFailed(ctx, fx, op.kind, error);
  }
}

export function onReadDone(ctx: PartitionContext, fx: Fx, event: RuntimeEvent & { type: 'readDone' }): void {
  const op = takeOp<PendingOp>(ctx, event.token);
  if (op === undefined) return;
  if (op.kind === 'fetchRead') return fetchReadDone(ctx, fx, op.request, event.entries, event.error);
  assert(op.kind === 'recoveryRead', 'readDone answers a read');
  if (event.error !== undefined) return recoveryFailed(ctx, fx, event.error);
  recoveryReadDone(ctx, fx, event.entries);
}

export function onMetaRead(ctx: PartitionContext, fx: Fx, event: RuntimeEvent & { type: 'metaRead' }): void {
  const op = takeOp<PendingOp>(ctx, event.token);
  if (op === undefined) return;
  assert(op.kind === 'recoveryMeta', 'metaRead answers a recovery getMeta');
  if (event.error !== undefined) return recoveryFailed(ctx, fx, event.error);
  recoveryMetaRead(ctx, fx, op.key, event.value);
}

export function onBoundsRead(ctx: PartitionContext, fx: Fx, event: RuntimeEvent & { type: 'boundsRead' }): void {
  const op = takeOp<PendingOp>(ctx, event.token);
  if (op === undefined) return;
  assert(op.kind === 'recoveryBounds', 'boundsRead answers a recovery readBounds');
  if (event.error !== undefined) return recoveryFailed(ctx, fx, event.error);
  recoveryBoundsRead(ctx, fx, event.first, event.last?.value);
}

function recoveryFailed(ctx: PartitionContext, fx: Fx, error: string): void {
  logLine(fx, 'error', 'recoveryReadFailed', { error });
  startRecovery(ctx, fx);
}

/**
 * A log or epoch write failed: stop serving and rebuild from storage (the log on disk, not memory,
 * is the truth after an I/O error).
 */
function storageFailed(ctx: PartitionContext, fx: Fx, what: string, error: string): void {
  logLine(fx, 'error', 'storageFailed', { what, error });
  if (ctx.role === 'leader') stepDown(ctx, fx);
  ctx.follower = undefined;
  startRecovery(ctx, fx);
}
