/**
 * Placement requests to the controller leader: reassignment (KIP-455), preferred leader election,
 * decommission, balancing and cluster settings. Each is decided against the working image; records
 * are proposed and the reply waits for them to commit, like every other request. Listing and dry
 * runs answer at once.
 */
import { assert, unreachable } from '../assert.js';
import type { ControllerContext, From, PlacementRequest, PlacementState } from './types.js';
import { aliveIn } from '../metadata/decide-nodes.js';
import type { Decision } from '../metadata/decision.js';
import { decideAlterReassignment, listReassignments } from '../metadata/reassign.js';
import { decideElectLeaders } from '../metadata/elect-leaders.js';
import { planBalance } from '../metadata/balance.js';
import { balancePlan } from '../metadata/image.js';
import { decideDecommission } from '../metadata/decommission.js';
import { checkClusterConfigs, mergedClusterConfigs } from '../metadata/cluster-configs.js';
import { lastIndex } from './log.js';
import { propose } from './replication.js';
import { decideEnv } from './requests.js';
import { notController } from './step.js';
import { reply, replyParams, type Fx } from '../kit/fx.js';

export type { PlacementRequest, PlacementState } from './types.js';

export function initialPlacement(): PlacementState {
  return { imbalanceCheckDueMs: undefined, stepDueMs: 0 };
}

type Request = PlacementRequest & From;

export function onPlacementRequest(ctx: ControllerContext, fx: Fx, m: Request): void {
  const working = ctx.working;
  if (ctx.role !== 'leader' || working === undefined) return reply(fx, m, notController(ctx));
  assert(working.offset === lastIndex(ctx.log), 'placement decides on the working image at the last index');
  const alive = aliveIn(working, decideEnv(ctx));
  switch (m.type) {
    case 'listPartitionReassignments':
      return reply(fx, m, { code: 'OK', reassignments: listReassignments(ctx.image, m.topics) });
    case 'balanceCluster': {
      const moves = planBalance(working);
      const plan = balancePlan(working);
      assert(moves.every((mv) => working.topics[mv.topic]?.partitions[mv.partition] !== undefined), 'a plan moves existing partitions');
      if (m.dryRun || moves.length === 0 || plan.balancing) return reply(fx, m, { code: 'OK', moves });
      ctx.placement = { ...ctx.placement, stepDueMs: ctx.nowMs };
      return decided(ctx, fx, m, { records: [{ type: 'balancePlanChanged', balancing: true, awaiting: plan.awaiting }], reply: { code: 'OK', moves } });
    }
    case 'alterPartitionReassignments': return decided(ctx, fx, m, decideAlterReassignment(working, m, alive));
    case 'electLeaders': return decided(ctx, fx, m, decideElectLeaders(working, m, alive));
    case 'decommissionNode': {
      const decision = decideDecommission(working, m.nodeId);
      if (decision.records.length > 0) ctx.placement = { ...ctx.placement, stepDueMs: ctx.nowMs };
      return decided(ctx, fx, m, decision);
    }
    case 'alterClusterConfigs': {
      const bad = checkClusterConfigs(m.configs);
      if (bad !== undefined) return reply(fx, m, bad);
      return decided(ctx, fx, m, { records: [{ type: 'clusterConfigChanged', configs: mergedClusterConfigs(working, m.configs) }], reply: { code: 'OK' } });
    }
    default: return unreachable(m);
  }
}

function decided<R extends { code: string }>(ctx: ControllerContext, fx: Fx, m: Request, decision: Decision<R>): void {
  if (decision.records.length === 0) return reply(fx, m, decision.reply);
  propose(ctx, fx, decision.records, replyParams(m, decision.reply));
}
