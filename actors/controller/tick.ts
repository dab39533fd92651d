/**
 * Time: every deadline lives in context and is checked here, on the runtime's `tick` events.
 * Followers and candidates campaign when their election deadline passes; the leader checks its
 * quorum, sends heartbeats (appendEntries) and fences nodes whose sessions expired.
 */
import type { ControllerContext } from '../controller.js';
import { decideFenceNode } from '../metadata/decide.js';
import { startPreVote } from './election.js';
import { checkQuorum } from './leadership.js';
import { broadcastAppend, propose } from './replication.js';
import { decideEnv } from './requests.js';
import { startRecovery } from './recovery.js';
import { logLine, type Fx } from '../kit/fx.js';
import { probeSilentNodes } from './probe.js';
import { placementTick } from './placement-tick.js';

export function onTick(ctx: ControllerContext, fx: Fx, nowMs: number): void {
  if (nowMs > ctx.nowMs) ctx.nowMs = nowMs;
  switch (ctx.role) {
    case 'recovering':
      if (ctx.recovery?.retryAtMs !== undefined && ctx.nowMs >= ctx.recovery.retryAtMs) startRecovery(ctx, fx);
      return;
    case 'follower': case 'preCandidate': case 'candidate':
      if (ctx.nowMs >= ctx.electionDeadlineMs) startPreVote(ctx, fx);
      return;
    case 'leader':
      if (!checkQuorum(ctx, fx)) return;
      if (ctx.nowMs >= ctx.heartbeatDueMs) {
        ctx.heartbeatDueMs = ctx.nowMs + ctx.knobs.heartbeatIntervalMs;
        broadcastAppend(ctx, fx);
      }
      probeSilentNodes(ctx, fx);
      expireSessions(ctx, fx);
      return placementTick(ctx, fx);
  }
}

/** Fence every node whose session ran out (one decision per node, in node id order). */
export function expireSessions(ctx: ControllerContext, fx: Fx): void {
  const working = ctx.working;
  if (working === undefined) return;
  const ids = Object.keys(working.nodes).map(Number).sort((a, b) => a - b);
  for (const id of ids) {
    if (working.nodes[String(id)]?.state === 'fenced') continue;
    if ((ctx.sessions[String(id)] ?? -Infinity) > ctx.nowMs) continue;
    const records = decideFenceNode(working, id, decideEnv(ctx));
    if (records.length === 0) continue;
    logLine(fx, 'info', 'nodeSessionExpired', { nodeId: id });
    propose(ctx, fx, records, undefined);
  }
}
