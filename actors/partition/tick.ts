/**
 * The tick: every protocol deadline lives in context and is checked here (produce timeouts,
 * long-poll deadlines, fetch resends, ISR proposals), plus the periodic housekeeping both roles
 * do independently: retention, the HW checkpoint and the producer-state checkpoint.
 */
import { planRetention } from './retention.js';
import { advanceLogStart } from './log-writes.js';
import { producersToMeta } from './producer-state.js';
import { metaKey, wallMs } from './step.js';
import type { Fx } from '../kit/fx.js';
import { newToken } from '../kit/ops.js';
import type { PartitionContext } from './types.js';
import { expireProduces } from './leader.js';
import { expireParkedFetches } from './serve-fetch.js';
import { isrTick } from './isr-control.js';
import { followerTick } from './follower.js';
import { readyAtMs, throttles } from './throttle.js';

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

/** Waiting lists longer than this are not scanned for their earliest deadline: the replica is busy, it ticks every tickMs. */
const SCAN_MAX = 16;

/**
 * The earliest time a tick has work to do, from the deadlines in context: the host ticks the
 * replica then (and at least every idleTickMs), so thousands of idle replicas cost next to nothing
 * instead of a tick every tickMs each. A deadline missed here is only late, by at most
 * idleTickMs: every tick handler still compares the time itself.
 */
export function nextTickAt(ctx: PartitionContext): number {
  // Retention has nothing to delete in an empty log.
  let at = ctx.leo > ctx.logStart ? ctx.retention.nextCheckMs : Infinity;
  const consider = (ms: number): void => { if (ms < at) at = ms; };
  const busy = ctx.nowMs + ctx.knobs.tickMs;
  const l = ctx.role === 'leader' ? ctx.leader : undefined;
  if (l !== undefined) {
    if (l.waiters.length > SCAN_MAX || l.parked.length > SCAN_MAX) consider(busy);
    for (const w of l.waiters) consider(w.deadlineMs);
    for (const p of l.parked) consider(p.deadlineMs);
    if (l.isr.kind !== 'committed') consider(l.isr.deadlineMs);
    else {
      if (l.isrRetryAtMs > ctx.nowMs) consider(l.isrRetryAtMs);
      for (const id of ctx.state.isr) {
        const progress = l.followers.get(id);
        if (id !== ctx.nodeId && progress !== undefined) consider(progress.lastCaughtUpMs + ctx.knobs.replicaLagTimeMaxMs + 1);
      }
    }
  }
  const f = ctx.role === 'follower' ? ctx.follower : undefined;
  if (f !== undefined) {
    // A follower held back by the reassignment throttle fetches as soon as its bucket is positive.
    const throttled = f.fetch === undefined && throttles(ctx.throttle, ctx.nodeId, ctx.state.isr) ? readyAtMs(ctx.throttle) : Infinity;
    consider(f.fetch !== undefined ? f.fetch.deadlineMs : Math.max(f.backoffUntilMs, Math.min(busy, throttled)));
  }
  const hw = ctx.hwCheckpoint;
  if (!hw.inFlight && hw.hw !== ctx.hw) consider(hw.atMs + ctx.knobs.hwCheckpointMs);
  const producers = ctx.producersCheckpoint;
  if (!producers.inFlight && ctx.producers.size > 0) consider(producers.atMs + ctx.knobs.producersCheckpointMs);
  return Math.max(at, ctx.nowMs + 1);
}
