/**
 * Every metric a node exports, in one prom-client registry. Names follow Kafka's JMX names where
 * Kafka has one (`<type>_<name>` in snake case under `brook_`; the README maps each to its MBean),
 * Prometheus conventions otherwise (`_total` counters, `_seconds` and `_bytes` units). Labels
 * are bounded: topic, partition and group values come only from the cluster's own metadata and
 * are capped by the collectors (runtime/http/node-collector.ts), request and error labels come
 * from closed sets.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Kafka's request names for the requests whose time is measured (RequestMetrics `request=`). */
export type RequestName = 'Produce' | 'FetchConsumer' | 'FetchFollower';

export class BrookMetrics {
  readonly registry = new Registry();

  // ---- ReplicaManager: partitions this node leads or hosts (from its metadata image) ----
  readonly underReplicated = this.gauge('brook_replica_manager_under_replicated_partitions', 'Partitions this node leads whose ISR is smaller than their replica set');
  readonly underMinIsr = this.gauge('brook_replica_manager_under_min_isr_partition_count', 'Partitions this node leads whose ISR is below min.insync.replicas');
  readonly atMinIsr = this.gauge('brook_replica_manager_at_min_isr_partition_count', 'Partitions this node leads whose ISR is exactly min.insync.replicas');
  readonly leaderCount = this.gauge('brook_replica_manager_leader_count', 'Partitions this node leads');
  readonly partitionCount = this.gauge('brook_replica_manager_partition_count', 'Partition replicas this node hosts');
  readonly isrShrinks = this.counter('brook_replica_manager_isr_shrinks_total', 'ISR shrinks this node proposed as leader and the controller committed');
  readonly isrExpands = this.counter('brook_replica_manager_isr_expands_total', 'ISR expansions this node proposed as leader and the controller committed');

  // ---- controller (non-zero only on the active controller, like Kafka's) ----
  readonly activeController = this.gauge('brook_controller_active_controller_count', '1 on the node whose controller replica leads the quorum, else 0');
  readonly offlinePartitions = this.gauge('brook_controller_offline_partitions_count', 'Partitions without a leader');
  readonly globalTopics = this.gauge('brook_controller_global_topic_count', 'Topics in the cluster');
  readonly globalPartitions = this.gauge('brook_controller_global_partition_count', 'Partitions in the cluster');
  readonly fencedNodes = this.gauge('brook_controller_fenced_broker_count', 'Registered nodes that are fenced');
  readonly activeNodes = this.gauge('brook_controller_active_broker_count', 'Registered nodes that are unfenced');
  readonly preferredImbalance = this.gauge('brook_controller_preferred_replica_imbalance_count', 'Partitions led by a replica other than the preferred (first) one');

  // ---- Raft (controller voters only) ----
  readonly raftEpoch = this.gauge('brook_raft_current_epoch', 'Raft term of this controller replica');
  readonly raftLeader = this.gauge('brook_raft_current_leader', 'Node id of the controller leader this replica knows, -1 when none');
  readonly raftHighWatermark = this.gauge('brook_raft_high_watermark', 'Raft commit index of this controller replica');
  readonly raftLogEnd = this.gauge('brook_raft_log_end_offset', 'Last Raft index in this controller replica\'s log');
  readonly raftState = this.gauge('brook_raft_current_state', '1 for the state this controller replica is in', ['state']);
  readonly raftElectionsWon = this.counter('brook_raft_elections_won_total', 'Elections this controller replica won (sum over voters: elections in the cluster)');

  // ---- BrokerTopicMetrics: data through this node ----
  readonly messagesIn = this.counter('brook_broker_topic_messages_in_total', 'Records appended by this node as leader (produce acknowledged, or acks=0 received)', ['topic']);
  readonly bytesIn = this.counter('brook_broker_topic_bytes_in_total', 'Record bytes appended by this node as leader', ['topic']);
  readonly messagesOut = this.counter('brook_broker_topic_messages_out_total', 'Records sent to consumers', ['topic']);
  readonly bytesOut = this.counter('brook_broker_topic_bytes_out_total', 'Record bytes sent to consumers', ['topic']);
  readonly replicationBytesIn = this.counter('brook_broker_topic_replication_bytes_in_total', 'Record bytes this node fetched as a follower');
  readonly replicationBytesOut = this.counter('brook_broker_topic_replication_bytes_out_total', 'Record bytes this node sent to followers');

  // ---- RequestMetrics ----
  readonly requestTime = new Histogram({ name: 'brook_request_total_time_seconds', help: 'Time from a request\'s arrival to its reply (fetches include their long-poll wait)',
    labelNames: ['request'], buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [this.registry] });
  readonly requestErrors = this.counter('brook_request_errors_total', 'Requests answered with an error, by error code', ['request', 'error']);

  // ---- Log and Partition: per hosted replica (or per topic above the cap) ----
  readonly logSize = this.gauge('brook_log_size_bytes', 'Bytes of record batches in the replica\'s log', ['topic', 'partition']);
  readonly logEndOffset = this.gauge('brook_log_log_end_offset', 'Log end offset of the replica', ['topic', 'partition']);
  readonly logStartOffset = this.gauge('brook_log_log_start_offset', 'Log start offset of the replica', ['topic', 'partition']);
  readonly highWatermark = this.gauge('brook_partition_high_watermark', 'High watermark of the replica', ['topic', 'partition']);
  readonly partitionUnderReplicated = this.gauge('brook_partition_under_replicated', '1 when this node leads the partition and its ISR is smaller than its replica set', ['topic', 'partition']);
  readonly inSyncReplicas = this.gauge('brook_partition_in_sync_replicas_count', 'ISR size of the partition', ['topic', 'partition']);
  readonly replicasCount = this.gauge('brook_partition_replicas_count', 'Replica count of the partition', ['topic', 'partition']);

  // ---- consumer groups (on the node that coordinates them) ----
  readonly groupCount = this.gauge('brook_group_count', 'Groups coordinated by this node, by state', ['state']);
  readonly groupMembers = this.gauge('brook_group_members', 'Members of the group', ['group']);
  readonly groupState = this.gauge('brook_group_state', '1 for the state the group is in', ['group', 'state']);
  readonly groupEpoch = this.gauge('brook_group_epoch', 'Group epoch (bumped at every rebalance)', ['group']);
  readonly groupRebalances = this.counter('brook_group_rebalances_total', 'Group epoch bumps (rebalances) since this node started coordinating the group', ['group']);
  readonly groupCommitted = this.gauge('brook_group_committed_offset', 'Committed offset of the group on the partition', ['group', 'topic', 'partition']);
  readonly groupLag = this.gauge('brook_group_lag', 'High watermark minus committed offset', ['group', 'topic', 'partition']);
  readonly groupLagSum = this.gauge('brook_group_lag_sum', 'Lag of the group summed over its partitions', ['group']);

  // ---- the node itself ----
  readonly ready = this.gauge('brook_node_ready', '1 when /ready answers 200');
  readonly nodeEpoch = this.gauge('brook_node_epoch', 'Node epoch of this process\'s registration, -1 before it registers');
  readonly metadataOffset = this.gauge('brook_metadata_applied_offset', 'Offset of the last metadata record applied to this node\'s image');
  readonly levelDbSize = this.gauge('brook_leveldb_size_bytes', 'Bytes of the node\'s LevelDB directory on disk');

  constructor() {
    // Process and runtime: CPU, RSS, open files, heap, GC and event-loop lag (prom-client's standard names).
    collectDefaultMetrics({ register: this.registry });
  }

  get contentType(): string { return this.registry.contentType; }

  private gauge(name: string, help: string, labelNames: string[] = []): Gauge {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }

  private counter(name: string, help: string, labelNames: string[] = []): Counter {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }
}
