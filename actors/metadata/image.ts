/**
 * The metadata image: the state the metadata log describes, as plain data (objects keyed by id,
 * arrays, strings, numbers) so that it can be msgpack-encoded into a snapshot or a heartbeat reply
 * and cloned with structuredClone. Controllers and nodes both follow the log with it;
 * actors/metadata/replay.ts is the only code that changes it.
 *
 * Words: `offset` is the Raft index of the last record applied (0 = nothing applied). A node's
 * `nodeEpoch` is the offset of its `nodeRegistered` record. A partition's `leaderEpoch` bumps on a
 * leader change, its `partitionEpoch` on every change.
 */
import { assert } from '../assert.js';
import type { TopicConfigs } from './records.js';

export type NodeState = 'fenced' | 'unfenced' | 'shuttingDown';

/** Decommissioning is separate from the session state: a drained node keeps heartbeating and registering. */
export type Decommission = 'draining' | 'decommissioned';

/** `kafkaListener`: `host:port` of the node's Kafka listener, when it has one. */
export interface NodeImage { nodeId: number; nodeEpoch: number; incarnationId: string; rack?: string; address: string; state: NodeState;
  decommission?: Decommission; kafkaListener?: string }

/** `addingReplicas`/`removingReplicas`: a reassignment in progress (records.ts, partitionChanged); absent otherwise. */
export interface PartitionImage { replicas: number[]; isr: number[]; leader: number; leaderEpoch: number; partitionEpoch: number;
  addingReplicas?: number[]; removingReplicas?: number[] }

export interface TopicImage { name: string; topicId: string; configs: TopicConfigs; partitions: PartitionImage[] }

export interface MetadataImage {
  /** Registered nodes by node id (as a string key, so the image stays plain data). */
  nodes: Record<string, NodeImage>;
  /** Topics by name. */
  topics: Record<string, TopicImage>;
  /** Topic name by topic id. */
  topicNames: Record<string, string>;
  /** The first producer id not yet handed out. */
  nextProducerId: number;
  /** The offset (Raft index) of the last record replayed into this image. */
  offset: number;
  /** Cluster settings that differ from their defaults (actors/metadata/cluster-configs.ts); absent in older snapshots. */
  clusterConfigs?: Record<string, string>;
  /** The balance plan (records.ts, balancePlanChanged); absent: none running, no node awaiting its share. */
  balance?: BalancePlanImage;
}

export interface BalancePlanImage { balancing: boolean; awaiting: number[] }

/** The balance plan's state, the default when the log never changed it. */
export function balancePlan(image: MetadataImage): BalancePlanImage {
  return image.balance ?? { balancing: false, awaiting: [] };
}

export function emptyImage(): MetadataImage {
  return { nodes: {}, topics: {}, topicNames: {}, nextProducerId: 0, offset: 0 };
}

/** A deep copy that shares nothing with the original (snapshots, the leader's working image). */
export function cloneImage(image: MetadataImage): MetadataImage {
  const copy = structuredClone(image);
  assert(copy.offset === image.offset, 'clone keeps the offset');
  return copy;
}

/** The image is already plain data; this copy is what goes into a snapshot or onto the wire. */
export function toPlain(image: MetadataImage): MetadataImage { return cloneImage(image); }

/**
 * A snapshot image read from storage or received from a leader. The shape was checked by
 * `isImage` (validate.ts or recovery) before this; here we copy so that later replays cannot
 * mutate the caller's object.
 */
export function fromPlain(value: MetadataImage): MetadataImage {
  assert(isImage(value), 'fromPlain takes a checked image');
  return cloneImage(value);
}

export function getNode(image: MetadataImage, nodeId: number): NodeImage | undefined { return image.nodes[String(nodeId)]; }

export function getTopicById(image: MetadataImage, topicId: string): TopicImage | undefined {
  const name = image.topicNames[topicId];
  return name === undefined ? undefined : image.topics[name];
}

/** Node ids that may lead and be in an ISR, ascending. */
export function unfencedNodeIds(image: MetadataImage): number[] {
  return Object.values(image.nodes).filter((n) => n.state === 'unfenced').map((n) => n.nodeId).sort((a, b) => a - b);
}

/** Unfenced nodes that may receive new replicas: neither draining nor decommissioned. */
export function placeableNodeIds(image: MetadataImage): number[] {
  return unfencedNodeIds(image).filter((id) => getNode(image, id)?.decommission === undefined);
}

/** Whether a reassignment is in progress on the partition. */
export function reassigning(p: PartitionImage): boolean {
  return (p.addingReplicas?.length ?? 0) > 0 || (p.removingReplicas?.length ?? 0) > 0;
}

/** Topics in name order (plain objects iterate in insertion order; callers want a stable order). */
export function sortedTopics(image: MetadataImage): TopicImage[] {
  return Object.keys(image.topics).sort().map((name) => image.topics[name] as TopicImage);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isIntArray = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => Number.isSafeInteger(x));

function isPartition(value: unknown): boolean {
  if (!isObject(value)) return false;
  const optIds = (v: unknown): boolean => v === undefined || isIntArray(v);
  return isIntArray(value['replicas']) && isIntArray(value['isr']) && Number.isSafeInteger(value['leader'])
    && Number.isSafeInteger(value['leaderEpoch']) && Number.isSafeInteger(value['partitionEpoch'])
    && optIds(value['addingReplicas']) && optIds(value['removingReplicas']);
}

function isTopic(value: unknown): boolean {
  if (!isObject(value) || typeof value['name'] !== 'string' || typeof value['topicId'] !== 'string') return false;
  const configs = value['configs'];
  if (!isObject(configs) || !Object.values(configs).every((v) => typeof v === 'string')) return false;
  return Array.isArray(value['partitions']) && value['partitions'].every(isPartition);
}

function isNode(value: unknown): boolean {
  if (!isObject(value)) return false;
  return Number.isSafeInteger(value['nodeId']) && Number.isSafeInteger(value['nodeEpoch']) && typeof value['incarnationId'] === 'string'
    && typeof value['address'] === 'string' && (value['rack'] === undefined || typeof value['rack'] === 'string')
    && (value['kafkaListener'] === undefined || typeof value['kafkaListener'] === 'string')
    && (value['state'] === 'fenced' || value['state'] === 'unfenced' || value['state'] === 'shuttingDown')
    && (value['decommission'] === undefined || value['decommission'] === 'draining' || value['decommission'] === 'decommissioned');
}

/** Shape check for an image that came from storage or the network. */
export function isImage(value: unknown): value is MetadataImage {
  if (!isObject(value)) return false;
  const { nodes, topics, topicNames } = value;
  if (!isObject(nodes) || !isObject(topics) || !isObject(topicNames)) return false;
  if (!Number.isSafeInteger(value['nextProducerId']) || !Number.isSafeInteger(value['offset'])) return false;
  const cluster = value['clusterConfigs'];
  if (cluster !== undefined && !(isObject(cluster) && Object.values(cluster).every((v) => typeof v === 'string'))) return false;
  const balance = value['balance'];
  if (balance !== undefined && !(isObject(balance) && typeof balance['balancing'] === 'boolean' && isIntArray(balance['awaiting']))) return false;
  return Object.values(nodes).every(isNode) && Object.values(topics).every(isTopic)
    && Object.values(topicNames).every((n) => typeof n === 'string');
}
