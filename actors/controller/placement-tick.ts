/**
 * The leader's placement work on each tick, all decided from the working image so that a new
 * leader resumes whatever the log says is in progress:
 * - finish every reassignment whose target replicas are all in the ISR;
 * - mark drained nodes decommissioned;
 * - start the next moves of a decommission or balance plan while fewer than
 *   `reassignment.max.concurrent` reassignments run;
 * - every `leader.imbalance.check.interval.seconds`, elect preferred leaders of imbalanced nodes.
 */
import { assert } from '../assert.js';
import type { ControllerContext } from './types.js';
import { aliveIn } from '../metadata/decide-nodes.js';
import { planBalance, planEvacuation, type Move } from '../metadata/balance.js';
import { clusterFlag, clusterNumber } from '../metadata/cluster-configs.js';
import { decideDecommissionDone, drainingNodeIds } from '../metadata/decommission.js';
import { decideLeaderRebalance } from '../metadata/elect-leaders.js';
import { getNode, reassigning, type MetadataImage } from '../metadata/image.js';
import type { MetadataRecord } from '../metadata/records.js';
import { decideReassignmentProgress, reassignmentCount, startReassignment } from '../metadata/reassign.js';
import { propose } from './replication.js';
import { decideEnv } from './requests.js';
import { logLine, type Fx } from '../kit/fx.js';

/** Plans are recomputed at most this often (a plan costs a pass over every partition). */
const PLAN_EVERY_MS = 100;

export function placementTick(ctx: ControllerContext, fx: Fx): void {
  if (ctx.role !== 'leader' || ctx.working === undefined) return;
  // Each step decides on the working image as the steps before it left it: two steps deciding on
  // one image wrote two records for a partition with the same partition epoch (seed 770331: a move
  // started and a preferred leader elected in one tick).
  const working = (): MetadataImage => {
    const image = ctx.working;
    assert(image !== undefined, 'a leader has a working image');
    return image;
  };
  const finished = decideReassignmentProgress(working(), aliveIn(working(), decideEnv(ctx)), ctx.knobs.dropRemovingReplicasEarly);
  if (finished.length > 0) {
    logLine(fx, 'info', 'reassignmentsCompleted', { partitions: finished.map((r) => `${r.topicId}/${r.partition}`) });
    propose(ctx, fx, finished, undefined);
  }
  const drained = decideDecommissionDone(working());
  if (drained.length > 0) propose(ctx, fx, drained, undefined);
  if (ctx.nowMs >= ctx.placement.stepDueMs) {
    ctx.placement = { ...ctx.placement, stepDueMs: ctx.nowMs + PLAN_EVERY_MS };
    noteJoined(ctx, working());
    startPlannedMoves(ctx, fx, working());
  }
  rebalanceLeaders(ctx, fx, working());
}

/** A node that registered for the first time is balanced onto once it is unfenced. */
function noteJoined(ctx: ControllerContext, working: MetadataImage): void {
  const ready = ctx.placement.joined.filter((id) => getNode(working, id)?.state === 'unfenced');
  if (ready.length === 0) return;
  const joined = ctx.placement.joined.filter((id) => !ready.includes(id));
  ctx.placement = { ...ctx.placement, joined, balancing: ctx.placement.balancing || clusterFlag(working, 'auto.balance.on.join') };
}

/** Starts moves of the current plan up to the concurrency limit; moves that only reorder replicas cost nothing and all go. */
function startPlannedMoves(ctx: ControllerContext, fx: Fx, working: MetadataImage): void {
  const draining = drainingNodeIds(working);
  if (!ctx.placement.balancing && draining.length === 0) return;
  const moves = ctx.placement.balancing ? planBalance(working) : planEvacuation(working, draining);
  if (moves.length === 0) {
    if (ctx.placement.balancing && reassignmentCount(working) === 0) ctx.placement = { ...ctx.placement, balancing: false };
    return;
  }
  let room = clusterNumber(working, 'reassignment.max.concurrent') - reassignmentCount(working);
  const records: MetadataRecord[] = [];
  for (const move of moves) {
    const reorder = sameSet(move);
    if (!reorder && room <= 0) continue;
    const topic = working.topics[move.topic];
    const p = topic?.partitions[move.partition];
    if (topic === undefined || p === undefined || reassigning(p)) continue;
    records.push(startReassignment(topic, move.partition, p, move.target));
    if (!reorder) room--;
  }
  if (records.length === 0) return;
  logLine(fx, 'info', 'placementMovesStarted', { moves: records.length, balancing: ctx.placement.balancing, draining });
  propose(ctx, fx, records, undefined);
}

function sameSet(move: Move): boolean {
  return move.replicas.length === move.target.length && move.target.every((id) => move.replicas.includes(id));
}

function rebalanceLeaders(ctx: ControllerContext, fx: Fx, working: MetadataImage): void {
  const intervalMs = clusterNumber(working, 'leader.imbalance.check.interval.seconds') * 1000;
  const due = ctx.placement.imbalanceCheckDueMs;
  if (due === undefined) { ctx.placement = { ...ctx.placement, imbalanceCheckDueMs: ctx.nowMs + intervalMs }; return; }
  if (ctx.nowMs < due) return;
  ctx.placement = { ...ctx.placement, imbalanceCheckDueMs: ctx.nowMs + intervalMs };
  if (!clusterFlag(working, 'auto.leader.rebalance.enable')) return;
  const records = decideLeaderRebalance(working, aliveIn(working, decideEnv(ctx)));
  if (records.length === 0) return;
  logLine(fx, 'info', 'preferredLeadersElected', { partitions: records.length });
  propose(ctx, fx, records, undefined);
}
