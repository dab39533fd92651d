/**
 * The edge validator for messages to a controller replica (DESIGN.md section 12): shapes, integer
 * ranges, sizes and names are checked here so that the machine can assert. Also `parseRecord`,
 * which checks a metadata record read from storage or received in appendEntries.
 */
import type { Inbound, Parsed } from '../effects.js';
import type { ControllerEvent, RaftEntry } from '../controller/types.js';
import { controllerVoter } from '../kit/addresses.js';
import { bool, fail, int, intList, object, optStr, parsed, parsedOrUndefined, str, STRING_MAX, type Body } from '../kit/validate.js';
import { isImage } from './image.js';
import type { MetadataRecord, TopicConfigs } from './records.js';
import { Invalid as KitInvalid } from '../kit/validate.js';
import { parsePlacementRequest, PLACEMENT_REQUESTS } from './validate-placement.js';

export const ENTRIES_MAX = 10_000;
/** A batch holds one decision's records: a topic's partitions, or every partition a fenced node leaves. */
export const BATCH_RECORDS_MAX = 200_000;
const IDS_MAX = 10_000;
const CONFIGS_MAX = 100;

function ids(b: Body, field: string): number[] {
  return [...intList(b[field], field, 0, IDS_MAX)];
}

function configs(b: Body, field: string): TopicConfigs {
  const v = b[field] === undefined ? {} : object(b[field], field);
  const keys = Object.keys(v);
  if (keys.length > CONFIGS_MAX) fail(`${field} has too many entries`);
  const out: TopicConfigs = {};
  for (const k of keys) {
    if (k.length > 255 || typeof v[k] !== 'string' || (v[k] as string).length > STRING_MAX) fail(`${field}.${k} must be a string`);
    out[k] = v[k] as string;
  }
  return out;
}

const nodeId = (b: Body, f = 'nodeId'): number => int(b, f, 0, 2 ** 31 - 1);
const epoch = (b: Body, f: string): number => int(b, f, 0);
/** A node's optional placement and endpoint fields: its rack and its Kafka listener (`host:port`). */
const withRack = (b: Body): { rack?: string; kafkaListener?: string } => {
  const rack = optStr(b, 'rack');
  const kafkaListener = optStr(b, 'kafkaListener');
  return { ...(rack === undefined ? {} : { rack }), ...(kafkaListener === undefined ? {} : { kafkaListener }) };
};

/** A metadata record, or undefined when the value is not one. */
export function parseRecord(value: unknown): MetadataRecord | undefined {
  return parsedOrUndefined(() => record(object(value, 'record')));
}

function partitionFields(b: Body): { topicId: string; partition: number; replicas: number[]; isr: number[]; leader: number; leaderEpoch: number; partitionEpoch: number } {
  return { topicId: str(b, 'topicId'), partition: int(b, 'partition', 0), replicas: ids(b, 'replicas'), isr: ids(b, 'isr'),
    leader: int(b, 'leader', -1), leaderEpoch: epoch(b, 'leaderEpoch'), partitionEpoch: epoch(b, 'partitionEpoch') };
}

/** A reassignment in progress (absent fields: none). */
function movingFields(b: Body): { addingReplicas?: number[]; removingReplicas?: number[] } {
  if (b['addingReplicas'] === undefined && b['removingReplicas'] === undefined) return {};
  return { addingReplicas: b['addingReplicas'] === undefined ? [] : ids(b, 'addingReplicas'),
    removingReplicas: b['removingReplicas'] === undefined ? [] : ids(b, 'removingReplicas') };
}

function record(b: Body): MetadataRecord {
  const type = b['type'];
  switch (type) {
    case 'nodeRegistered': return { type, nodeId: nodeId(b), nodeEpoch: epoch(b, 'nodeEpoch'), incarnationId: str(b, 'incarnationId'),
      address: str(b, 'address'), ...withRack(b) };
    case 'nodeFenced': case 'nodeUnfenced': case 'nodeShuttingDown': return { type, nodeId: nodeId(b), nodeEpoch: epoch(b, 'nodeEpoch') };
    case 'topicCreated': return { type, name: str(b, 'name'), topicId: str(b, 'topicId'), configs: configs(b, 'configs') };
    case 'topicDeleted': return { type, name: str(b, 'name'), topicId: str(b, 'topicId') };
    case 'partitionAdded': return { type, ...partitionFields(b) };
    case 'partitionChanged': return { type, ...partitionFields(b), ...movingFields(b) };
    case 'nodeDecommissioning': case 'nodeDecommissioned': return { type, nodeId: nodeId(b) };
    case 'clusterConfigChanged': return { type, configs: configs(b, 'configs') };
    case 'balancePlanChanged': return { type, balancing: bool(b, 'balancing'), awaiting: ids(b, 'awaiting') };
    case 'configChanged': return { type, topicId: str(b, 'topicId'), configs: configs(b, 'configs') };
    // nodeId -1: a single id handed to an idempotent client by initProducerId, owned by no node.
    case 'producerIdsAllocated': return { type, nodeId: int(b, 'nodeId', -1, 2 ** 31 - 1), firstProducerId: int(b, 'firstProducerId', 0), count: int(b, 'count', 1) };
    case 'leaderChanged': return { type, leaderId: nodeId(b, 'leaderId'), term: epoch(b, 'term') };
    case 'batch': {
      const inner = b['records'];
      if (!Array.isArray(inner) || inner.length === 0 || inner.length > BATCH_RECORDS_MAX) fail(`a batch holds 1 to ${BATCH_RECORDS_MAX} records`);
      return { type, records: inner.map((r, i) => {
        const plain = record(object(r, `records[${i}]`));
        if (plain.type === 'batch') fail('a batch is never nested');
        return plain;
      }) };
    }
    default: return fail(`unknown record type ${String(type)}`);
  }
}

function entries(b: Body): RaftEntry[] {
  const v = b['entries'];
  if (!Array.isArray(v) || v.length > ENTRIES_MAX) fail(`entries must be a list of at most ${ENTRIES_MAX}`);
  return v.map((e, i) => {
    const entry = object(e, `entries[${i}]`);
    const rec = parseRecord(entry['record']);
    if (rec === undefined) fail(`entries[${i}].record is not a metadata record`);
    return { term: epoch(entry, 'term'), record: rec };
  });
}

type Head = { from: string; corr?: number; replyTo?: string };

function request(type: string, head: Head, b: Body): ControllerEvent {
  switch (type) {
    case 'registerNode': return { type, ...head, nodeId: nodeId(b), incarnationId: str(b, 'incarnationId', 64), clusterId: str(b, 'clusterId', 255),
      address: str(b, 'address'), ...withRack(b) };
    case 'nodeHeartbeat': {
      const want = b['wantShutdown'] === undefined ? {} : { wantShutdown: bool(b, 'wantShutdown') };
      return { type, ...head, nodeId: nodeId(b), nodeEpoch: epoch(b, 'nodeEpoch'), appliedOffset: epoch(b, 'appliedOffset'), ...want };
    }
    case 'createTopic': {
      const internal = b['internal'] === undefined ? {} : { internal: bool(b, 'internal') };
      const topicId = b['topicId'] === undefined ? {} : { topicId: str(b, 'topicId', 32) };
      return { type, ...head, name: str(b, 'name', 300), partitions: int(b, 'partitions', -(2 ** 31)), replicationFactor: int(b, 'replicationFactor', -(2 ** 15)),
        configs: configs(b, 'configs'), ...internal, ...topicId };
    }
    case 'deleteTopic': return { type, ...head, name: str(b, 'name', 300) };
    case 'createPartitions': return { type, ...head, name: str(b, 'name', 300), totalCount: int(b, 'totalCount', -(2 ** 31)) };
    case 'alterConfigs': return { type, ...head, name: str(b, 'name', 300), configs: configs(b, 'configs') };
    case 'alterPartition': return { type, ...head, topicId: str(b, 'topicId'), partition: int(b, 'partition', 0), leaderId: nodeId(b, 'leaderId'),
      leaderEpoch: epoch(b, 'leaderEpoch'), partitionEpoch: epoch(b, 'partitionEpoch'), isr: ids(b, 'isr') };
    case 'resignLeadership': return { type, ...head, topicId: str(b, 'topicId'), partition: int(b, 'partition', 0), leaderId: nodeId(b, 'leaderId'),
      leaderEpoch: epoch(b, 'leaderEpoch') };
    case 'allocateProducerIds': return { type, ...head, nodeId: nodeId(b), nodeEpoch: epoch(b, 'nodeEpoch') };
    case 'describeQuorum': return { type, ...head };
    case 'initProducerId': return { type, ...head };
    case 'probeReply': return { type, ...head, code: str(b, 'code', 64) };
    default:
      if (PLACEMENT_REQUESTS.has(type)) return placement(type, head, b);
      return raft(type, head, b);
  }
}

function placement(type: string, head: Head, b: Body): ControllerEvent {
  try {
    return { ...parsePlacementRequest(type, b), ...head };
  } catch (error) {
    if (error instanceof KitInvalid) fail(error.message);
    throw error;
  }
}

function raft(type: string, head: Head, b: Body): ControllerEvent {
  const term = epoch(b, 'term');
  switch (type) {
    case 'preVote': case 'requestVote': return { type, ...head, term, candidateId: nodeId(b, 'candidateId'),
      lastLogIndex: epoch(b, 'lastLogIndex'), lastLogTerm: epoch(b, 'lastLogTerm') };
    case 'preVoteReply': return { type, ...head, term, voteTerm: epoch(b, 'voteTerm'), voterId: nodeId(b, 'voterId'), granted: bool(b, 'granted') };
    case 'requestVoteReply': return { type, ...head, term, voterId: nodeId(b, 'voterId'), granted: bool(b, 'granted') };
    case 'appendEntries': return { type, ...head, term, leaderId: nodeId(b, 'leaderId'), seq: epoch(b, 'seq'), prevLogIndex: epoch(b, 'prevLogIndex'),
      prevLogTerm: epoch(b, 'prevLogTerm'), entries: entries(b), leaderCommit: epoch(b, 'leaderCommit') };
    case 'appendEntriesReply': return { type, ...head, term, followerId: nodeId(b, 'followerId'), seq: epoch(b, 'seq'), success: bool(b, 'success'),
      matchIndex: epoch(b, 'matchIndex'), nextIndexHint: int(b, 'nextIndexHint', 1) };
    case 'installSnapshot': {
      if (!isImage(b['image'])) fail('image must be a metadata image');
      return { type, ...head, term, leaderId: nodeId(b, 'leaderId'), seq: epoch(b, 'seq'), snapshotIndex: int(b, 'snapshotIndex', 1),
        snapshotTerm: epoch(b, 'snapshotTerm'), image: b['image'] };
    }
    case 'installSnapshotReply': return { type, ...head, term, followerId: nodeId(b, 'followerId'), seq: epoch(b, 'seq'), success: bool(b, 'success'),
      matchIndex: epoch(b, 'matchIndex') };
    case 'endQuorumEpoch': return { type, ...head, term, leaderId: nodeId(b, 'leaderId'), successorId: nodeId(b, 'successorId') };
    default: throw new Error('unreachable: types are filtered before parse');
  }
}

/** The node a Raft message claims to come from. */
function raftSenderId(event: ControllerEvent): number {
  switch (event.type) {
    case 'preVote': case 'requestVote': return event.candidateId;
    case 'preVoteReply': case 'requestVoteReply': return event.voterId;
    case 'appendEntries': case 'installSnapshot': case 'endQuorumEpoch': return event.leaderId;
    case 'appendEntriesReply': case 'installSnapshotReply': return event.followerId;
    default: throw new Error(`unreachable: ${event.type} is not a Raft message`);
  }
}

const REQUESTS = new Set(['registerNode', 'nodeHeartbeat', 'createTopic', 'deleteTopic', 'createPartitions', 'alterConfigs',
  'alterPartition', 'resignLeadership', 'allocateProducerIds', 'describeQuorum', 'initProducerId']);
const RAFT = new Set(['preVote', 'preVoteReply', 'requestVote', 'requestVoteReply', 'appendEntries', 'appendEntriesReply',
  'installSnapshot', 'installSnapshotReply', 'endQuorumEpoch']);

/** Inbound envelope → a typed controller event, or why it is refused. */
export function parseControllerMessage(inbound: Inbound): Parsed<ControllerEvent> {
  if (!REQUESTS.has(inbound.type) && !RAFT.has(inbound.type) && !PLACEMENT_REQUESTS.has(inbound.type) && inbound.type !== 'probeReply') {
    return { ok: false, code: 'UNSUPPORTED_MESSAGE', message: `a controller does not take ${inbound.type}` };
  }
  const head: Head = { from: inbound.from, ...(inbound.corr !== undefined ? { corr: inbound.corr } : {}),
    ...(inbound.replyTo !== undefined ? { replyTo: inbound.replyTo } : {}) };
  return parsed(() => {
    const event = request(inbound.type, head, object(inbound.body, 'body'));
    if (RAFT.has(inbound.type) && inbound.from !== controllerVoter(raftSenderId(event))) fail('a Raft message comes from the voter address of the node it names');
    return event;
  }, inbound.type);
}
