/** Read-only views of the metadata image in the shapes the node runtime and clients use. */
import { sortedTopics, type MetadataImage } from '../../actors/metadata/image.js';
import type { PartitionState } from '../../actors/partition.js';

/** `addingReplicas`: the replicas a reassignment in progress adds (empty when none). */
export interface TopicView { name: string; topicId: string; configs: Record<string, string>; partitions: Array<PartitionState & { partition: number; addingReplicas: number[] }> }

export function topicsOf(image: unknown): TopicView[] {
  return sortedTopics(image as MetadataImage).map((t) => ({
    name: t.name, topicId: t.topicId, configs: t.configs,
    partitions: t.partitions.map((p, partition) => ({ partition, replicas: p.replicas, isr: p.isr, leader: p.leader, leaderEpoch: p.leaderEpoch, partitionEpoch: p.partitionEpoch,
      addingReplicas: p.addingReplicas ?? [] })),
  }));
}
