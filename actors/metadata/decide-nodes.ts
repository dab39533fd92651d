/**
 * Node lifecycle decisions (KRaft's ClusterControlManager, simplified): registration, heartbeats
 * (unfence once caught up, controlled shutdown), and fencing on session expiry. Pure: each returns
 * the records to append and the reply, and never touches the image.
 */
import { assert } from '../assert.js';
import type { ErrorReply } from '../errors.js';
import { getNode, type MetadataImage } from './image.js';
import type { MetadataRecord } from './records.js';
import { electOnUnfence, moveAwayFrom } from './decide-partitions.js';
import type { Decision, DecideEnv } from './decision.js';

/** `kafkaListener`: the `host:port` of the node's Kafka listener, advertised to Kafka clients in Metadata. */
export interface RegisterNode { nodeId: number; incarnationId: string; clusterId: string; rack?: string; address: string; kafkaListener?: string }
export type RegisterNodeReply = { code: 'OK'; nodeEpoch: number } | ErrorReply;

export interface NodeHeartbeat { nodeId: number; nodeEpoch: number; appliedOffset: number; wantShutdown?: boolean }

/** A node may lead and be in an ISR when it is unfenced in the image and its session is alive. */
export function aliveIn(image: MetadataImage, env: DecideEnv): (nodeId: number) => boolean {
  return (id) => getNode(image, id)?.state === 'unfenced' && env.sessionAlive(id);
}

export function decideRegisterNode(image: MetadataImage, command: RegisterNode, env: DecideEnv): Decision<RegisterNodeReply> {
  if (command.clusterId !== env.clusterId) {
    return { records: [], reply: { code: 'INCONSISTENT_CLUSTER_ID', message: `node belongs to cluster '${command.clusterId}', this is '${env.clusterId}'` } };
  }
  const existing = getNode(image, command.nodeId);
  if (existing !== undefined && existing.incarnationId === command.incarnationId) {
    return { records: [], reply: { code: 'OK', nodeEpoch: existing.nodeEpoch } }; // A retried registration.
  }
  // A live session refuses a new incarnation only once that session was heard under this leader.
  if (existing !== undefined && existing.state !== 'fenced' && env.sessionAlive(command.nodeId) && env.sessionHeard(command.nodeId)) {
    return { records: [], reply: { code: 'NODE_ID_IN_USE', message: `node ${command.nodeId} is registered by a live incarnation` } };
  }
  // The old incarnation is gone: move its leaderships first, then register the new one fenced.
  const records: MetadataRecord[] = existing === undefined ? []
    : moveAwayFrom(image, command.nodeId, (id) => id !== command.nodeId && aliveIn(image, env)(id), false);
  // The decision is one entry (actors/controller/replication.ts, propose): its offset is the new epoch.
  const nodeEpoch = env.nextOffset;
  records.push({ type: 'nodeRegistered', nodeId: command.nodeId, nodeEpoch, incarnationId: command.incarnationId,
    address: command.address, ...(command.rack !== undefined ? { rack: command.rack } : {}),
    ...(command.kafkaListener !== undefined ? { kafkaListener: command.kafkaListener } : {}) });
  assert(existing === undefined || nodeEpoch > existing.nodeEpoch, 'a registration gets a newer node epoch');
  // The new incarnation starts fenced with an empty view: it must lead nothing the old one led.
  assert(records.every((r) => r.type !== 'partitionChanged' || r.leader !== command.nodeId), `node ${command.nodeId}'s old incarnation keeps a leadership`);
  return { records, reply: { code: 'OK', nodeEpoch } };
}

/** Epoch checks shared by requests that name a node and its epoch. */
export function checkNodeEpoch(image: MetadataImage, nodeId: number, nodeEpoch: number): ErrorReply | undefined {
  const node = getNode(image, nodeId);
  if (node === undefined) return { code: 'NODE_NOT_REGISTERED', message: `node ${nodeId} is not registered` };
  if (nodeEpoch !== node.nodeEpoch) return { code: 'STALE_NODE_EPOCH', message: `node epoch ${nodeEpoch}, registered ${node.nodeEpoch}` };
  return undefined;
}

/**
 * The records a heartbeat triggers. The reply itself (records to catch up on, fenced, shutdownReady)
 * is built from the committed image by the controller; a heartbeat never waits for its own records.
 */
export function decideHeartbeat(image: MetadataImage, command: NodeHeartbeat, env: DecideEnv): Decision<ErrorReply | { code: 'OK' }> {
  const refused = checkNodeEpoch(image, command.nodeId, command.nodeEpoch);
  if (refused !== undefined) return { records: [], reply: refused };
  const node = getNode(image, command.nodeId);
  assert(node !== undefined, 'checked above');
  const { nodeId, nodeEpoch } = node;
  if (command.wantShutdown === true) {
    if (node.state === 'shuttingDown') return { records: [], reply: { code: 'OK' } };
    const moves = moveAwayFrom(image, nodeId, (id) => id !== nodeId && aliveIn(image, env)(id), true);
    assert(moves.every((m) => m.leader !== nodeId && !m.isr.includes(nodeId)), `node ${nodeId} shutting down keeps a leadership or an ISR place`);
    return { records: [{ type: 'nodeShuttingDown', nodeId, nodeEpoch }, ...moves], reply: { code: 'OK' } };
  }
  if (node.state === 'fenced' && command.appliedOffset >= nodeEpoch) {
    return { records: [{ type: 'nodeUnfenced', nodeId, nodeEpoch }, ...electOnUnfence(image, nodeId)], reply: { code: 'OK' } };
  }
  return { records: [], reply: { code: 'OK' } };
}

/** Session expiry: fence the node and move its partitions (nothing when it is already fenced). */
export function decideFenceNode(image: MetadataImage, nodeId: number, env: DecideEnv): MetadataRecord[] {
  const node = getNode(image, nodeId);
  if (node === undefined || node.state === 'fenced') return [];
  const moves = moveAwayFrom(image, nodeId, (id) => id !== nodeId && aliveIn(image, env)(id), false);
  return [{ type: 'nodeFenced', nodeId, nodeEpoch: node.nodeEpoch }, ...moves];
}
