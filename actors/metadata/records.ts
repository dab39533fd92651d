/**
 * Metadata records: the entries of the controller's Raft log (DESIGN.md section 5, after KRaft's
 * RegisterBrokerRecord, TopicRecord, PartitionRecord, PartitionChangeRecord, ConfigRecord,
 * ProducerIdsRecord). Records are wire format and disk format: never rename a `type`.
 * `replay` (actors/metadata/replay.ts) is the only code that applies them to the image.
 */

/** Topic configs by Kafka's names; values are kept as validated strings, parsed where used. */
export type TopicConfigs = Record<string, string>;

export type MetadataRecord =
  /** A node joined (or rejoined with a new incarnation). `nodeEpoch` increases on every registration. */
  | { type: 'nodeRegistered'; nodeId: number; nodeEpoch: number; incarnationId: string; rack?: string; address: string; kafkaListener?: string }
  /** The node missed its session timeout or shut down: it may not lead or be in an ISR. */
  | { type: 'nodeFenced'; nodeId: number; nodeEpoch: number }
  /** The node caught up with the metadata log after registering. */
  | { type: 'nodeUnfenced'; nodeId: number; nodeEpoch: number }
  /** The node asked to leave (controlled shutdown); it is fenced once its leaderships moved. */
  | { type: 'nodeShuttingDown'; nodeId: number; nodeEpoch: number }
  | { type: 'topicCreated'; name: string; topicId: string; configs: TopicConfigs }
  | { type: 'topicDeleted'; name: string; topicId: string }
  /** A partition's full initial state (topic creation and add-partitions). */
  | { type: 'partitionAdded'; topicId: string; partition: number; replicas: number[]; isr: number[]; leader: number; leaderEpoch: number; partitionEpoch: number }
  /**
   * Leader, ISR or replicas changed. `leaderEpoch` bumps on a leader change; `partitionEpoch` on every change.
   * During a reassignment (KIP-455) `replicas` is the union of the target and the original replicas,
   * `addingReplicas` the targets not yet in the original and `removingReplicas` the originals that leave;
   * both absent (or empty) when no reassignment is in progress.
   */
  | { type: 'partitionChanged'; topicId: string; partition: number; replicas: number[]; isr: number[]; leader: number; leaderEpoch: number; partitionEpoch: number;
      addingReplicas?: number[]; removingReplicas?: number[] }
  | { type: 'configChanged'; topicId: string; configs: TopicConfigs }
  /** Producer ids [firstProducerId, firstProducerId + count) belong to `nodeId`. */
  | { type: 'producerIdsAllocated'; nodeId: number; firstProducerId: number; count: number }
  /** The node is being drained: it gets no new replicas and the controller moves its replicas away. */
  | { type: 'nodeDecommissioning'; nodeId: number }
  /** Every replica has left the node: it stays registered but never gets replicas again. */
  | { type: 'nodeDecommissioned'; nodeId: number }
  /**
   * The balance plan's state, the whole of it after the change: `balancing` while a plan runs (the
   * leader re-plans as moves finish, until nothing is left to move); `awaiting`, nodes that
   * registered for the first time and get their share once unfenced. A record, so that a new
   * controller leader carries on with a plan its predecessor started.
   */
  | { type: 'balancePlanChanged'; balancing: boolean; awaiting: number[] }
  /** Cluster-wide settings (Kafka's dynamic broker configs for the default resource), the whole map after the change. */
  | { type: 'clusterConfigChanged'; configs: TopicConfigs }
  /** A no-op the new Raft leader commits to learn its commit index (Raft §8). */
  | { type: 'leaderChanged'; leaderId: number; term: number }
  /**
   * The records of one decision, in order, as one Raft entry: committed and applied whole or not at
   * all (KRaft appends a decision as one record batch for the same reason). As separate entries a
   * controller failover could commit a prefix: a topic with some of its partitions, a fenced node
   * still leading (seed 943485). Never nested; its records share the entry's offset.
   */
  | { type: 'batch'; records: MetadataRecord[] };

/** The records an entry holds: a batch's, in order, or the record itself. */
export function recordsOf(record: MetadataRecord): readonly MetadataRecord[] {
  return record.type === 'batch' ? record.records : [record];
}

/** One Raft entry for a decision's records: the record itself when there is one, else a batch. */
export function asOneEntry(records: readonly MetadataRecord[]): MetadataRecord {
  const flat = records.flatMap((r) => recordsOf(r));
  return flat.length === 1 ? flat[0] as MetadataRecord : { type: 'batch', records: flat };
}

/** `leader` value of a partition without a leader (Kafka uses -1 too). */
export const NO_LEADER = -1;
