/**
 * Decommissioning a node: the request marks it draining (it gets no new replicas); the controller
 * then moves its replicas away a few reassignments at a time (actors/controller/placement-tick.ts)
 * and marks it decommissioned once no partition lists it.
 */
import { assert } from '../assert.js';
import type { ErrorReply } from '../errors.js';
import { getNode, reassigning, sortedTopics, type MetadataImage } from './image.js';
import type { MetadataRecord } from './records.js';
import { planEvacuation } from './balance.js';
import type { Decision } from './decision.js';

export function decideDecommission(image: MetadataImage, nodeId: number): Decision<{ code: 'OK' } | ErrorReply> {
  const node = getNode(image, nodeId);
  if (node === undefined) return { records: [], reply: { code: 'NODE_NOT_REGISTERED', message: `node ${nodeId} is not registered` } };
  if (node.decommission !== undefined) return { records: [], reply: { code: 'OK' } };
  // Refuse up front what could never finish: a replica with no node to move to.
  const moves = planEvacuation(image, [nodeId]);
  assert(moves.every((m) => !m.target.includes(nodeId)), `an evacuation plan leaves replicas on node ${nodeId}`);
  assert(moves.every((m) => m.target.length === m.replicas.length), 'an evacuation keeps each replication factor');
  for (const topic of sortedTopics(image)) {
    for (const [partition, p] of topic.partitions.entries()) {
      if (!p.replicas.includes(nodeId) || reassigning(p)) continue;
      if (!moves.some((m) => m.topic === topic.name && m.partition === partition)) {
        return { records: [], reply: { code: 'POLICY_VIOLATION', message: `${topic.name}/${partition} has no node left to take its replica from node ${nodeId}` } };
      }
    }
  }
  return { records: [{ type: 'nodeDecommissioning', nodeId }], reply: { code: 'OK' } };
}

/** Draining nodes no partition lists any more: they are decommissioned. */
export function decideDecommissionDone(image: MetadataImage): MetadataRecord[] {
  const out: MetadataRecord[] = [];
  for (const node of Object.values(image.nodes).sort((a, b) => a.nodeId - b.nodeId)) {
    if (node.decommission !== 'draining') continue;
    const holds = Object.values(image.topics).some((t) => t.partitions.some((p) => p.replicas.includes(node.nodeId)));
    if (holds) continue;
    // The ISR and the leader are drawn from the replicas: a node no partition lists neither leads nor is in sync anywhere.
    assert(Object.values(image.topics).every((t) => t.partitions.every((p) => p.leader !== node.nodeId)), `node ${node.nodeId} leads a partition it is no replica of`);
    assert(Object.values(image.topics).every((t) => t.partitions.every((p) => !p.isr.includes(node.nodeId))), `node ${node.nodeId} is in the ISR of a partition it is no replica of`);
    out.push({ type: 'nodeDecommissioned', nodeId: node.nodeId });
  }
  return out;
}

export function drainingNodeIds(image: MetadataImage): number[] {
  return Object.values(image.nodes).filter((n) => n.decommission === 'draining').map((n) => n.nodeId).sort((a, b) => a - b);
}
