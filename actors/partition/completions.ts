/**
 * Storage completions (stored, readDone, metaRead, boundsRead), matched to the operation that
 * started them by token. A token we no longer know belongs to an operation of an earlier
 * incarnation (before a storage failure restarted recovery) and is ignored.
 */
import { assert } from '../assert.js';
import type { RuntimeEvent } from '../effects.js';
import { appended } from './log.js';
import { logLine, report, type Fx } from '../kit/fx.js';
import { newToken, takeOp } from '../kit/ops.js';
import type { PartitionContext, PendingOp } from './types.js';
import { epochDurable } from './leader.js';
import { fetchReadDone } from './replication.js';
import { abandonEpoch, stepDown } from './roles.js';
import { recoveryBoundsRead, recoveryMetaRead, recoveryReadDone, startRecovery } from './recovery.js';

/**
 * A write completed. `written` is the role's next step once its log write is stored (the leader's
 * HW and queued batches, or the follower's next fetch). A failed log or epoch write is not handled
 * here: it is the machine's transition back to `recovering` (storageFailed below).
 */
export function onStored(ctx: PartitionContext, fx: Fx, event: RuntimeEvent & { type: 'stored' }, written: (ctx: PartitionContext, fx: Fx) => void): void {
  const op = takeOp<PendingOp>(ctx, event.token);
  if (op === undefined) return;
  if (event.error !== undefined) return checkpointFailed(ctx, fx, op, event.error);
  switch (op.kind) {
    case 'append':
      assert(ctx.logWrite === event.token, 'the append was the log write in flight');
      appended(ctx, fx, op.baseOffset, op.lastOffset, op.asLeader, op.leaderEpoch);
      return written(ctx, fx);
    case 'truncate':
      assert(ctx.logWrite === event.token, 'the truncate was the log write in flight');
      ctx.logWrite = undefined;
      report(fx, 'partitionTruncate', { topic: ctx.topic, partition: ctx.partition, nodeId: ctx.nodeId, offset: op.offset });
      return written(ctx, fx);
    case 'epochs':
      if (op.leaderEpoch !== undefined) epochDurable(ctx, fx, op.leaderEpoch);
      return;
    case 'hw':
      ctx.hwCheckpoint = { hw: Math.max(ctx.hwCheckpoint.hw, op.hw), inFlight: false, atMs: ctx.nowMs };
      return;
    case 'producers':
      ctx.producersCheckpoint = { inFlight: false, atMs: ctx.nowMs, persisted: op.table };
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

/** A checkpoint write failed: the next one tries again (the log and the epoch cache are the truth). */
function checkpointFailed(ctx: PartitionContext, fx: Fx, op: PendingOp, error: string): void {
  assert(!failsReplica(op), 'a failed log or epoch write is a transition to recovering');
  if (op.kind === 'hw') {
    ctx.hwCheckpoint = { ...ctx.hwCheckpoint, inFlight: false };
    return logLine(fx, 'warn', 'hwCheckpointFailed', { error });
  }
  assert(op.kind === 'producers', 'only checkpoints fail without consequence');
  ctx.producersCheckpoint = { ...ctx.producersCheckpoint, inFlight: false };
  logLine(fx, 'warn', 'producersCheckpointFailed', { error });
}

/** Whether a failed write of this op stops the replica: anything but a checkpoint (log, epochs, log start). */
function failsReplica(op: PendingOp): boolean { return op.kind !== 'hw' && op.kind !== 'producers'; }

/** Whether this completion is a failed write that sends the replica back to `recovering` (a guard of the machine). */
export function storageFailedBy(ctx: PartitionContext, event: RuntimeEvent & { type: 'stored' }): boolean {
  const op = ctx.ops.get(event.token);
  return event.error !== undefined && op !== undefined && failsReplica(op);
}

export function onReadDone(ctx: PartitionContext, fx: Fx, event: RuntimeEvent & { type: 'readDone' }): void {
  assert(Array.isArray(event.entries), 'a read answers with entries');
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
 * A log or epoch write failed: the replica stops serving (a leader steps down first) and is
 * rebuilt from storage on entering `recovering` — the log on disk, not memory, is the truth after
 * an I/O error.
 */
export function storageFailed(ctx: PartitionContext, fx: Fx, event: RuntimeEvent & { type: 'stored' }): void {
  const op = takeOp<PendingOp>(ctx, event.token);
  assert(op !== undefined && event.error !== undefined, 'a failed write of an op in flight');
  logLine(fx, 'error', 'storageFailed', { what: op.kind, error: event.error });
  // Followers may hold what a leader's failed append carried (they are served before it is stored).
  if (op.kind === 'append' && op.asLeader) abandonEpoch(ctx, fx, op.leaderEpoch, 'leader append failed');
  if (ctx.leader !== undefined) stepDown(ctx, fx, 'storage failed');
  ctx.follower = undefined;
  assert(op.kind !== 'append' || !op.asLeader || ctx.abandonedEpoch >= op.leaderEpoch, 'a failed leader append abandons its epoch');
}
