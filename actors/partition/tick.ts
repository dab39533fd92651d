/**
 * The tick: every protocol deadline lives in context and is checked here (produce timeouts,
 * long-poll deadlines, fetch resends, ISR proposals), plus the periodic housekeeping both roles
 * do independently: retention, the HW checkpoint and the producer-state checkpoint.
 */
import { assert } from '../assert.js';
import { planRetention } from './retention.js';
import { indexAt } from './log-cache.js';
import { advanceLogStart, persistProducers } from './log.js';
import { leaderOf, metaKey, wallMs } from './step.js';
import type { Fx } from '../kit/fx.js';
import { newToken } from '../kit/ops.js';
import type { PartitionContext } from './types.js';
import { expireParkedFetches, expireProduces, isrTick } from './replication.js';
import { followerTick } from './follower.js';
import { hwWatchDueAt, watchHw } from './watch.js';
import { readyAtMs, throttles } from './throttle.js';

/** Time moves; a recovering replica has no deadline of its own (its reads complete as events). */
export function advanceClock(ctx: PartitionContext, nowMs: number): void {
  ctx.nowMs = Math.max(ctx.nowMs, nowMs);
}

export function onLeaderTick(ctx: PartitionContext, fx: Fx, nowMs: number): void {
  assert(ctx.leader !== undefined && ctx.follower === undefined, 'the leader tick runs on a leader');
  advanceClock(ctx, nowMs);
  assert(ctx.nowMs >= nowMs, 'time moved');
  expireProduces(ctx, fx);
  expireParkedFetches(ctx, fx);
  isrTick(ctx, fx);
  watchHw(ctx, fx, leaderOf(ctx));
  housekeeping(ctx, fx);
}

export function onFollowerTick(ctx: PartitionContext, fx: Fx, nowMs: number): void {
  advanceClock(ctx, nowMs);
  followerTick(ctx, fx);
  housekeeping(ctx, fx);
}

/** What both roles do on their own: retention, the HW checkpoint and the producer-state checkpoint. */
function housekeeping(ctx: PartitionContext, fx: Fx): void {
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
  if (hwCheckpointDueAt(ctx) > ctx.nowMs) return;
  const token = newToken(ctx, { kind: 'hw', hw: ctx.hw });
  ctx.hwCheckpoint = { ...c, inFlight: true };
  fx.push({ type: 'putMeta', params: { token, entries: [[metaKey(ctx, 'hw'), ctx.hw]], sync: false } });
}

/**
 * Only when no append is in flight, so the checkpoint covers exactly the stored log; recovery
 * discards a checkpoint that claims more than the log holds.
 */
function checkpointProducers(ctx: PartitionContext, fx: Fx): void {
  if (ctx.leo !== ctx.leoPending || producersCheckpointDueAt(ctx) > ctx.nowMs) return;
  persistProducers(ctx, fx);
}

/** When the HW checkpoint is next due: Infinity while one is being written or the stored one is current. */
function hwCheckpointDueAt(ctx: PartitionContext): number {
  const c = ctx.hwCheckpoint;
  return c.inFlight || c.hw === ctx.hw ? Infinity : c.atMs + ctx.knobs.hwCheckpointMs;
}

/** When the producer-state checkpoint is next due: Infinity while one is being written, or the table is empty or the one stored. */
function producersCheckpointDueAt(ctx: PartitionContext): number {
  const c = ctx.producersCheckpoint;
  return c.inFlight || ctx.producers.size === 0 || ctx.producers === c.persisted ? Infinity : c.atMs + ctx.knobs.producersCheckpointMs;
}

/**
 * When retention may next have a batch to delete, not before the next check is allowed: the oldest
 * batch, if it is below the HW, once it is older than retention.ms, or at once when the log is over
 * retention.bytes. Infinity when only an append, an HW move or a finished deletion could make one due:
 * each is an event, after which the host asks again. So an idle replica with data is not ticked every
 * retentionCheckMs for a retention that is days away.
 */
function retentionDueAt(ctx: PartitionContext): number {
  const oldest = indexAt(ctx.index, 0);
  if (ctx.retention.inFlight || oldest === undefined || oldest.lastOffset >= ctx.hw) return Infinity;
  assert(ctx.index.bytes >= oldest.bytes, 'the indexed bytes include the oldest batch');
  const { retentionMs, retentionBytes } = ctx.configs;
  let due = Infinity;
  if (retentionBytes >= 0 && ctx.index.bytes > retentionBytes) due = ctx.nowMs;
  // planRetention deletes a batch once maxTimestamp < wall clock - retention.ms.
  else if (retentionMs >= 0) due = ctx.nowMs + (oldest.maxTimestamp + retentionMs - wallMs(ctx)) + 1;
  assert(!Number.isNaN(due), 'a retention deadline or Infinity');
  return Math.max(due, ctx.retention.nextCheckMs);
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
  assert(ctx.knobs.tickMs > 0, 'a busy replica ticks every tickMs');
  let at = retentionDueAt(ctx);
  const consider = (ms: number): void => { if (ms < at) at = ms; };
  const busy = ctx.nowMs + ctx.knobs.tickMs;
  const l = ctx.leader;
  if (l !== undefined) {
    if (l.waiters.length > SCAN_MAX || l.parked.length > SCAN_MAX) consider(busy);
    for (const w of l.waiters) consider(w.deadlineMs);
    for (const p of l.parked) consider(p.deadlineMs);
    consider(hwWatchDueAt(l));
    if (l.isr.kind !== 'committed') consider(l.isr.deadlineMs);
    else {
      if (l.isrRetryAtMs > ctx.nowMs) consider(l.isrRetryAtMs);
      for (const id of ctx.state.isr) {
        const progress = l.followers.get(id);
        if (id !== ctx.nodeId && progress !== undefined) consider(progress.lastCaughtUpMs + ctx.knobs.replicaLagTimeMaxMs + 1);
      }
    }
  }
  const f = ctx.follower;
  if (f !== undefined) {
    // A follower held back by the reassignment throttle fetches as soon as its bucket is positive.
    const throttled = f.fetch === undefined && throttles(ctx.throttle, ctx.nodeId, ctx.state.isr) ? readyAtMs(ctx.throttle) : Infinity;
    consider(f.fetch !== undefined ? f.fetch.deadlineMs : Math.max(f.backoffUntilMs, Math.min(busy, throttled)));
  }
  consider(hwCheckpointDueAt(ctx));
  consider(producersCheckpointDueAt(ctx));
  assert(!Number.isNaN(at), 'a deadline or Infinity');
  return Math.max(at, ctx.nowMs + 1);
}
