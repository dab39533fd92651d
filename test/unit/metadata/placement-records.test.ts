// Goal: the decisions and records of reassignment (KIP-455), preferred leader election,
// decommission and cluster settings: every error code, the records each step writes, replay and the
// validator, and that no decision mutates the image.
// Method: pure functions over small hand-built images.
import test from 'ava';
import { emptyImage, cloneImage, type MetadataImage } from '../../../actors/metadata/image.js';
import { replay } from '../../../actors/metadata/replay.js';
import type { MetadataRecord } from '../../../actors/metadata/records.js';
import { decideCreateTopic, decideAlterPartition } from '../../../actors/metadata/decide.js';
import { completeReassignment, decideAlterReassignment, decideReassignmentProgress, listReassignments } from '../../../actors/metadata/reassign.js';
import { decideElectLeaders, decideLeaderRebalance } from '../../../actors/metadata/elect-leaders.js';
import { decideDecommission, decideDecommissionDone } from '../../../actors/metadata/decommission.js';
import { checkClusterConfigs, clusterNumber, mergedClusterConfigs } from '../../../actors/metadata/cluster-configs.js';
import { parseControllerMessage, parseRecord } from '../../../actors/metadata/validate.js';
import { placeReplicas } from '../../../actors/metadata/placement.js';

const TID = 'b'.repeat(32);
const alive = (): boolean => true;

/** Replays records into the test's image holder (replay itself returns a new image and changes none). */
function apply(image: MetadataImage, records: MetadataRecord[]): void { for (const r of records) Object.assign(image, replay(image, r, image.offset + 1)); }

function cluster(nodes: number): MetadataImage {
  const image = emptyImage();
  for (let id = 1; id <= nodes; id++) {
    apply(image, [{ type: 'nodeRegistered', nodeId: id, nodeEpoch: image.offset + 1, incarnationId: `i${id}`, address: `node/${id}` }]);
    apply(image, [{ type: 'nodeUnfenced', nodeId: id, nodeEpoch: image.nodes[String(id)]?.nodeEpoch as number }]);
  }
  return image;
}

/** A topic `t` whose partition 0 is on [1,2,3], led by 1, all in sync. */
function withTopic(nodes = 4): MetadataImage {
  const image = cluster(nodes);
  apply(image, [{ type: 'topicCreated', name: 't', topicId: TID, configs: {} },
    { type: 'partitionAdded', topicId: TID, partition: 0, replicas: [1, 2, 3], isr: [1, 2, 3], leader: 1, leaderEpoch: 0, partitionEpoch: 0 }]);
  return image;
}

function isrChange(image: MetadataImage, isr: number[]): MetadataRecord[] {
  const p = image.topics['t']?.partitions[0];
  if (p === undefined) throw new Error('no partition');
  const d = decideAlterPartition(image, { topicId: TID, partition: 0, leaderId: p.leader, leaderEpoch: p.leaderEpoch, partitionEpoch: p.partitionEpoch, isr });
  if (d.reply.code !== 'OK') throw new Error(d.reply.code);
  return d.records;
}

test('reassignment [1,2,3] → [2,3,4]: union with adding/removing, waits for the ISR, moves leadership, drops the leaver', (t) => {
  const image = withTopic();
  const before = cloneImage(image);
  const start = decideAlterReassignment(image, { topic: 't', partition: 0, replicas: [2, 3, 4] }, alive);
  t.deepEqual(image, before, 'decide does not mutate');
  t.is(start.reply.code, 'OK');
  t.like(start.records[0], { type: 'partitionChanged', replicas: [2, 3, 4, 1], addingReplicas: [4], removingReplicas: [1], isr: [1, 2, 3], leader: 1, leaderEpoch: 0, partitionEpoch: 1 });
  apply(image, start.records);
  t.deepEqual(listReassignments(image).map((r) => [r.topic, r.partition, r.addingReplicas, r.removingReplicas]), [['t', 0, [4], [1]]]);
  t.deepEqual(decideReassignmentProgress(image, alive), [], 'node 4 is not in the ISR yet: nothing is dropped');
  // An ISR change from the leader keeps the reassignment.
  apply(image, isrChange(image, [1, 2, 3, 4]));
  t.deepEqual(image.topics['t']?.partitions[0]?.addingReplicas, [4]);
  const done = decideReassignmentProgress(image, alive);
  t.is(done.length, 1);
  t.like(done[0], { replicas: [2, 3, 4], isr: [2, 3, 4], leader: 2, leaderEpoch: 1 });
  t.false('addingReplicas' in (done[0] as object), 'the final record has no reassignment');
  apply(image, done);
  t.deepEqual(listReassignments(image), []);
  t.deepEqual(image.topics['t']?.partitions[0], { replicas: [2, 3, 4], isr: [2, 3, 4], leader: 2, leaderEpoch: 1, partitionEpoch: 3 });
});

test('a leader that stays gets a new epoch when replicas leave, fencing their fetches (seed 770002); a dead target cannot lead; the planted bug drops early', (t) => {
  const image = withTopic();
  apply(image, decideAlterReassignment(image, { topic: 't', partition: 0, replicas: [1, 4] }, alive).records);
  t.is(completeReassignment(image.topics['t']!, 0, image.topics['t']!.partitions[0]!, alive), undefined);
  const early = completeReassignment(image.topics['t']!, 0, image.topics['t']!.partitions[0]!, alive, true);
  t.like(early, { replicas: [1, 4], isr: [1, 4], leader: 1 }, 'the bug counts node 4 in sync before it is');
  apply(image, isrChange(image, [1, 2, 3, 4]));
  t.like(decideReassignmentProgress(image, alive)[0], { replicas: [1, 4], isr: [1, 4], leader: 1, leaderEpoch: 1 });
  // Moving everything: no target in the ISR and the bug elects an empty replica.
  const full = withTopic(6);
  apply(full, decideAlterReassignment(full, { topic: 't', partition: 0, replicas: [4, 5, 6] }, alive).records);
  t.deepEqual(decideReassignmentProgress(full, alive), []);
  t.like(decideReassignmentProgress(full, alive, true)[0], { replicas: [4, 5, 6], isr: [4, 5, 6], leader: 4 });
});

test('reassignment refusals carry Kafka codes; cancel restores the original replicas', (t) => {
  const image = withTopic();
  const ask = (replicas: number[] | null, topic = 't', partition = 0): string => decideAlterReassignment(image, { topic, partition, replicas }, alive).reply.code;
  t.is(ask([1, 2], 'nope'), 'UNKNOWN_TOPIC_OR_PARTITION');
  t.is(ask([1, 2], 't', 5), 'UNKNOWN_TOPIC_OR_PARTITION');
  t.is(ask([]), 'INVALID_REPLICA_ASSIGNMENT');
  t.is(ask([1, 1, 2]), 'INVALID_REPLICA_ASSIGNMENT');
  t.is(ask([1, 2, 9]), 'INVALID_REPLICA_ASSIGNMENT', 'unknown node');
  t.is(ask(null), 'NO_REASSIGNMENT_IN_PROGRESS');
  t.is(ask([1, 2, 3]), 'OK');
  t.is(decideAlterReassignment(image, { topic: 't', partition: 0, replicas: [1, 2, 3] }, alive).records.length, 0, 'no change, no record');
  apply(image, [{ type: 'nodeFenced', nodeId: 4, nodeEpoch: image.nodes['4']?.nodeEpoch as number }]);
  t.is(ask([2, 3, 4]), 'INVALID_REPLICA_ASSIGNMENT', 'a fenced node cannot take a new replica');
  const five = withTopic(5);
  apply(five, decideAlterReassignment(five, { topic: 't', partition: 0, replicas: [2, 3, 4] }, alive).records);
  t.is(decideAlterReassignment(five, { topic: 't', partition: 0, replicas: [2, 3, 5] }, alive).reply.code, 'REASSIGNMENT_IN_PROGRESS');
  t.is(decideAlterReassignment(five, { topic: 't', partition: 0, replicas: [2, 3, 4] }, alive).reply.code, 'OK', 'the same target again is a no-op');
  const cancel = decideAlterReassignment(five, { topic: 't', partition: 0, replicas: null }, alive);
  t.like(cancel.records[0], { replicas: [2, 3, 1], isr: [1, 2, 3], leader: 1, leaderEpoch: 1 }, 'the cancelled replica on node 4 leaves: a new epoch fences it');
  apply(five, cancel.records);
  t.deepEqual(listReassignments(five), []);
});

test('preferred leader election: per-partition results, a new leader epoch, and the automatic imbalance check', (t) => {
  const image = withTopic();
  apply(image, [{ type: 'partitionChanged', topicId: TID, partition: 0, replicas: [1, 2, 3], isr: [2, 3], leader: 2, leaderEpoch: 1, partitionEpoch: 1 }]);
  const notInSync = decideElectLeaders(image, { topic: 't' }, alive);
  t.like(notInSync.reply, { code: 'OK', results: [{ topic: 't', partition: 0, code: 'PREFERRED_LEADER_NOT_AVAILABLE' }] });
  t.deepEqual(decideLeaderRebalance(image, alive), []);
  apply(image, isrChange(image, [2, 3, 1]));
  const before = cloneImage(image);
  const elected = decideElectLeaders(image, {}, alive);
  t.deepEqual(image, before);
  t.like(elected.records[0], { leader: 1, leaderEpoch: 2 });
  t.is(decideLeaderRebalance(image, alive).length, 1, '1 of 1 preferred partitions led elsewhere is over 10%');
  t.is(decideLeaderRebalance(image, (id) => id !== 1).length, 0, 'a dead preferred leader is not elected');
  apply(image, elected.records);
  t.like(decideElectLeaders(image, { topic: 't', partitions: [0, 7] }, alive).reply,
    { results: [{ code: 'ELECTION_NOT_NEEDED' }, { code: 'UNKNOWN_TOPIC_OR_PARTITION' }] });
  t.is(decideElectLeaders(image, { topic: 'nope' }, alive).reply.code, 'UNKNOWN_TOPIC_OR_PARTITION');
  t.is(decideElectLeaders(image, { partitions: [0] }, alive).reply.code, 'INVALID_REQUEST');
});

test('decommission: draining, no new replicas, decommissioned once empty, survives re-registration', (t) => {
  const image = withTopic();
  t.is(decideDecommission(image, 9).reply.code, 'NODE_NOT_REGISTERED');
  const small = withTopic(3);
  t.is(decideDecommission(small, 1).reply.code, 'POLICY_VIOLATION', 'three replicas need three nodes');
  const d = decideDecommission(image, 1);
  t.deepEqual(d.records, [{ type: 'nodeDecommissioning', nodeId: 1 }]);
  apply(image, d.records);
  t.is(image.nodes['1']?.decommission, 'draining');
  t.is(decideDecommission(image, 1).records.length, 0, 'idempotent');
  t.false(placeReplicas(image, 4, 3).flat().includes(1), 'a draining node gets no new replicas');
  t.deepEqual(decideDecommissionDone(image), [], 'node 1 still holds a replica');
  t.is(decideCreateTopic(image, { name: 'x', partitions: 1, replicationFactor: 4, configs: {}, topicId: 'c'.repeat(32) }).reply.code, 'INVALID_REPLICATION_FACTOR');
  apply(image, [{ type: 'partitionChanged', topicId: TID, partition: 0, replicas: [2, 3, 4], isr: [2, 3, 4], leader: 2, leaderEpoch: 1, partitionEpoch: 1 }]);
  t.deepEqual(decideDecommissionDone(image), [{ type: 'nodeDecommissioned', nodeId: 1 }]);
  apply(image, decideDecommissionDone(image));
  apply(image, [{ type: 'nodeRegistered', nodeId: 1, nodeEpoch: image.offset + 1, incarnationId: 'again', address: 'node/1' }]);
  t.is(image.nodes['1']?.decommission, 'decommissioned', 'a restart does not undo a decommission');
});

test('cluster settings: rules, defaults, merge and replay; records and requests pass the validator', (t) => {
  const image = cluster(1);
  t.is(clusterNumber(image, 'reassignment.max.concurrent'), 2);
  t.is(checkClusterConfigs({ 'no.such': '1' })?.code, 'INVALID_CONFIG');
  t.is(checkClusterConfigs({ 'auto.balance.on.join': 'maybe' })?.code, 'INVALID_CONFIG');
  t.is(checkClusterConfigs({ 'reassignment.max.concurrent': '4', 'auto.balance.on.join': '' }), undefined);
  apply(image, [{ type: 'clusterConfigChanged', configs: mergedClusterConfigs(image, { 'reassignment.max.concurrent': '4' }) }]);
  t.is(clusterNumber(image, 'reassignment.max.concurrent'), 4);
  t.deepEqual(mergedClusterConfigs(image, { 'reassignment.max.concurrent': '' }), {});
  for (const r of [{ type: 'clusterConfigChanged', configs: { a: 'b' } }, { type: 'nodeDecommissioning', nodeId: 1 }, { type: 'nodeDecommissioned', nodeId: 2 },
    { type: 'partitionChanged', topicId: TID, partition: 0, replicas: [2, 1], isr: [1], leader: 1, leaderEpoch: 0, partitionEpoch: 1, addingReplicas: [2], removingReplicas: [] }]) {
    t.deepEqual(parseRecord(r), r as MetadataRecord);
  }
  const parse = (type: string, body: unknown): string => { const p = parseControllerMessage({ type, from: 'client/x', body }); return p.ok ? 'ok' : p.code; };
  t.is(parse('alterPartitionReassignments', { topic: 't', partition: 0, replicas: [1, 2] }), 'ok');
  t.is(parse('alterPartitionReassignments', { topic: 't', partition: 0, replicas: null }), 'ok');
  t.is(parse('alterPartitionReassignments', { topic: 't', partition: -1, replicas: [1] }), 'INVALID_REQUEST');
  t.is(parse('alterPartitionReassignments', { topic: 't', partition: 0, replicas: ['x'] }), 'INVALID_REQUEST');
  t.is(parse('electLeaders', {}), 'ok');
  t.is(parse('electLeaders', { topic: 7 }), 'INVALID_REQUEST');
  t.is(parse('decommissionNode', { nodeId: 'one' }), 'INVALID_REQUEST');
  t.is(parse('balanceCluster', { dryRun: true }), 'ok');
  t.is(parse('alterClusterConfigs', { configs: { a: 1 } }), 'INVALID_REQUEST');
  t.is(parse('listPartitionReassignments', {}), 'ok');
});

test('replay refuses impossible reassignment records', (t) => {
  const image = withTopic();
  const base = { type: 'partitionChanged' as const, topicId: TID, partition: 0, isr: [1], leader: 1, leaderEpoch: 0, partitionEpoch: 1 };
  t.throws(() => replay(cloneImage(image), { ...base, replicas: [1, 2], addingReplicas: [5], removingReplicas: [] }, image.offset + 1));
  t.throws(() => replay(cloneImage(image), { ...base, replicas: [1, 2], addingReplicas: [2], removingReplicas: [2] }, image.offset + 1));
  t.throws(() => replay(cloneImage(image), { ...base, replicas: [1, 2], addingReplicas: [], removingReplicas: [1, 2] }, image.offset + 1));
  t.throws(() => replay(cloneImage(image), { type: 'nodeDecommissioning', nodeId: 42 }, image.offset + 1));
});
