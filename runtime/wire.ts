/**
 * The wire catalogue: every message type Brook sends, listed once, with who takes it and the
 * validator each taker runs before anything acts on it (DESIGN.md section 12). Actors validate
 * with their kind's parser (the host refuses what fails); the node process validates the client
 * requests it answers on the metadata address; the admin client checks a reply's head (its code)
 * before it reads the body. test/transport/wire-golden.test.ts pins each type's bytes and runs
 * its validators on the example, and checks this list against the admission table
 * (actors/kit/admission.ts) so that the two never disagree on a type's side of the wire.
 */
import type { Inbound } from '../actors/effects.js';
import { isErrorCode } from '../actors/errors.js';
import { parseControllerMessage } from '../actors/controller.js';
import { parsePartitionMessage } from '../actors/partition.js';
import { parseCoordinatorMessage } from '../actors/coordinator.js';
import { parseNodeMessage } from '../actors/node.js';
import { parseProducerMessage } from '../actors/producer.js';
import { parseConsumerMessage } from '../actors/consumer.js';
import { parseMetadataRequest } from './node/metadata-reply.js';
import { parseFindCoordinator } from './node/find-coordinator.js';

/** A validator's verdict (the typed value it builds is its taker's business). */
export interface Verdict { ok: boolean; message?: string }
export type Validator = (inbound: Inbound) => Verdict;

export interface Taker { who: string; validate: Validator }
export interface WireType { type: string; takers: readonly Taker[] }

const controller: Taker = { who: 'controller', validate: parseControllerMessage };
const partition: Taker = { who: 'partition', validate: parsePartitionMessage };
const coordinator: Taker = { who: 'coordinator', validate: parseCoordinatorMessage };
const node: Taker = { who: 'node', validate: parseNodeMessage };
const producer: Taker = { who: 'producer', validate: parseProducerMessage };
const consumer: Taker = { who: 'consumer', validate: parseConsumerMessage };
const nodeProcess = (validate: (body: unknown) => Verdict): Taker => ({ who: 'node process', validate: (inbound) => validate(inbound.body) });

/** The head every reply has: a known code (OK or one of the error table's), and a message on errors. */
export function replyHead(inbound: Inbound): Verdict {
  const body = inbound.body as Record<string, unknown> | null;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, message: 'a reply body is a map' };
  if (body['code'] !== 'OK' && !isErrorCode(body['code'])) return { ok: false, message: `unknown code ${String(body['code'])}` };
  if (body['message'] !== undefined && typeof body['message'] !== 'string') return { ok: false, message: 'message is a string' };
  return { ok: true };
}
const admin: Taker = { who: 'admin', validate: replyHead };

function entry(type: string, ...takers: Taker[]): WireType { return { type, takers }; }

export const WIRE: readonly WireType[] = [
  // Client metadata and coordinator lookup (any node, c/meta).
  entry('metadata', nodeProcess(parseMetadataRequest)), entry('metadataReply', producer, consumer, admin),
  entry('findCoordinator', nodeProcess(parseFindCoordinator)), entry('findCoordinatorReply', consumer, admin),
  // Node lifecycle (n/ctl/leader, n/node/<id>).
  entry('registerNode', controller), entry('registerNodeReply', node),
  entry('nodeHeartbeat', controller), entry('nodeHeartbeatReply', node),
  entry('probe', node), entry('probeReply', controller),
  // Administration (c/admin/leader) and producer ids (c/pid/leader).
  entry('createTopic', controller), entry('createTopicReply', admin),
  entry('deleteTopic', controller), entry('deleteTopicReply', admin),
  entry('createPartitions', controller), entry('createPartitionsReply', admin),
  entry('alterConfigs', controller), entry('alterConfigsReply', admin),
  entry('describeQuorum', controller), entry('describeQuorumReply', admin),
  entry('alterPartitionReassignments', controller), entry('alterPartitionReassignmentsReply', admin),
  entry('listPartitionReassignments', controller), entry('listPartitionReassignmentsReply', admin),
  entry('electLeaders', controller), entry('electLeadersReply', admin),
  entry('decommissionNode', controller), entry('decommissionNodeReply', admin),
  entry('balanceCluster', controller), entry('balanceClusterReply', admin),
  entry('alterClusterConfigs', controller), entry('alterClusterConfigsReply', admin),
  entry('initProducerId', controller), entry('initProducerIdReply', producer),
  entry('allocateProducerIds', controller),
  // ISR changes (n/ctl/leader → the leader's replica address).
  entry('alterPartition', controller), entry('alterPartitionReply', partition),
  entry('resignLeadership', controller), entry('resignLeadershipReply', partition),
  // Raft between voters (n/ctl/<id>).
  entry('preVote', controller), entry('preVoteReply', controller),
  entry('requestVote', controller), entry('requestVoteReply', controller),
  entry('appendEntries', controller), entry('appendEntriesReply', controller),
  entry('installSnapshot', controller), entry('installSnapshotReply', controller),
  // Partitions: produce (c/produce/…), fetch and offsets (c/fetch/…, replica fetches at n/repl/…).
  entry('produce', partition), entry('produceReply', producer, coordinator),
  entry('fetch', partition), entry('fetchReply', partition, consumer, coordinator),
  entry('listOffsets', partition), entry('listOffsetsReply', consumer, admin),
  entry('deleteRecords', partition), entry('deleteRecordsReply', coordinator),
  // Consumer groups (c/group/<p>/<node>, members' inboxes).
  entry('groupHeartbeat', coordinator), entry('groupHeartbeatReply', consumer),
  entry('offsetCommit', coordinator), entry('offsetCommitReply', consumer, admin),
  entry('offsetFetch', coordinator), entry('offsetFetchReply', consumer, admin),
  entry('listGroups', coordinator), entry('listGroupsReply', admin),
  entry('describeGroup', coordinator), entry('describeGroupReply', admin),
  entry('deleteGroup', coordinator), entry('deleteGroupReply', admin),
  entry('deleteGroupOffsets', coordinator), entry('deleteGroupOffsetsReply', admin),
  entry('memberProbe', consumer), entry('memberProbeReply', coordinator),
];
