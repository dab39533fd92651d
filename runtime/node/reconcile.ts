/**
 * Reconciliation: after each metadata change, make the node host exactly the partition replicas
 * the image assigns to it. A new assignment spawns a replica (which recovers from storage), a
 * changed partition state, config or share of the reassignment throttle (throttle-shares.ts) is
 * sent to the replica as `metadataChanged`, and a replica that
 * is no longer assigned (reassigned away, decommissioned, topic deleted) is stopped and its log and
 * checkpoints are deleted: the controller only drops a replica once the rest of the ISR holds every
 * committed record, so its copy is no longer needed. A replica dropped while this node was down
 * leaves its data behind until the topic is deleted (not swept at start-up yet).
 */
import { PARTITION_DEFAULTS, partitionLogName, type PartitionConfigs, type PartitionState } from '../../actors/partition.js';
import { fetchAddress, produceAddress, replicaAddress } from '../../actors/kit/addresses.js';
import type { ActorHost, ActorKind } from '../host.js';
import type { NodeConfig, NodeEnv, PartitionKnobOverrides } from './config.js';
import { partitionKind } from './kinds.js';
import { topicsOf, type TopicView } from './image-view.js';
import { throttleShares } from './throttle-shares.js';
import { clusterNumber } from '../../actors/metadata/cluster-configs.js';
import type { MetadataImage } from '../../actors/metadata/image.js';

export type { PartitionKnobOverrides } from './config.js';

interface Hosted { address: string; topic: string; partition: number; partitionEpoch: number; configsKey: string; throttleKey: string; logName: string }

/** The meta keys a partition replica keeps next to its log (actors/partition/step.ts, metaKey). */
const REPLICA_META_KEYS = ['epochs', 'hw', 'logStart', 'producers'] as const;

export class PartitionReconciler {
  private readonly hosted = new Map<string, Hosted>();
  /** One actor kind for every replica this node starts (the host keeps it per actor). */
  private readonly kind: ActorKind;

  constructor(
    private readonly host: ActorHost,
    private readonly config: NodeConfig,
    private readonly env: NodeEnv,
    private readonly nodeEpoch: () => number,
    private readonly knobs: PartitionKnobOverrides,
  ) {
    this.kind = partitionKind(knobs);
  }

  get count(): number { return this.hosted.size; }

  reconcile(image: unknown): void {
    const nodeId = this.config.nodeId;
    const wanted = new Set<string>();
    const topics = topicsOf(image);
    const shares = throttleShares(topics, nodeId, clusterNumber(image as MetadataImage, 'replica.move.throttle.bytes.per.sec'));
    for (const topic of topics) {
      const configs = partitionConfigs(topic);
      const configsKey = JSON.stringify(configs);
      for (const state of topic.partitions) {
        if (!state.replicas.includes(nodeId)) continue;
        const address = replicaAddress(topic.name, state.partition, nodeId);
        wanted.add(address);
        const current = this.hosted.get(address);
        const partitionState: PartitionState = { replicas: state.replicas, isr: state.isr, leader: state.leader, leaderEpoch: state.leaderEpoch, partitionEpoch: state.partitionEpoch };
        const throttle = shares.get(`${topic.name}/${state.partition}`);
        const throttleKey = JSON.stringify(throttle ?? null);
        if (!current || !this.host.has(address)) {
          this.host.spawn(this.kind, address, {
            nodeId, nodeEpoch: this.nodeEpoch(), topic: topic.name, topicId: topic.topicId, partition: state.partition,
            seed: this.env.random.u32(), nowMs: this.env.clock.nowMs(), wallMs: this.env.clock.wallMs(),
            state: partitionState, configs, knobs: this.knobs, ...(throttle !== undefined ? { throttle } : {}),
          }, { listen: [produceAddress(topic.name, state.partition, nodeId), fetchAddress(topic.name, state.partition, nodeId)] });
          this.hosted.set(address, { address, topic: topic.name, partition: state.partition, partitionEpoch: state.partitionEpoch, configsKey, throttleKey,
            logName: partitionLogName(topic.topicId, state.partition) });
        } else if (current.partitionEpoch !== state.partitionEpoch || current.configsKey !== configsKey || current.throttleKey !== throttleKey) {
          this.host.send(address, { type: 'metadataChanged', state: partitionState, configs, ...(throttle !== undefined ? { throttle } : {}) });
          current.partitionEpoch = state.partitionEpoch;
          current.configsKey = configsKey;
          current.throttleKey = throttleKey;
        }
      }
    }
    for (const [address, hosted] of [...this.hosted.entries()]) {
      if (wanted.has(address)) continue;
      this.host.stop(address);
      this.hosted.delete(address);
      this.deleteReplicaData(hosted.logName);
      // For observers (the simulator's HW check): this replica's life is over; one assigned here later starts empty.
      this.env.onReport?.(address, 'partitionReplicaDropped', { topic: hosted.topic, partition: hosted.partition, nodeId: this.config.nodeId });
    }
  }

  /** Tells every replica what the node learned about its controller (actors/partition/types.ts: controller*). */
  tellReplicas(type: 'controllerChanged' | 'controllerUnreachable' | 'controllerReachable'): void {
    for (const address of this.hosted.keys()) this.host.send(address, { type });
  }

  /**
   * Deletes a dropped replica's log and checkpoints. The store runs operations in issue order, so a
   * replica assigned here again later recovers from an empty log and fetches from the leader.
   */
  private deleteReplicaData(logName: string): void {
    const log = this.env.logger;
    const done = (what: string) => (error: unknown): void => {
      if (error !== undefined) log.log('warn', 'replicaDataDeleteFailed', { log: logName, what, error: String(error) });
    };
    this.env.store.truncateFrom(logName, 0, done('log'));
    this.env.store.putMetas(REPLICA_META_KEYS.map((k) => [`${logName}/${k}`, undefined] as const), { sync: false }, done('meta'));
    log.log('info', 'replicaDataDeleted', { log: logName });
  }
}

/** Kafka config names → the replica's typed configs; values were validated by the controller. */
export function partitionConfigs(topic: TopicView): PartitionConfigs {
  const c = topic.configs;
  const number = (name: string, fallback: number): number => (c[name] === undefined ? fallback : Number(c[name]));
  return {
    minInsyncReplicas: number('min.insync.replicas', PARTITION_DEFAULTS.configs.minInsyncReplicas),
    maxMessageBytes: number('max.message.bytes', PARTITION_DEFAULTS.configs.maxMessageBytes),
    retentionMs: number('retention.ms', PARTITION_DEFAULTS.configs.retentionMs),
    retentionBytes: number('retention.bytes', PARTITION_DEFAULTS.configs.retentionBytes),
    // Kafka's flush.messages=1 (fsync every append) is Brook's 'always'; any other value leaves flushing to the OS.
    flush: c['flush.messages'] === '1' ? 'always' : 'default',
  };
}
