/**
 * `findCoordinator { groupId }` on the metadata address: which node's coordinator serves a group,
 * from the node's own image. The first lookup in a cluster finds no `__consumer_offsets`: the node
 * asks the controller to create it (internal, never deleted by retention) and answers
 * COORDINATOR_NOT_AVAILABLE until it exists and its partition has a leader.
 *
 * A topic's creation is several metadata records (topicCreated, then one partitionAdded each) and
 * a node can apply a committed prefix of them. Hashing a group over the partitions seen so far
 * would send its members to different coordinators, each handing out every partition; so until
 * the topic has the configured `offsetsTopicPartitions` (a cluster-wide setting, as Kafka's
 * offsets.topic.num.partitions) the answer is COORDINATOR_NOT_AVAILABLE.
 *
 * The replication factor is min(3, nodes of the cluster), counting registered nodes that are down
 * too, and the topic is created only once that many can take a replica (Kafka's
 * offsets.topic.replication.factor: creation waits until the cluster meets it). Sizing it by the
 * nodes up at that moment would leave a topic created during a node's restart one replica short for
 * good: with min.insync.replicas 2 and two replicas, every ISR shrink stops every group's writes.
 */
import { coordinatorAddress } from '../../actors/kit/addresses.js';
import { groupPartition, OFFSETS_TOPIC, type FindCoordinatorReply } from '../../actors/coordinator/protocol.js';
import { placeableNodeIds, type MetadataImage } from '../../actors/metadata/image.js';
import { topicsOf } from './image-view.js';

export function parseFindCoordinator(body: unknown): { ok: true; groupId: string } | { ok: false; message: string } {
  const groupId = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['groupId'] : undefined;
  if (typeof groupId !== 'string' || groupId.length > 255) return { ok: false, message: 'findCoordinator.groupId must be a string of at most 255 characters' };
  return { ok: true, groupId };
}

/** min(3, the cluster's nodes): registered and not leaving the cluster, whether up now or not. */
export function offsetsReplicationFactor(image: MetadataImage): number {
  const nodes = Object.values(image.nodes).filter((n) => n.decommission === undefined).length;
  return Math.max(1, Math.min(3, nodes));
}

/** The answer, and the createTopic request to send when the offsets topic does not exist yet. */
export function findCoordinator(image: MetadataImage, groupId: string, partitions: number):
    { reply: FindCoordinatorReply; create?: { name: string; partitions: number; replicationFactor: number; configs: Record<string, string>; internal: true } } {
  if (groupId === '') return { reply: { code: 'INVALID_GROUP_ID', message: 'the group id is empty' } };
  const topic = topicsOf(image).find((t) => t.name === OFFSETS_TOPIC);
  if (topic === undefined) {
    const replicationFactor = offsetsReplicationFactor(image);
    const available = placeableNodeIds(image).length;
    if (available < replicationFactor) {
      return { reply: { code: 'COORDINATOR_NOT_AVAILABLE', message: `${OFFSETS_TOPIC} needs ${replicationFactor} nodes up to be created, ${available} are` } };
    }
    return { reply: { code: 'COORDINATOR_NOT_AVAILABLE', message: `creating ${OFFSETS_TOPIC}` },
      create: { name: OFFSETS_TOPIC, partitions, replicationFactor, configs: { 'retention.ms': '-1' }, internal: true } };
  }
  if (topic.partitions.length < partitions) {
    return { reply: { code: 'COORDINATOR_NOT_AVAILABLE', message: `${OFFSETS_TOPIC} has ${topic.partitions.length} of its ${partitions} partitions yet` } };
  }
  const partition = groupPartition(groupId, topic.partitions.length);
  const state = topic.partitions[partition];
  if (state === undefined || state.leader < 0) return { reply: { code: 'COORDINATOR_NOT_AVAILABLE', message: `partition ${partition} has no leader` } };
  return { reply: { code: 'OK', partition, nodeId: state.leader, leaderEpoch: state.leaderEpoch, address: coordinatorAddress(partition, state.leader) } };
}
