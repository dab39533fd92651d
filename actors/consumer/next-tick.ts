/**
 * When the consumer's next tick is due, sooner than its 50 ms tick (CONSUMER_TICK_MS): the times
 * an application or a partition waits on. A poll's timeout, a partition's retry backoff ending, a
 * fetch becoming overdue (the leader watch, actors/client/leader-watch.ts, which failover waits
 * on), and in a group the next heartbeat, coordinator lookup, queued request and auto-commit.
 * Request deadlines (seconds long) keep the tick's resolution. Only times after now count: one
 * already due is acted on by the event being handled, so the host never ticks in a loop.
 */
import { assert } from '../assert.js';
import type { ConsumerContext } from './types.js';

export function nextTickAt(ctx: ConsumerContext): number {
  if (ctx.closed) return Infinity;
  let at = Infinity;
  const consider = (deadlineMs: number): void => { if (deadlineMs > ctx.nowMs && deadlineMs < at) at = deadlineMs; };
  if (ctx.poll !== undefined) consider(ctx.poll.deadlineMs);
  let overdueAtMs = Infinity;
  for (const p of ctx.partitions.values()) {
    if (p.request !== undefined) overdueAtMs = Math.min(overdueAtMs, p.request.overdueAtMs);
    else if (!p.paused && !p.halted) consider(p.retryAtMs);
  }
  consider(Math.max(ctx.leaderCheckAtMs, overdueAtMs));
  const g = ctx.group;
  if (g !== undefined) {
    consider(g.heartbeatAtMs);
    consider(g.findRetryAtMs);
    consider(g.autoCommitAtMs);
    for (const q of g.queued) consider(q.sendAtMs);
  }
  assert(!Number.isNaN(at), 'a deadline is a time');
  assert(at > ctx.nowMs, 'the next tick is after now: the host never ticks in a loop');
  return at;
}
