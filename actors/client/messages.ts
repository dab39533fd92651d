/**
 * The replies client actors receive, as typed events, and their edge validator (DESIGN.md section
 * 12): a reply is checked here, so the machines can assert. Like the partition replica's replies,
 * a reply event carries its body under `body` (a union on `code`), not flattened.
 *
 * Field layouts:
 * - metadataReply: code · clusterId · controllerId · metadataOffset · nodes [nodeId, rack?, state,
 *   nodeEpoch] · topics [name, topicId, configs, partitions [partition, leader (-1 none),
 *   leaderEpoch, partitionEpoch, replicas, isr]]
 * - produceReply: code · baseOffset · logStartOffset
 * - fetchReply: code · hw · logStartOffset · batches [baseOffset, lastOffset, leaderEpoch,
 *   recordCount, firstTimestamp, maxTimestamp, producerId, producerEpoch, baseSequence, records, attributes?]
 * - listOffsetsReply: code · offset
 * - initProducerIdReply: code · producerId · producerEpoch
 * Every failed reply is an ErrorReply: code · message? · leaderEpoch? · leaderId? · logStartOffset?
 */
import type { Inbound, Parsed } from '../effects.js';
import { fail, int, intList, list, object, parsed, str, type Body } from '../kit/validate.js';
import { isErrorCode, type ErrorReply } from '../errors.js';

/**
 * The most one partition's fetch answer asks for (a consumer's default, the Kafka listener's cap). An
 * answer travels in one NATS message and Brook runs nats-server with max_payload 8 MB, so 4 MiB
 * leaves room for the envelope and a batch that overshoots. Kafka's max.partition.fetch.bytes is
 * 1 MiB; a Brook fetch costs more per request, and 4 MiB read 1 KiB records about 35 % faster
 * (bench/RESULTS.md, "Performance, quiet machine").
 */
export const PARTITION_FETCH_BYTES_MAX = 4 * 1_048_576;

/** `decommission`: set while the node is drained or once it has been. */
export interface NodeInfo { nodeId: number; rack?: string; state: 'fenced' | 'unfenced' | 'shuttingDown'; nodeEpoch: number; decommission?: 'draining' | 'decommissioned' }
/** `addingReplicas`/`removingReplicas`: present while the partition is being reassigned. */
export interface PartitionInfo { partition: number; leader: number; leaderEpoch: number; partitionEpoch: number; replicas: number[]; isr: number[];
  addingReplicas?: number[]; removingReplicas?: number[] }
export interface TopicInfo { name: string; topicId: string; configs: Record<string, string>; partitions: PartitionInfo[] }

export type MetadataReply =
  | { code: 'OK'; clusterId: string; controllerId: number; metadataOffset: number; nodes: NodeInfo[]; topics: TopicInfo[] }
  | ErrorReply;
export type ProduceReply = { code: 'OK'; baseOffset: number; logStartOffset: number } | ErrorReply;
export interface FetchedBatch {
  baseOffset: number; lastOffset: number; leaderEpoch: number; recordCount: number; firstTimestamp: number;
  maxTimestamp: number; producerId: number; producerEpoch: number; baseSequence: number; records: Uint8Array;
  /** Kafka batch attributes (bits 0-2: compression) and the CRC-32C a Kafka client sent; absent for SDK batches. */
  attributes?: number; crc?: number;
}
export type FetchReply = { code: 'OK'; hw: number; logStartOffset: number; batches: FetchedBatch[] } | ErrorReply;
export type ListOffsetsReply = { code: 'OK'; offset: number } | ErrorReply;
export type InitProducerIdReply = { code: 'OK'; producerId: number; producerEpoch: number } | ErrorReply;

interface ReplyHead { from: string; corr: number }
export type MetadataReplyEvent = ReplyHead & { type: 'metadataReply'; body: MetadataReply };
export type ProduceReplyEvent = ReplyHead & { type: 'produceReply'; body: ProduceReply };
export type FetchReplyEvent = ReplyHead & { type: 'fetchReply'; body: FetchReply };
export type ListOffsetsReplyEvent = ReplyHead & { type: 'listOffsetsReply'; body: ListOffsetsReply };
export type InitProducerIdReplyEvent = ReplyHead & { type: 'initProducerIdReply'; body: InitProducerIdReply };
export type ClientReplyEvent = MetadataReplyEvent | ProduceReplyEvent | FetchReplyEvent | ListOffsetsReplyEvent | InitProducerIdReplyEvent;

/** Bounds on what a reply may carry (hostile or broken peers must not exhaust a client). */
export const REPLY_TOPICS_MAX = 100_000;
export const REPLY_PARTITIONS_MAX = 100_000;
export const REPLY_BATCHES_MAX = 100_000;

function errorReply(b: Body): ErrorReply {
  const code = b['code'];
  if (!isErrorCode(code)) fail('code must be OK or a known error code');
  const out: ErrorReply = { code };
  if (typeof b['message'] === 'string') out.message = b['message'];
  for (const field of ['leaderEpoch', 'leaderId', 'logStartOffset'] as const) if (b[field] !== undefined) out[field] = int(b, field, -1);
  return out;
}

function nodeInfo(value: unknown): NodeInfo {
  const b = object(value, 'node');
  const state = b['state'];
  if (state !== 'fenced' && state !== 'unfenced' && state !== 'shuttingDown') fail('node state');
  const node: NodeInfo = { nodeId: int(b, 'nodeId', 0), state, nodeEpoch: int(b, 'nodeEpoch', -1) };
  if (typeof b['rack'] === 'string') node.rack = b['rack'];
  return node;
}

function partitionInfo(value: unknown): PartitionInfo {
  const b = object(value, 'partition');
  return { partition: int(b, 'partition', 0), leader: int(b, 'leader', -1), leaderEpoch: int(b, 'leaderEpoch', -1),
    partitionEpoch: int(b, 'partitionEpoch', -1), replicas: intList(b['replicas'], 'replicas', 0, 10_000), isr: intList(b['isr'], 'isr', 0, 10_000) };
}

function topicInfo(value: unknown): TopicInfo {
  const b = object(value, 'topic');
  const configs = object(b['configs'] ?? {}, 'configs');
  if (!Object.values(configs).every((v) => typeof v === 'string')) fail('configs must map to strings');
  const partitions = list(b['partitions'], 'partitions', REPLY_PARTITIONS_MAX).map(partitionInfo);
  partitions.sort((x, y) => x.partition - y.partition);
  if (!partitions.every((p, i) => p.partition === i)) fail('partitions must be numbered 0..n-1');
  return { name: str(b, 'name'), topicId: str(b, 'topicId'), configs: configs as Record<string, string>, partitions };
}

function metadataReply(b: Body): MetadataReply {
  if (b['code'] !== 'OK') return errorReply(b);
  return { code: 'OK', clusterId: str(b, 'clusterId'), controllerId: int(b, 'controllerId', -1), metadataOffset: int(b, 'metadataOffset', -1),
    nodes: list(b['nodes'], 'nodes', 100_000).map(nodeInfo), topics: list(b['topics'], 'topics', REPLY_TOPICS_MAX).map(topicInfo) };
}

function fetchedBatch(value: unknown): FetchedBatch {
  const b = object(value, 'batch');
  const records = b['records'];
  if (!(records instanceof Uint8Array)) fail('batch.records must be bytes');
  const batch: FetchedBatch = { baseOffset: int(b, 'baseOffset', 0), lastOffset: int(b, 'lastOffset', 0), leaderEpoch: int(b, 'leaderEpoch', -1),
    recordCount: int(b, 'recordCount', 1), firstTimestamp: int(b, 'firstTimestamp', 0), maxTimestamp: int(b, 'maxTimestamp', 0),
    producerId: int(b, 'producerId', -1), producerEpoch: int(b, 'producerEpoch', -1), baseSequence: int(b, 'baseSequence', -1), records };
  if (b['attributes'] !== undefined) batch.attributes = int(b, 'attributes', 0, 0xffff);
  if (batch.lastOffset !== batch.baseOffset + batch.recordCount - 1) fail('batch offsets disagree with recordCount');
  if (b['attributes'] !== undefined) batch.attributes = int(b, 'attributes', 0, 0x7fff);
  if (b['crc'] !== undefined) batch.crc = int(b, 'crc', 0, 0xffffffff);
  return batch;
}

function fetchReply(b: Body): FetchReply {
  if (b['code'] !== 'OK') return errorReply(b);
  const batches = list(b['batches'], 'batches', REPLY_BATCHES_MAX).map(fetchedBatch);
  for (let i = 1; i < batches.length; i++) {
    if ((batches[i] as FetchedBatch).baseOffset <= (batches[i - 1] as FetchedBatch).lastOffset) fail('batches must ascend');
  }
  return { code: 'OK', hw: int(b, 'hw', 0), logStartOffset: int(b, 'logStartOffset', 0), batches };
}

function body(type: string, b: Body): ClientReplyEvent['body'] {
  switch (type) {
    case 'metadataReply': return metadataReply(b);
    case 'produceReply': return b['code'] === 'OK' ? { code: 'OK', baseOffset: int(b, 'baseOffset', 0), logStartOffset: int(b, 'logStartOffset', 0) } : errorReply(b);
    case 'fetchReply': return fetchReply(b);
    case 'listOffsetsReply': return b['code'] === 'OK' ? { code: 'OK', offset: int(b, 'offset', -1) } : errorReply(b);
    case 'initProducerIdReply': return b['code'] === 'OK' ? { code: 'OK', producerId: int(b, 'producerId', 0), producerEpoch: int(b, 'producerEpoch', 0) } : errorReply(b);
    default: return fail(`unexpected ${type}`);
  }
}

/** A validator for a client kind that accepts exactly `types` (replies only: SDK events come from the local host). */
export function replyParser<E extends ClientReplyEvent>(types: ReadonlyArray<E['type']>): (inbound: Inbound) => Parsed<E> {
  const accepted = new Set<string>(types);
  return (inbound) => {
    if (!accepted.has(inbound.type)) return { ok: false, code: 'UNSUPPORTED_MESSAGE', message: `a client does not take ${inbound.type}` };
    if (!Number.isSafeInteger(inbound.corr)) return { ok: false, code: 'INVALID_REQUEST', message: `${inbound.type} needs a corr` };
    return parsed(() => ({ type: inbound.type, from: inbound.from, corr: inbound.corr as number, body: body(inbound.type, object(inbound.body, 'body')) }) as E,
      inbound.type);
  };
}
