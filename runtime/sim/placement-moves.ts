/**
 * Placement changes in the stream simulation, drawn from the seed's `placement` fork (so no other
 * draw moves). About half the runs move partitions, some several times: each move is resolved
 * against the image when it is sent (like a role fault), swapping one or more of a partition's
 * replicas for nodes that hold none of it, so that data really moves (in a cluster with no spare
 * node the move only reorders replicas: a leader change). Some runs decommission a node, ask for a
 * balance plan, or throttle moves. Faults aimed at the moves join the fault plan, so they replay and
 * shrink like the others: a crash of a replica being added while it catches up, of the moving
 * partition's leader, and of the controller leader while a move, a drain or a plan is under way
 * (the new leader must carry on).
 *
 * After healing, liveness requires every plan to be finished or cleanly cancelled
 * (`placementPending`): no reassignment in progress, no node still draining, no balance plan running.
 */
import type { MetadataImage } from '../../actors/metadata/image.js';
import { balancePlan, reassigning } from '../../actors/metadata/image.js';
import { acceptsReplicas, targetReplicas } from '../../actors/metadata/reassign.js';
import type { Rpc } from '../rpc.js';
import { CONTROLLER_FOR_ADMIN } from '../../actors/kit/addresses.js';
import type { Random } from '../random.js';
import type { ClusterSim } from './cluster.js';
import type { FaultOp } from './faults.js';
import { sometimes } from './sometimes.js';

export interface PlacementPlanConfig { topic: string; nodeIds: number[]; partitions: number; replicationFactor: number }

/** A step of the plan; a move names how to change the partition, not the replicas (they are read when it is sent). */
export type PlacementStep =
  /** `slots`: replica positions to refill, in order; `order`: the nodes to refill them from, in order. */
  | { atMs: number; kind: 'move'; partition: number; slots: number[]; order: number[]; cancelAfterMs?: number }
  | { atMs: number; kind: 'decommission'; nodeId: number }
  | { atMs: number; kind: 'balance' }
  | { atMs: number; kind: 'throttle'; bytesPerSec: number };

export interface PlacementPlan { steps: PlacementStep[]; faults: FaultOp[] }

/** Role-fault pairs of placement faults start here, clear of the role plan's (runtime/sim/faults.ts). */
const PAIR_BASE = 1000;

function shuffled(random: Random, items: readonly number[]): number[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [out[i], out[j]] = [out[j] as number, out[i] as number];
  }
  return out;
}

/** Draws the run's placement steps and the faults aimed at them, times relative to the workload's start. */
export function drawPlacementPlan(random: Random, config: PlacementPlanConfig, durationMs: number): PlacementPlan {
  const steps: PlacementStep[] = [];
  const faults: FaultOp[] = [];
  const fromMs = 500;
  const toMs = durationMs - 2000;
  if (toMs <= fromMs) return { steps, faults };
  let pair = PAIR_BASE;
  const crash = (role: FaultOp['role'] & string, atMs: number, downMs: number, partition?: number): void => {
    const of = partition === undefined ? {} : { partition: { topic: config.topic, partition } };
    faults.push({ atMs, op: 'crash', nodes: [], role, pair, ...of }, { atMs: atMs + downMs, op: 'restart', nodes: [], role, pair, ...of });
    pair++;
  };
  if (random.chance(0.3)) steps.push({ atMs: fromMs, kind: 'throttle', bytesPerSec: random.pick([20_000, 100_000, 500_000]) });
  if (random.chance(0.5)) {
    const count = random.int(1, 4);
    for (let i = 0; i < count; i++) {
      const atMs = random.int(fromMs, toMs);
      const slots = shuffled(random, Array.from({ length: config.replicationFactor }, (_, k) => k)).slice(0, random.int(1, config.replicationFactor));
      // Half the moves replace the preferred leader (usually the leader): leadership must be handed over.
      if (random.chance(0.5) && !slots.includes(0)) slots.unshift(0);
      const step: PlacementStep = { atMs, kind: 'move', partition: random.int(0, config.partitions - 1), slots, order: shuffled(random, config.nodeIds) };
      if (random.chance(0.15)) step.cancelAfterMs = random.int(50, 1500);
      steps.push(step);
      if (random.chance(0.4)) crash('addingReplica', atMs + random.int(20, 800), random.int(200, 2000));
      // The leader of the moving partition fails: a replica still catching up must not be elected.
      if (random.chance(0.5)) crash('partitionLeader', atMs + random.int(50, 1500), random.int(200, 2000), step.partition);
      if (random.chance(0.2)) crash('controllerLeader', atMs + random.int(20, 500), random.int(300, 1500));
    }
  }
  if (config.nodeIds.length > config.replicationFactor && random.chance(0.2)) {
    const atMs = random.int(fromMs, toMs);
    steps.push({ atMs, kind: 'decommission', nodeId: random.pick(config.nodeIds) });
    if (random.chance(0.4)) crash('controllerLeader', atMs + random.int(50, 1000), random.int(300, 1500));
    if (random.chance(0.3)) crash('addingReplica', atMs + random.int(50, 1000), random.int(200, 2000));
  }
  if (random.chance(0.25)) {
    const atMs = random.int(fromMs, toMs);
    steps.push({ atMs, kind: 'balance' });
    if (random.chance(0.4)) crash('controllerLeader', atMs + random.int(20, 800), random.int(300, 1500));
  }
  return { steps, faults };
}

/**
 * The replicas a move step asks for now: its slots refilled from nodes that may take a replica
 * and hold none of the partition, or, with no such node, the replicas rotated (a new preferred leader).
 */
export function resolveMove(image: MetadataImage, topic: string, step: PlacementStep & { kind: 'move' }): number[] | undefined {
  const p = image.topics[topic]?.partitions[step.partition];
  if (p === undefined) return undefined;
  const current = targetReplicas(p);
  const spare = step.order.filter((id) => !current.includes(id) && acceptsReplicas(image, id));
  const target = [...current];
  for (const slot of step.slots) {
    const newcomer = spare.shift();
    if (newcomer === undefined || slot >= target.length) break;
    target[slot] = newcomer;
  }
  if (target.join(',') === current.join(',')) return [...current.slice(1), ...current.slice(0, 1)];
  return target;
}

type Request = { type: string; body: Record<string, unknown> } | undefined;

function request(step: PlacementStep, image: MetadataImage | undefined, topic: string): Request {
  switch (step.kind) {
    case 'move': {
      const replicas = image === undefined ? undefined : resolveMove(image, topic, step);
      return replicas === undefined ? undefined : { type: 'alterPartitionReassignments', body: { topic, partition: step.partition, replicas } };
    }
    case 'decommission': return { type: 'decommissionNode', body: { nodeId: step.nodeId } };
    case 'balance': return { type: 'balanceCluster', body: { dryRun: false } };
    case 'throttle': return { type: 'alterClusterConfigs', body: { configs: { 'replica.move.throttle.bytes.per.sec': String(step.bytesPerSec) } } };
    default: { const never: never = step; throw new Error(`unknown placement step ${String(never)}`); }
  }
}

const STARTED: Record<PlacementStep['kind'], string> = {
  move: 'reassignment-started', decommission: 'decommission-started', balance: 'balance-started', throttle: 'move-throttled',
};

/**
 * Sends each step at `startMs + atMs`, resolved then against the first up node's image, retrying
 * while no controller answers (refusals are part of the test); a move with `cancelAfterMs` is
 * cancelled that long after it was accepted.
 */
export function schedulePlacementSteps(sim: ClusterSim, rpc: Rpc, topic: string, steps: readonly PlacementStep[], startMs: number): void {
  const image = (): MetadataImage | undefined => sim.up()[0]?.brook?.metadata.image;
  const call = (make: () => Request, onOk: () => void): void => {
    let attempts = 0;
    const send = (): void => {
      const r = make();
      if (r === undefined) { if (++attempts < 20) sim.world.scheduler.at(200, send); return; }
      rpc.call(CONTROLLER_FOR_ADMIN, r.type, r.body, {}, (result) => {
        const code = result.ok ? (result.envelope.body as { code?: string }).code : undefined;
        if (code === 'OK') onOk();
        else if ((code === undefined || code === 'NOT_CONTROLLER') && ++attempts < 20) sim.world.scheduler.at(200, send);
      });
    };
    send();
  };
  for (const step of steps) {
    sim.world.scheduler.at(startMs + step.atMs - sim.world.scheduler.nowMs, () => call(() => request(step, image(), topic), () => {
      sometimes(STARTED[step.kind]);
      if (step.kind !== 'move' || step.cancelAfterMs === undefined) return;
      sim.world.scheduler.at(step.cancelAfterMs, () => call(
        () => ({ type: 'alterPartitionReassignments', body: { topic, partition: step.partition, replicas: null } }),
        () => sometimes('reassignment-cancelled')));
    }));
  }
}

/** The liveness condition: after healing, every plan is finished or cancelled. */
export function placementPending(image: MetadataImage | undefined): string | undefined {
  for (const topic of Object.values(image?.topics ?? {})) {
    const p = topic.partitions.findIndex(reassigning);
    if (p >= 0) return `reassignment of ${topic.name}/${p} still in progress`;
  }
  const draining = Object.values(image?.nodes ?? {}).find((n) => n.decommission === 'draining');
  if (draining !== undefined) return `node ${draining.nodeId} still draining`;
  if (image !== undefined && balancePlan(image).balancing) return 'a balance plan still running';
  return undefined;
}
