/**
 * Info-level log lines an operator reads to follow a partition through a fault: who leads it
 * (and in which epoch), its ISR, and whether its high watermark is stuck. Never one line per
 * produce: role and ISR lines come with metadata changes, and a stalled HW is reported once when
 * it has not moved for `hwStallLogMs` while produces wait on it, and once more when it moves again.
 */
import { assert } from '../assert.js';
import { logLine, type Fx } from '../kit/fx.js';
import { maximalIsr } from './isr.js';
import type { LeaderState, PartitionContext } from './types.js';

/** How long an HW may stay put with produces waiting on it before it is reported as stalled. */
export const HW_STALL_LOG_MS = 1000;

function where(ctx: PartitionContext): { topic: string; partition: number } {
  return { topic: ctx.topic, partition: ctx.partition };
}

export function logLeading(ctx: PartitionContext, fx: Fx, l: LeaderState): void {
  logLine(fx, 'info', 'partitionLeading', { ...where(ctx), leaderEpoch: l.leaderEpoch, isr: ctx.state.isr, leo: ctx.leoPending, hw: ctx.hw });
}

export function logResigned(ctx: PartitionContext, fx: Fx, leaderEpoch: number, why: string): void {
  logLine(fx, 'info', 'partitionLeaderResigned', { ...where(ctx), leaderEpoch, leader: ctx.state.leader, newLeaderEpoch: ctx.state.leaderEpoch, why, leo: ctx.leo, hw: ctx.hw });
}

export function logFollowing(ctx: PartitionContext, fx: Fx): void {
  logLine(fx, 'info', 'partitionFollowing', { ...where(ctx), leader: ctx.state.leader, leaderEpoch: ctx.state.leaderEpoch, leo: ctx.leo, hw: ctx.hw });
}

export function logIsrChanged(ctx: PartitionContext, fx: Fx, before: readonly number[]): void {
  const after = ctx.state.isr;
  if (before.length === after.length && before.every((id, i) => after[i] === id)) return;
  logLine(fx, 'info', 'isrChanged', { ...where(ctx), leaderEpoch: ctx.state.leaderEpoch, partitionEpoch: ctx.state.partitionEpoch, isr: after, before });
}

/**
 * The HW moved (called from the HW rule): ends a reported stall with one line. `l` is the step's
 * own copy (step.ts leaderOf); the watch is replaced, never changed in place (kit/draft.ts).
 */
export function hwMoved(ctx: PartitionContext, fx: Fx, l: LeaderState): void {
  const seen = l.hwWatch;
  if (seen.stalled) logLine(fx, 'info', 'hwResumed', { ...where(ctx), leaderEpoch: l.leaderEpoch, hw: ctx.hw, stalledMs: ctx.nowMs - seen.sinceMs });
  l.hwWatch = { hw: ctx.hw, sinceMs: ctx.nowMs, stalled: false };
}

/**
 * Tick (leader): an HW that has not moved for HW_STALL_LOG_MS while produces wait on it is
 * reported once, with what it waits for (the maximal ISR's LEOs and an ISR proposal in flight).
 */
export function watchHw(ctx: PartitionContext, fx: Fx, l: LeaderState): void {
  const seen = l.hwWatch;
  assert(seen.sinceMs <= ctx.nowMs, 'the stall clock started in the past');
  assert(seen.hw <= ctx.hw, 'a leader\'s HW never goes back');
  if (ctx.hw !== seen.hw) return hwMoved(ctx, fx, l);
  if (l.waiters.length === 0) {
    if (!seen.stalled && seen.sinceMs !== ctx.nowMs) l.hwWatch = { ...seen, sinceMs: ctx.nowMs }; // Nothing waits: an idle HW is not stalled.
    return;
  }
  if (seen.stalled || ctx.nowMs - seen.sinceMs < HW_STALL_LOG_MS) return;
  l.hwWatch = { ...seen, stalled: true };
  const members = maximalIsr(l.isr);
  const followerLeos = Object.fromEntries([...l.followers].filter(([id]) => members.includes(id)).map(([id, p]) => [String(id), p.leo]));
  logLine(fx, 'info', 'hwStalled', { ...where(ctx), leaderEpoch: l.leaderEpoch, hw: ctx.hw, leo: ctx.leo, waiting: l.waiters.length,
    isr: ctx.state.isr, isrProposal: l.isr.kind === 'committed' ? undefined : { kind: l.isr.kind, proposed: l.isr.proposed }, followerLeos });
}

/** When the next tick should look at the HW (the stall threshold of a leader with produces waiting). */
export function hwWatchDueAt(l: LeaderState): number {
  return l.waiters.length === 0 || l.hwWatch.stalled ? Infinity : l.hwWatch.sinceMs + HW_STALL_LOG_MS;
}
