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
 */
import { coordinatorAddress } from '../../actors/kit/addresses.js';
import { groupPartition, OFFSETS_TOPIC, type FindCoordinatorReply } from '../../actors/coordinator/protocol.js';
import { unfencedNodeIds, type MetadataImage } from '../../actors/metadata/image.js';
import { topicsOf } from './image-view.js';

export function parseFindCoordinator(body: unknown): { ok: true; groupId: string } | { ok: false; message: string } {
  const groupId = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['groupId'] : undefined;
  if (typeof groupId !== 'string' || groupId.length > 255) return { ok: false, message: 'findCoordinator.groupId must be a string of at most 255 characters' };
  return { ok: true, groupId };
}

/** The answer, and the createTopic request to send when the offsets topic does not exist yet. */
export function findCoordinator(image: MetadataImage, groupId: string, partitions: number):
    { reply: FindCoordinatorReply; create?: { name: string; partitions: number; replicationFactor: number; configs: Record<string, string>; internal: true } } {
  if (groupId === '') return { reply: { code: 'INVALID_GROUP_ID', message: 'the group id is empty' } };
  const topic = topicsOf(image).find((t) => t.name === OFFSETS_TOPIC);
  if (topic === undefined) {
    const replicationFactor = Math.max(1, Math.min(3, unfencedNodeIds(image).length));
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
