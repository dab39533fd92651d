/**
 * Time: every deadline lives in context and is checked here, on the runtime's `tick` events.
 * Followers and candidates campaign when their election deadline passes; the leader checks its
 * quorum, sends heartbeats (appendEntries), probes silent nodes and fences those whose sessions
 * expired (probe.ts), and runs placement plans (placement-tick.ts).
 */
import { assert } from '../assert.js';
import type { ControllerContext } from './types.js';
import { startPreVote } from './election.js';
import { checkQuorum } from './leadership.js';
import { broadcastAppend } from './replication.js';
import { startRecovery } from './recovery.js';
import type { Fx } from '../kit/fx.js';
import { expireSessions, probeDueAtMs, probeSilentNodes } from './probe.js';
import { placementTick } from './placement-tick.js';
import { releaseApplied } from './purgatory.js';

/**
 * The earliest deadline a tick would act on late at the tick interval's resolution: a recovery's
 * retry, the election deadline (followers and candidates), and on the leader the next heartbeat,
 * the next probe of a silent node and the next session to run out. The host ticks then, and at
 * least every `tickMs` for the rest (check-quorum, held replies, placement plans), so an idle
 * voter wakes about 20 times a second instead of 100.
 *
 * Only deadlines after the last tick count: one that tick saw and left standing (a session whose
 * fencing is not decided yet, say) waits for the regular tick, so the host never ticks in a loop.
 */
export function nextTickAt(ctx: ControllerContext): number {
  let at = Infinity;
  const consider = (deadlineMs: number): void => { if (deadlineMs > ctx.lastTickMs && deadlineMs < at) at = deadlineMs; };
  if (ctx.role === 'recovering') consider(ctx.recovery?.retryAtMs ?? Infinity);
  else if (ctx.role !== 'leader') consider(ctx.electionDeadlineMs);
  else {
    consider(ctx.heartbeatDueMs);
    for (const [id, node] of Object.entries(ctx.working?.nodes ?? {})) {
      if (node.state === 'fenced' || Number(id) === ctx.nodeId) continue;
      consider(ctx.sessions[id] ?? -Infinity);
      consider(probeDueAtMs(ctx, id));
    }
  }
  assert(!Number.isNaN(at), 'a deadline is a time');
  assert(at > ctx.lastTickMs, 'only deadlines after the last tick: the host never ticks in a loop');
  return at;
}

/** Recovering: a failed recovery starts again once its retry time comes. */
export function onRecoveringTick(ctx: ControllerContext, fx: Fx, nowMs: number): void {
  if (nowMs > ctx.nowMs) ctx.nowMs = nowMs;
  discountOwnStall(ctx);
  if (ctx.recovery?.retryAtMs !== undefined && ctx.nowMs >= ctx.recovery.retryAtMs) startRecovery(ctx, fx);
}

/** Follower, pre-candidate and candidate: campaign (again) when the election deadline passes. */
export function onCampaignTick(ctx: ControllerContext, fx: Fx, nowMs: number): void {
  if (nowMs > ctx.nowMs) ctx.nowMs = nowMs;
  discountOwnStall(ctx);
  if (ctx.nowMs >= ctx.electionDeadlineMs) startPreVote(ctx, fx);
}

/** Leader: check the quorum, send heartbeats, probe silent nodes, fence expired sessions, release held config replies, run placement plans. */
export function onLeaderTick(ctx: ControllerContext, fx: Fx, nowMs: number): void {
  assert(ctx.role === 'leader' && ctx.working !== undefined, 'the leader tick runs on the leader');
  if (nowMs > ctx.nowMs) ctx.nowMs = nowMs;
  discountOwnStall(ctx);
  if (!checkQuorum(ctx, fx)) return;
  assert(ctx.heartbeatDueMs <= ctx.nowMs + ctx.knobs.heartbeatIntervalMs, 'a heartbeat is due within an interval');
  if (ctx.nowMs >= ctx.heartbeatDueMs) {
    ctx.heartbeatDueMs = ctx.nowMs + ctx.knobs.heartbeatIntervalMs;
    broadcastAppend(ctx, fx);
  }
  probeSilentNodes(ctx, fx);
  expireSessions(ctx, fx);
  releaseApplied(ctx, fx);
  placementTick(ctx, fx);
}

/**
 * A tick much later than due means this voter's process did not run in between (GC, a starved
 * process on a busy host, SIGSTOP): its timers fire before the messages that queued meanwhile are
 * read, so every silence it measured is its own. Without this, a host that starves every node
 * process for an election timeout deposes a healthy leader: the leader's check-quorum and the
 * followers' election deadlines all expire at once, and the followers, out of lease, grant each
 * other pre-votes. So the stall moves every liveness clock forward by its length: the followers'
 * last contact and the node sessions (leader), the leader's last contact and the election
 * deadline (others). Only liveness moves; Raft's safety never depends on time.
 */
function discountOwnStall(ctx: ControllerContext): void {
  assert(ctx.lastTickMs <= ctx.nowMs, 'the clock never goes back');
  const stallMs = ctx.nowMs - ctx.lastTickMs - ctx.knobs.tickMs;
  ctx.lastTickMs = ctx.nowMs;
  if (stallMs <= ctx.knobs.heartbeatIntervalMs) return;
  assert(stallMs > 0 && Number.isFinite(stallMs), 'a stall is a finite time');
  ctx.electionDeadlineMs += stallMs;
  ctx.lastLeaderContactMs += stallMs;
  const followers: ControllerContext['followers'] = {};
  for (const [id, p] of Object.entries(ctx.followers)) followers[id] = { ...p, lastContactMs: p.lastContactMs + stallMs };
  ctx.followers = followers;
  const sessions: Record<string, number> = {};
  for (const [id, deadlineMs] of Object.entries(ctx.sessions)) sessions[id] = deadlineMs + stallMs;
  ctx.sessions = sessions;
}
