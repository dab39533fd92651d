/**
 * The tick: every protocol deadline lives in context and is checked here (produce timeouts,
 * long-poll deadlines, fetch resends, ISR proposals), plus the periodic housekeeping both roles
 * do independently: retention, the HW checkpoint and the producer-state checkpoint.
 */
import { planRetention } from './retention.js';
import { advanceLogStart } from './log-writes.js';
import { producersToMeta } from './producer-state.js';
import { metaKey, newToken, wallMs, type Fx } from './step.js';
import type { PartitionContext } from './types.js';
import { expireProduces } from './leader.js';
import { expireParkedFetches } from './serve-fetch.js';
import { isrTick } from './isr-control.js';
import { followerTick } from './follower.js';

export function onTick(ctx: PartitionContext, fx: Fx, nowMs: number): void {
  ctx.nowMs = Math.max(ctx.nowMs, nowMs);
  if (ctx.role === 'recovering') return;
  if (ctx.role === 'leader') {
    expireProduces(ctx, fx);
    expireParkedFetches(ctx, fx);
    isrTick(ctx, fx);
  } else {
    followerTick(ctx, fx);
  }
  retentionTick(ctx, fx);
  checkpointHw(ctx, fx);
  checkpointProducers(ctx, fx);
}

function retentionTick(ctx: PartitionContext, fx: Fx): void {
  if (ctx.nowMs < ctx.retention.nextCheckMs || ctx.retention.inFlight) return;
  ctx.retention = { ...ctx.retention, nextCheckMs: ctx.nowMs + ctx.knobs.retentionCheckMs };
  const start = planRetention(ctx.index, ctx.logStart, ctx.hw, wallMs(ctx), ctx.configs);
  if (start !== undefined) advanceLogStart(ctx, fx, start);
}

/** The HW is checkpointed now and then, not on every move: recovery takes min(checkpoint, LEO). */
function checkpointHw(ctx: PartitionContext, fx: Fx): void {
  const c = ctx.hwCheckpoint;
  if (c.inFlight || c.hw === ctx.hw || ctx.nowMs - c.atMs < ctx.knobs.hwCheckpointMs) return;
  const token = newToken(ctx, { kind: 'hw', hw: ctx.hw });
  ctx.hwCheckpoint = { ...c, inFlight: true };
  fx.push({ type: 'putMeta', params: { token, entries: [[metaKey(ctx, 'hw'), ctx.hw]], sync: false } });
}

/**
 * Only when no append is in flight, so the checkpoint covers exactly the stored log; recovery
 * discards a checkpoint that claims more than the log holds.
 */
function checkpointProducers(ctx: PartitionContext, fx: Fx): void {
  const c = ctx.producersCheckpoint;
  if (c.inFlight || ctx.producers.size === 0 || ctx.leo !== ctx.leoPending || ctx.nowMs - c.atMs < ctx.knobs.producersCheckpointMs) return;
  const token = newToken(ctx, { kind: 'producers' });
  ctx.producersCheckpoint = { ...c, inFlight: true };
  fx.push({ type: 'putMeta', params: { token, entries: [[metaKey(ctx, 'producers'), producersToMeta(ctx.producers, ctx.leo)]], sync: false } });
}
