/**
 * Every metric a node exports, in one prom-client registry. Names follow Kafka's JMX names where
 * Kafka has one (`<type>_<name>` in snake case under `brook_`; the README maps each to its MBean),
 * Prometheus conventions otherwise (`_total` counters, `_seconds` and `_bytes` units). Labels
 * are bounded: topic, partition and group values come only from the cluster's own metadata and
 * are capped by the collectors (runtime/http/node-collector.ts), request and error labels come
 * from closed sets.
 */
import { collectDefaultMetrics, Counter, Gauge, Registry, type Histogram } from 'prom-client';
import { REQUEST_TIME_BUCKETS, RequestTallies, type RequestName, type TimeTally, type TopicTally } from './tallies.js';


export class BrookMetrics {
  readonly registry = new Registry();
  /** What the metering transport counts on the request path, copied into the counters below at scrape time. */
  readonly tallies = new RequestTallies();

  // ---- ReplicaManager: partitions this node leads or hosts (from its metadata image) ----
  readonly underReplicated = this.gauge('brook_replica_manager_under_replicated_partitions', 'Partitions this node leads whose ISR is smaller than their replica set');
  readonly underMinIsr = this.gauge('brook_replica_manager_under_min_isr_partition_count', 'Partitions this node leads whose ISR is below min.insync.replicas');
  readonly atMinIsr = this.gauge('brook_replica_manager_at_min_isr_partition_count', 'Partitions this node leads whose ISR is exactly min.insync.replicas');
  readonly leaderCount = this.gauge('brook_replica_manager_leader_count', 'Partitions this node leads');
  readonly partitionCount = this.gauge('brook_replica_manager_partition_count', 'Partition replicas this node hosts');
  readonly isrShrinks = this.tallied('brook_replica_manager_isr_shrinks_total', 'ISR shrinks this node proposed as leader and the controller committed', (c, t) => c.inc(t.isrShrinks));
  readonly isrExpands = this.tallied('brook_replica_manager_isr_expands_total', 'ISR expansions this node proposed as leader and the controller committed', (c, t) => c.inc(t.isrExpands));

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
  readonly messagesIn = this.perTopic('brook_broker_topic_messages_in_total', 'Records appended by this node as leader (produce acknowledged, or acks=0 received)', 'messagesIn');
  readonly bytesIn = this.perTopic('brook_broker_topic_bytes_in_total', 'Record bytes appended by this node as leader', 'bytesIn');
  readonly messagesOut = this.perTopic('brook_broker_topic_messages_out_total', 'Records sent to consumers', 'messagesOut');
  readonly bytesOut = this.perTopic('brook_broker_topic_bytes_out_total', 'Record bytes sent to consumers', 'bytesOut');
  readonly replicationBytesIn = this.tallied('brook_broker_topic_replication_bytes_in_total', 'Record bytes this node fetched as a follower', (c, t) => c.inc(t.replicationBytesIn));
  readonly replicationBytesOut = this.tallied('brook_broker_topic_replication_bytes_out_total', 'Record bytes this node sent to followers', (c, t) => c.inc(t.replicationBytesOut));

  // ---- RequestMetrics ----
  readonly requestTime = new TalliedHistogram('brook_request_total_time_seconds', 'Time from a request\'s arrival to its reply (fetches include their long-poll wait)', this.tallies.times);
  readonly requestErrors = this.tallied('brook_request_errors_total', 'Requests answered with an error, by error code', (c, t) => {
    for (const [key, n] of t.errors) {
      const [request = '', error = ''] = key.split(' ');
      c.inc({ request, error }, n);
    }
  }, ['request', 'error']);

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
    // A registry takes any object that answers get() like prom-client's own metrics.
    this.registry.registerMetric(this.requestTime as unknown as Histogram);
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

  /** A counter whose value is copied from the tallies when the registry is read. */
  private tallied(name: string, help: string, fill: (counter: Counter, tallies: RequestTallies) => void, labelNames: string[] = []): Counter {
    const tallies = this.tallies;
    return new Counter({ name, help, labelNames, registers: [this.registry], collect() { this.reset(); fill(this, tallies); } });
  }

  private perTopic(name: string, help: string, field: keyof TopicTally): Counter {
    return this.tallied(name, help, (c, t) => { for (const [topic, tally] of t.topics) c.inc({ topic }, tally[field]); }, ['topic']);
  }
}

/** A histogram read from TimeTally counts (by `request`), in prom-client's metric-object shape. */
class TalliedHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';

  constructor(readonly name: string, readonly help: string, private readonly times: Readonly<Record<RequestName, TimeTally>>) {}

  get(): { name: string; help: string; type: string; aggregator: string; values: Array<{ metricName: string; labels: Record<string, string | number>; value: number }> } {
    const values: Array<{ metricName: string; labels: Record<string, string | number>; value: number }> = [];
    for (const [request, tally] of Object.entries(this.times) as Array<[RequestName, TimeTally]>) {
      if (tally.count === 0) continue;
      let cumulative = 0;
      tally.buckets.forEach((n, i) => {
        cumulative += n;
        values.push({ metricName: `${this.name}_bucket`, labels: { le: i < REQUEST_TIME_BUCKETS.length ? (REQUEST_TIME_BUCKETS[i] as number) : '+Inf', request }, value: cumulative });
      });
      values.push({ metricName: `${this.name}_sum`, labels: { request }, value: tally.sum });
      values.push({ metricName: `${this.name}_count`, labels: { request }, value: tally.count });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}
