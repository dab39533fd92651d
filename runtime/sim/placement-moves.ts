/**
 * Placement changes in the stream simulation: some runs (drawn from the seed's `placement` fork,
 * so no other draw moves) reassign a partition to replicas drawn at random — often a full move onto
 * nodes that hold nothing yet — or decommission a node, in the middle of the fault plan. After
 * healing, liveness requires every reassignment to be finished or cancelled (`reassignmentPending`).
 */
import type { MetadataImage } from '../../actors/metadata/image.js';
import { reassigning } from '../../actors/metadata/image.js';
import type { Rpc } from '../rpc.js';
import { CONTROLLER_FOR_ADMIN } from '../../actors/kit/addresses.js';
import type { Random } from '../random.js';
import type { ClusterSim } from './cluster.js';
import { sometimes } from './sometimes.js';

export interface PlacementPlanConfig { nodeIds: number[]; partitions: number; replicationFactor: number }

type Request = { atMs: number; type: 'alterPartitionReassignments' | 'decommissionNode'; body: Record<string, unknown> };

export function drawPlacementRequests(random: Random, config: PlacementPlanConfig, fromMs: number, toMs: number): Request[] {
  const out: Request[] = [];
  if (toMs <= fromMs) return out;
  if (random.chance(0.35)) {
    const pool = [...config.nodeIds];
    const target: number[] = [];
    while (target.length < config.replicationFactor && pool.length > 0) target.push(pool.splice(random.int(0, pool.length - 1), 1)[0] as number);
    out.push({ atMs: random.int(fromMs, toMs), type: 'alterPartitionReassignments',
      body: { topic: 'sim', partition: random.int(0, config.partitions - 1), replicas: target } });
  }
  if (config.nodeIds.length > config.replicationFactor && random.chance(0.15)) {
    out.push({ atMs: random.int(fromMs, toMs), type: 'decommissionNode', body: { nodeId: random.pick(config.nodeIds) } });
  }
  return out;
}

/** Sends each request at its time, retrying while no controller answers (refusals are part of the test). */
export function schedulePlacementRequests(sim: ClusterSim, rpc: Rpc, topic: string, requests: Request[]): void {
  for (const r of requests) {
    const body = r.type === 'alterPartitionReassignments' ? { ...r.body, topic } : r.body;
    let attempts = 0;
    const send = (): void => {
      rpc.call(CONTROLLER_FOR_ADMIN, r.type, body, {}, (result) => {
        const code = result.ok ? (result.envelope.body as { code?: string }).code : undefined;
        if (code === 'OK') sometimes(r.type === 'decommissionNode' ? 'decommission-started' : 'reassignment-started');
        else if ((code === undefined || code === 'NOT_CONTROLLER') && ++attempts < 20) sim.world.scheduler.at(200, send);
      });
    };
    sim.world.scheduler.at(r.atMs - sim.world.scheduler.nowMs, send);
  }
}

/** The liveness condition: after healing, no reassignment may be left in progress. */
export function reassignmentPending(image: MetadataImage | undefined): string | undefined {
  for (const topic of Object.values(image?.topics ?? {})) {
    const p = topic.partitions.findIndex(reassigning);
    if (p >= 0) return `reassignment of ${topic.name}/${p} still in progress`;
  }
  return undefined;
}
