/**
 * The leader's placement work on each tick, all decided from the working image so that a new
 * leader resumes whatever the log says is in progress:
 * - finish every reassignment whose target replicas are all in the ISR;
 * - mark drained nodes decommissioned;
 * - start the next moves of a decommission or balance plan while fewer than
 *   `reassignment.max.concurrent` reassignments run, and record the plan's end (or its start, for
 *   nodes that joined and are now unfenced) in the log;
 * - every `leader.imbalance.check.interval.seconds`, elect preferred leaders of imbalanced nodes.
 */
import { assert } from '../assert.js';
import type { ControllerContext } from './types.js';
import { aliveIn } from '../metadata/decide-nodes.js';
import { planBalance, planEvacuation, type Move } from '../metadata/balance.js';
import { clusterFlag, clusterNumber } from '../metadata/cluster-configs.js';
import { decideDecommissionDone, drainingNodeIds } from '../metadata/decommission.js';
import { decideLeaderRebalance } from '../metadata/elect-leaders.js';
import { balancePlan, getNode, reassigning, type MetadataImage } from '../metadata/image.js';
import type { MetadataRecord } from '../metadata/records.js';
import { decideReassignmentProgress, reassignmentCount, startReassignment } from '../metadata/reassign.js';
import { lastIndex } from './log.js';
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
  assert(working().offset === lastIndex(ctx.log), 'placement decides on the working image at the last index');
  const finished = decideReassignmentProgress(working(), aliveIn(working(), decideEnv(ctx)), ctx.knobs.dropRemovingReplicasEarly);
  if (finished.length > 0) {
    logLine(fx, 'info', 'reassignmentsCompleted', { partitions: finished.map((r) => `${r.topicId}/${r.partition}`) });
    assert(oneEach(finished), 'one reassignment step per partition');
    propose(ctx, fx, finished, undefined);
  }
  const drained = decideDecommissionDone(working());
  if (drained.length > 0) propose(ctx, fx, drained, undefined);
  if (ctx.nowMs >= ctx.placement.stepDueMs) {
    ctx.placement = { ...ctx.placement, stepDueMs: ctx.nowMs + PLAN_EVERY_MS };
    noteJoined(ctx, fx, working());
    startPlannedMoves(ctx, fx, working());
  }
  rebalanceLeaders(ctx, fx, working());
}

/** A node that registered for the first time is balanced onto once it is unfenced (when there is anything to move). */
function noteJoined(ctx: ControllerContext, fx: Fx, working: MetadataImage): void {
  const plan = balancePlan(working);
  const ready = plan.awaiting.filter((id) => getNode(working, id)?.state === 'unfenced');
  if (ready.length === 0) return;
  const balancing = plan.balancing || planBalance(working).length > 0;
  propose(ctx, fx, [{ type: 'balancePlanChanged', balancing, awaiting: plan.awaiting.filter((id) => !ready.includes(id)) }], undefined);
}

/** Starts moves of the current plan up to the concurrency limit; moves that only reorder replicas cost nothing and all go. */
function startPlannedMoves(ctx: ControllerContext, fx: Fx, working: MetadataImage): void {
  const draining = drainingNodeIds(working);
  const plan = balancePlan(working);
  if (!plan.balancing && draining.length === 0) return;
  const moves = plan.balancing ? planBalance(working) : planEvacuation(working, draining);
  if (moves.length === 0) {
    if (plan.balancing && reassignmentCount(working) === 0) {
      logLine(fx, 'info', 'balancePlanFinished', {});
      propose(ctx, fx, [{ type: 'balancePlanChanged', balancing: false, awaiting: plan.awaiting }], undefined);
    }
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
  assert(oneEach(records), 'a step starts at most one move per partition');
  assert(records.length <= moves.length, 'a step starts only planned moves');
  if (records.length === 0) return;
  logLine(fx, 'info', 'placementMovesStarted', { moves: records.length, balancing: plan.balancing, draining });
  propose(ctx, fx, records, undefined);
}

/** No two records of one partition: each would carry the same partition epoch (seed 770331). */
function oneEach(records: readonly MetadataRecord[]): boolean {
  const keys = records.map((r) => r.type === 'partitionChanged' ? `${r.topicId}/${r.partition}` : r.type);
  return new Set(keys).size === keys.length;
}

function sameSet(move: Move): boolean {
  return move.replicas.length === move.target.length && move.target.every((id) => move.replicas.includes(id));
}

function rebalanceLeaders(ctx: ControllerContext, fx: Fx, working: MetadataImage): void {
  const intervalMs = clusterNumber(working, 'leader.imbalance.check.interval.seconds') * 1000;
  assert(intervalMs >= 1000, 'the imbalance check runs at most once a second');
  const due = ctx.placement.imbalanceCheckDueMs;
  if (due === undefined) { ctx.placement = { ...ctx.placement, imbalanceCheckDueMs: ctx.nowMs + intervalMs }; return; }
  if (ctx.nowMs < due) return;
  ctx.placement = { ...ctx.placement, imbalanceCheckDueMs: ctx.nowMs + intervalMs };
  if (!clusterFlag(working, 'auto.leader.rebalance.enable')) return;
  const records = decideLeaderRebalance(working, aliveIn(working, decideEnv(ctx)));
  assert(oneEach(records), 'one election per partition');
  if (records.length === 0) return;
  logLine(fx, 'info', 'preferredLeadersElected', { partitions: records.length });
  propose(ctx, fx, records, undefined);
}
