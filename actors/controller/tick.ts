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
  discountOwnStall(ctx);
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
  const stallMs = ctx.nowMs - ctx.lastTickMs - ctx.knobs.tickMs;
  ctx.lastTickMs = ctx.nowMs;
  if (stallMs <= ctx.knobs.heartbeatIntervalMs) return;
  ctx.electionDeadlineMs += stallMs;
  ctx.lastLeaderContactMs += stallMs;
  const followers: ControllerContext['followers'] = {};
  for (const [id, p] of Object.entries(ctx.followers)) followers[id] = { ...p, lastContactMs: p.lastContactMs + stallMs };
  ctx.followers = followers;
  const sessions: Record<string, number> = {};
  for (const [id, deadlineMs] of Object.entries(ctx.sessions)) sessions[id] = deadlineMs + stallMs;
  ctx.sessions = sessions;
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
