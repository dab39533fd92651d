// Goal: every message type on the wire is listed once in the catalogue (runtime/wire.ts) with a
// validator, its encoding is pinned, and the catalogue agrees with the admission table. Method: a
// fixed example per type, encoded as an envelope and compared with the committed bytes
// (test/fixtures/wire-golden.json: if a comparison fails, the wire format of that type changed and
// nodes of two versions would disagree); the committed bytes decoded again pass every validator of
// the type's takers; a type without an example, or an example without a type, fails.
// Regenerate the fixture after a deliberate change: WIRE_GOLDEN_WRITE=1 npx ava test/transport/wire-golden.test.ts
import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { encodeEnvelope, decodeEnvelope } from '../../transport/codec.js';
import type { Envelope } from '../../transport/envelope.js';
import { WIRE } from '../../runtime/wire.js';
import { wireSide } from '../../actors/kit/admission.js';
import { controllerVoter } from '../../actors/kit/addresses.js';

const FIXTURE = new URL('../fixtures/wire-golden.json', import.meta.url);

const bytes = new Uint8Array([1, 2, 3, 4]);
const batch = { baseOffset: 10, lastOffset: 11, leaderEpoch: 2, recordCount: 2, firstTimestamp: 1_700_000_000_000, maxTimestamp: 1_700_000_000_001,
  producerId: 5, producerEpoch: 0, baseSequence: 4, records: bytes, bytes: 65 };
const partitionState = { replicas: [1, 2, 3], isr: [1, 2], leader: 1, leaderEpoch: 4, partitionEpoch: 9 };
const image = { nodes: { 1: { nodeId: 1, nodeEpoch: 3, incarnationId: 'a1', address: 'n/node/1', state: 'unfenced' } },
  topics: { t: { name: 't', topicId: 'tid', configs: {}, partitions: [partitionState] } }, topicNames: { tid: 't' }, nextProducerId: 1000, offset: 12 };
const ok = { code: 'OK' };

/** One example per type: its body, and its sender when a validator checks it (Raft names its voter). */
const EXAMPLES: Record<string, { body: unknown; from?: string }> = {
  metadata: { body: { topics: ['t'] } },
  metadataReply: { body: { code: 'OK', clusterId: 'c1', controllerId: 1, metadataOffset: 12, nodes: [{ nodeId: 1, state: 'unfenced', nodeEpoch: 3 }],
    topics: [{ name: 't', topicId: 'tid', configs: {}, partitions: [{ partition: 0, ...partitionState }] }] } },
  findCoordinator: { body: { groupId: 'g' } },
  findCoordinatorReply: { body: { code: 'OK', partition: 2, nodeId: 1, leaderEpoch: 4, address: 'c/group/2/1' } },
  registerNode: { body: { nodeId: 2, incarnationId: 'b2', clusterId: 'c1', address: 'n/node/2', rack: 'r1' } },
  registerNodeReply: { body: { code: 'OK', nodeEpoch: 13 } },
  nodeHeartbeat: { body: { nodeId: 2, nodeEpoch: 13, appliedOffset: 12, wantShutdown: false } },
  nodeHeartbeatReply: { body: { code: 'OK', leaderId: 1, term: 3, fenced: false, shutdownReady: false, committedOffset: 13,
    records: [{ offset: 13, record: { type: 'nodeUnfenced', nodeId: 2, nodeEpoch: 13 } }] } },
  probe: { body: { nodeEpoch: 13 } },
  probeReply: { body: ok },
  createTopic: { body: { name: 't', partitions: 3, replicationFactor: 3, configs: { 'retention.ms': '60000' } } },
  createTopicReply: { body: { code: 'OK', topicId: 'tid' } },
  deleteTopic: { body: { name: 't' } },
  deleteTopicReply: { body: ok },
  createPartitions: { body: { name: 't', totalCount: 6 } },
  createPartitionsReply: { body: ok },
  alterConfigs: { body: { name: 't', configs: { 'retention.bytes': '1000000' } } },
  alterConfigsReply: { body: ok },
  describeQuorum: { body: {} },
  describeQuorumReply: { body: { code: 'OK', leaderId: 1, term: 3, voters: [1, 2, 3], commitIndex: 13 } },
  alterPartitionReassignments: { body: { topic: 't', partition: 0, replicas: [2, 3, 4] } },
  alterPartitionReassignmentsReply: { body: ok },
  listPartitionReassignments: { body: { topics: ['t'] } },
  listPartitionReassignmentsReply: { body: { code: 'OK', reassignments: [] } },
  electLeaders: { body: { topic: 't', partitions: [0] } },
  electLeadersReply: { body: { code: 'OK', results: [{ topic: 't', partition: 0, code: 'OK' }] } },
  decommissionNode: { body: { nodeId: 3 } },
  decommissionNodeReply: { body: ok },
  balanceCluster: { body: { dryRun: true } },
  balanceClusterReply: { body: { code: 'OK', moves: [{ topic: 't', partition: 0, replicas: [1, 2, 3], target: [2, 3, 4] }] } },
  alterClusterConfigs: { body: { configs: { 'reassignment.max.concurrent': '4' } } },
  alterClusterConfigsReply: { body: ok },
  initProducerId: { body: {} },
  initProducerIdReply: { body: { code: 'OK', producerId: 1000, producerEpoch: 0 } },
  allocateProducerIds: { body: { nodeId: 2, nodeEpoch: 13 } },
  alterPartition: { body: { topicId: 'tid', partition: 0, leaderId: 1, leaderEpoch: 4, partitionEpoch: 9, isr: [1, 2, 3] } },
  alterPartitionReply: { body: { code: 'OK', partition: { ...partitionState, isr: [1, 2, 3], partitionEpoch: 10 } } },
  resignLeadership: { body: { topicId: 'tid', partition: 0, leaderId: 1, leaderEpoch: 4 } },
  resignLeadershipReply: { body: { code: 'OK', partition: { ...partitionState, leader: 2, leaderEpoch: 5, partitionEpoch: 10 } } },
  preVote: { from: controllerVoter(2), body: { term: 4, candidateId: 2, lastLogIndex: 13, lastLogTerm: 3 } },
  preVoteReply: { from: controllerVoter(3), body: { term: 3, voteTerm: 4, voterId: 3, granted: true } },
  requestVote: { from: controllerVoter(2), body: { term: 4, candidateId: 2, lastLogIndex: 13, lastLogTerm: 3 } },
  requestVoteReply: { from: controllerVoter(3), body: { term: 4, voterId: 3, granted: true } },
  appendEntries: { from: controllerVoter(1), body: { term: 3, leaderId: 1, seq: 7, prevLogIndex: 12, prevLogTerm: 3, leaderCommit: 12,
    entries: [{ term: 3, record: { type: 'leaderChanged', leaderId: 1, term: 3 } }] } },
  appendEntriesReply: { from: controllerVoter(2), body: { term: 3, followerId: 2, seq: 7, success: true, matchIndex: 13, nextIndexHint: 14 } },
  installSnapshot: { from: controllerVoter(1), body: { term: 3, leaderId: 1, seq: 8, snapshotIndex: 12, snapshotTerm: 3, image } },
  installSnapshotReply: { from: controllerVoter(2), body: { term: 3, followerId: 2, seq: 8, success: true, matchIndex: 12 } },
  produce: { body: { acks: -1, timeoutMs: 30_000, leaderEpoch: 4, batch: { recordCount: 2, firstTimestamp: 1_700_000_000_000, maxTimestamp: 1_700_000_000_001,
    producerId: 5, producerEpoch: 0, baseSequence: 4, records: bytes } } },
  produceReply: { body: { code: 'OK', baseOffset: 10, logStartOffset: 0 } },
  fetch: { body: { replicaId: 2, nodeEpoch: 13, fetchOffset: 10, lastFetchedEpoch: 2, leaderEpoch: 4, maxWaitMs: 500, minBytes: 1, bytesMax: 1_048_576 } },
  fetchReply: { body: { code: 'OK', hw: 12, logStartOffset: 0, leo: 12, batches: [batch] } },
  listOffsets: { body: { timestamp: -1, leaderEpoch: 4 } },
  listOffsetsReply: { body: { code: 'OK', offset: 12 } },
  deleteRecords: { body: { offset: 10, leaderEpoch: 4 } },
  deleteRecordsReply: { body: { code: 'OK', logStartOffset: 10 } },
  groupHeartbeat: { body: { groupId: 'g', memberId: '', memberEpoch: 0, rebalanceTimeoutMs: 300_000, clientId: 'c1', subscribedTopics: ['t'], ownedPartitions: [] } },
  groupHeartbeatReply: { body: { code: 'OK', memberId: 'm1', memberEpoch: 1, heartbeatIntervalMs: 250, sessionTimeoutMs: 3000, assignment: [{ topic: 't', partitions: [0] }] } },
  offsetCommit: { body: { groupId: 'g', memberId: 'm1', memberEpoch: 1, offsets: [{ topic: 't', partition: 0, offset: 12 }] } },
  offsetCommitReply: { body: { code: 'OK', results: [{ topic: 't', partition: 0, code: 'OK' }] } },
  offsetFetch: { body: { groupId: 'g', partitions: [{ topic: 't', partitions: [0] }] } },
  offsetFetchReply: { body: { code: 'OK', offsets: [{ topic: 't', partition: 0, offset: 12 }] } },
  listGroups: { body: { states: ['stable'] } },
  listGroupsReply: { body: { code: 'OK', groups: [{ groupId: 'g', state: 'stable', members: 1 }] } },
  describeGroup: { body: { groupId: 'g' } },
  describeGroupReply: { body: { code: 'OK', groupId: 'g', state: 'stable', groupEpoch: 1, members: [] } },
  deleteGroup: { body: { groupId: 'g' } },
  deleteGroupReply: { body: ok },
  deleteGroupOffsets: { body: { groupId: 'g', topic: 't' } },
  deleteGroupOffsetsReply: { body: ok },
  memberProbe: { body: {} },
  memberProbeReply: { body: ok },
};

function envelopeOf(type: string): Envelope {
  const example = EXAMPLES[type] as { body: unknown; from?: string };
  return { to: 'n/x/1', from: example.from ?? 'n/y/2', type, corr: 7, body: example.body };
}

const hexes = Object.fromEntries(WIRE.map(({ type }) => [type, EXAMPLES[type] === undefined ? '' : Buffer.from(encodeEnvelope(envelopeOf(type))).toString('hex')]));
if (process.env['WIRE_GOLDEN_WRITE'] === '1') writeFileSync(FIXTURE, `${JSON.stringify(hexes, null, 1)}\n`);
const golden = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, string>;

test('every type in the catalogue once, each with an example and at least one validator, and no example without a type', (t) => {
  const types = WIRE.map((w) => w.type);
  t.deepEqual(types.filter((type, i) => types.indexOf(type) !== i), [], 'listed once');
  t.deepEqual(types.filter((type) => EXAMPLES[type] === undefined), [], 'an example for every type');
  t.deepEqual(Object.keys(EXAMPLES).filter((type) => !types.includes(type)), [], 'an example only for a listed type');
  t.deepEqual(WIRE.filter((w) => w.takers.length === 0).map((w) => w.type), [], 'every type has a taker with a validator');
});

for (const { type, takers } of WIRE) {
  test(`${type}: golden bytes, and every taker's validator accepts them decoded`, (t) => {
    t.is(hexes[type], golden[type], 'encoding is pinned');
    const decoded = decodeEnvelope(Buffer.from(golden[type] ?? '', 'hex'));
    for (const taker of takers) {
      const verdict = taker.validate({ type: decoded.type, from: decoded.from, corr: decoded.corr as number, body: decoded.body });
      t.true(verdict.ok, `${taker.who}: ${verdict.message ?? ''}`);
    }
  });
}

test('the catalogue and the admission table agree: a reply is on its request\'s side of the wire (or on both)', (t) => {
  let pairs = 0;
  for (const { type } of WIRE) {
    if (!type.endsWith('Reply')) continue;
    const request = type.slice(0, -'Reply'.length);
    if (!WIRE.some((w) => w.type === request)) continue;
    const side = wireSide(type, EXAMPLES[type]?.body);
    // fetchReply answers both a follower's fetch and a consumer's.
    if (side !== 'either') t.is(side as string, wireSide(request, EXAMPLES[request]?.body) as string, type);
    pairs++;
  }
  t.true(pairs > 30, `${pairs} request and reply pairs`);
});

/** The example with every field given a value of another kind (a string for a number, a number for a string, …). */
function garbled(body: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) out[k] = typeof v === 'string' ? 17 : typeof v === 'object' && !Array.isArray(v) && v !== null ? 'x' : Array.isArray(v) ? 'x' : 'x';
  return out;
}

test('every taker refuses its example with each field of the wrong kind', (t) => {
  let checked = 0;
  for (const { type, takers } of WIRE) {
    const body = EXAMPLES[type]?.body as Record<string, unknown>;
    if (Object.keys(body).length === 0 || type === 'probe') continue; // Bodiless requests, and the probe, whose body is not read.
    for (const taker of takers) {
      const verdict = taker.validate({ type, from: EXAMPLES[type]?.from ?? 'n/y/2', corr: 7, body: garbled(body) });
      t.false(verdict.ok, `${taker.who} refuses a garbled ${type}`);
      checked++;
    }
  }
  t.true(checked > 70, `${checked} garbled examples refused`);
});
