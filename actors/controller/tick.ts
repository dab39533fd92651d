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
import { expireSessions, probeSilentNodes } from './probe.js';
import { placementTick } from './placement-tick.js';

/** Recovering: a failed recovery starts again once its retry time comes. */
export function onRecoveringTick(ctx: ControllerContext, fx: Fx, nowMs: number): void {
  if (nowMs > ctx.nowMs) ctx.nowMs = nowMs;
  if (ctx.recovery?.retryAtMs !== undefined && ctx.nowMs >= ctx.recovery.retryAtMs) startRecovery(ctx, fx);
}

/** Follower, pre-candidate and candidate: campaign (again) when the election deadline passes. */
export function onCampaignTick(ctx: ControllerContext, fx: Fx, nowMs: number): void {
  if (nowMs > ctx.nowMs) ctx.nowMs = nowMs;
  if (ctx.nowMs >= ctx.electionDeadlineMs) startPreVote(ctx, fx);
}

/** Leader: check the quorum, send heartbeats, probe silent nodes, fence expired sessions, run placement plans. */
export function onLeaderTick(ctx: ControllerContext, fx: Fx, nowMs: number): void {
  assert(ctx.role === 'leader' && ctx.working !== undefined, 'the leader tick runs on the leader');
  if (nowMs > ctx.nowMs) ctx.nowMs = nowMs;
  if (!checkQuorum(ctx, fx)) return;
  assert(ctx.heartbeatDueMs <= ctx.nowMs + ctx.knobs.heartbeatIntervalMs, 'a heartbeat is due within an interval');
  if (ctx.nowMs >= ctx.heartbeatDueMs) {
    ctx.heartbeatDueMs = ctx.nowMs + ctx.knobs.heartbeatIntervalMs;
    broadcastAppend(ctx, fx);
  }
  probeSilentNodes(ctx, fx);
  expireSessions(ctx, fx);
  placementTick(ctx, fx);
}
