/**
 * Which message types belong on which address (DESIGN.md section 12): defence in depth behind the
 * NATS permissions that keep clients off node-only subjects. The host asks `refusal` before a
 * kind's validator sees an envelope; a type on the wrong side of the node/client split, or a
 * request on a client-facing address that serves something else, is refused UNSUPPORTED_MESSAGE.
 */
import { assert } from '../assert.js';
import { ADMIN_PREFIX, COORDINATOR_PREFIX, FETCH_PREFIX, isNodeOnly, METADATA, PRODUCE_PREFIX, PRODUCER_ID_PREFIX } from './addresses.js';

/** Which side of the wire a message belongs to; `either` for types both sides may carry. */
export type WireSide = 'node' | 'client' | 'either';

/** Requests only nodes send (and their replies): registration, ISR changes, Raft, probes. */
const NODE_REQUESTS = new Set(['registerNode', 'nodeHeartbeat', 'alterPartition', 'resignLeadership', 'allocateProducerIds', 'probe',
  'preVote', 'requestVote', 'appendEntries', 'installSnapshot']);
/** Raft answers are their own messages (sent to the voter address, not as replies to a corr). */
const NODE_ANSWERS = new Set(['preVoteReply', 'requestVoteReply', 'appendEntriesReply', 'installSnapshotReply']);
/** Consumer-group requests (actors/coordinator/protocol.ts), served at a coordinator's `c/group/…` address. */
const GROUP_REQUESTS = ['groupHeartbeat', 'offsetCommit', 'offsetFetch', 'listGroups', 'describeGroup', 'deleteGroup', 'deleteGroupOffsets',
  'joinGroup', 'syncGroup', 'classicHeartbeat', 'leaveGroup'];
/** Placement administration (actors/controller/placement-requests.ts), at the controller leader's admin address. */
const PLACEMENT_REQUESTS = ['alterPartitionReassignments', 'listPartitionReassignments', 'electLeaders', 'decommissionNode', 'balanceCluster', 'alterClusterConfigs'];
/**
 * Requests clients send (and their replies). `fetch` is a client's unless it names a replica.
 * `deleteRecords` (Kafka's DeleteRecords, which moves a partition's log start) is no client request:
 * only a group coordinator sends it, to trim `__consumer_offsets`, at the replica's node-only
 * address, so that writing a topic does not grant deleting it.
 */
const CLIENT_REQUESTS = new Set(['metadata', 'findCoordinator', 'createTopic', 'deleteTopic', 'createPartitions', 'alterConfigs', 'initProducerId',
  'produce', 'listOffsets', ...GROUP_REQUESTS, ...PLACEMENT_REQUESTS]);

/** A fetch that names a replica (`replicaId` ≥ 0) is a follower's; a consumer's carries -1 or none. */
export function isReplicaFetch(body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const replicaId = (body as Record<string, unknown>)['replicaId'];
  return typeof replicaId === 'number' && replicaId >= 0;
}

/**
 * The side a message belongs to. `fetchReply` answers both follower and consumer fetches and
 * `describeQuorum` is asked of any voter, so both are `either`; so is any type this table does not
 * know (a kind's own validator refuses what it does not take).
 */
export function wireSide(type: string, body: unknown): WireSide {
  assert(type.length > 0, 'a message has a type');
  assert(!NODE_REQUESTS.has(type) || !CLIENT_REQUESTS.has(type), 'a request belongs to one side');
  if (NODE_REQUESTS.has(type) || NODE_ANSWERS.has(type)) return 'node';
  if (CLIENT_REQUESTS.has(type)) return 'client';
  if (type === 'fetch') return isReplicaFetch(body) ? 'node' : 'client';
  if (type.endsWith('Reply')) {
    const request = type.slice(0, -'Reply'.length);
    if (NODE_REQUESTS.has(request)) return 'node';
    if (CLIENT_REQUESTS.has(request)) return 'client';
  }
  return 'either';
}

/** Client-facing addresses that serve one kind of request, by prefix: what each takes. */
const CLIENT_ENDPOINTS: Array<[prefix: string, types: ReadonlySet<string>]> = [
  [METADATA, new Set(['metadata', 'findCoordinator'])],
  [`${ADMIN_PREFIX}/`, new Set(['createTopic', 'deleteTopic', 'createPartitions', 'alterConfigs', 'describeQuorum', ...PLACEMENT_REQUESTS])],
  [`${PRODUCER_ID_PREFIX}/`, new Set(['initProducerId'])],
  [`${PRODUCE_PREFIX}/`, new Set(['produce'])],
  [`${FETCH_PREFIX}/`, new Set(['fetch', 'listOffsets'])],
  // A coordinator takes group requests, and the answers of the partition it stores groups in.
  [`${COORDINATOR_PREFIX}/`, new Set([...GROUP_REQUESTS, 'produceReply', 'fetchReply', 'deleteRecordsReply', 'memberProbeReply'])],
];

/** The envelope fields admission looks at. */
export interface Arrival { to: string; from: string; replyTo?: string; type: string; body: unknown }

/**
 * Why a message may not arrive where it did, or undefined when it may. Node traffic must arrive
 * on a node-only address and come from one (its sender and reply address both `n/…`: a client
 * cannot ask a node-only question and read the answer); client traffic must not arrive on a
 * node-only address.
 */
export function refusal(arrival: Arrival): string | undefined {
  const { to: address, type } = arrival;
  assert(address.length > 0 && type.length > 0, 'an arrival has an address and a type (the codec checked them)');
  const side = wireSide(type, arrival.body);
  const nodeOnly = isNodeOnly(address);
  assert(side === 'node' || side === 'client' || side === 'either', 'every type has a side');
  if (side === 'node' && !nodeOnly) {
    return type === 'fetch' ? `a replica fetch (replicaId) is not taken at ${address}` : `${type} is node traffic, not taken at ${address}`;
  }
  if (side === 'node' && (!isNodeOnly(arrival.from) || (arrival.replyTo !== undefined && !isNodeOnly(arrival.replyTo)))) {
    return `${type} is node traffic and comes only from node-only addresses`;
  }
  if (side === 'client' && nodeOnly) return `${type} is client traffic, not taken at the node-only address ${address}`;
  for (const [prefix, types] of CLIENT_ENDPOINTS) {
    if ((address === prefix || (prefix.endsWith('/') && address.startsWith(prefix))) && !types.has(type)) return `${address} does not take ${type}`;
  }
  return undefined;
}
