// Goal: topic rules, placement, replay and decide behave as Kafka's do and decide never mutates.
// Method: pure functions over small hand-built images.
import test from 'ava';
import { emptyImage, cloneImage, type MetadataImage } from '../../../actors/metadata/image.js';
import { replay } from '../../../actors/metadata/replay.js';
import type { MetadataRecord } from '../../../actors/metadata/records.js';
import { checkConfigs, checkTopicName, effectiveConfigs } from '../../../actors/metadata/topic-rules.js';
import { placeReplicas } from '../../../actors/metadata/placement.js';
import {
  decideAlterConfigs, decideAlterPartition, decideCreatePartitions, decideCreateTopic, decideDeleteTopic, decideFenceNode, decideHeartbeat,
  decideRegisterNode, decideResignLeadership, type DecideEnv,
} from '../../../actors/metadata/decide.js';
import { parseControllerMessage } from '../../../actors/metadata/validate.js';
import { controllerVoter, nodeAddress } from '../../../actors/kit/addresses.js';

const TID = 'a'.repeat(32);
const env = (nextOffset: number, alive = true, heard = alive): DecideEnv => ({ clusterId: 'c1', nextOffset, sessionAlive: () => alive, sessionHeard: () => heard });

/** Replays records into the test's image holder (replay itself returns a new image and changes none). */
function apply(image: MetadataImage, records: MetadataRecord[]): void { for (const r of records) Object.assign(image, replay(image, r, image.offset + 1)); }

function cluster(nodes: number, racks: string[] = []): MetadataImage {
  const image = emptyImage();
  for (let id = 1; id <= nodes; id++) {
    const rack = racks[id - 1];
    apply(image, [{ type: 'nodeRegistered', nodeId: id, nodeEpoch: image.offset + 1, incarnationId: `i${id}`, address: nodeAddress(id), ...(rack ? { rack } : {}) }]);
    apply(image, [{ type: 'nodeUnfenced', nodeId: id, nodeEpoch: image.nodes[String(id)]?.nodeEpoch as number }]);
  }
  return image;
}

test('topic names follow Kafka', (t) => {
  t.is(checkTopicName('orders.v1-x_y'), undefined);
  for (const bad of ['', '.', '..', 'a b', 'x'.repeat(250), 'ü']) t.is(checkTopicName(bad)?.code, 'INVALID_TOPIC');
  t.is(checkTopicName('__offsets')?.code, 'INVALID_TOPIC');
  t.is(checkTopicName('__offsets', true), undefined);
});

test('configs: unknown names, compact and min.insync.replicas > RF are INVALID_CONFIG; defaults fill in', (t) => {
  t.is(checkConfigs({ 'no.such': '1' }, 3)?.code, 'INVALID_CONFIG');
  t.regex(checkConfigs({ 'cleanup.policy': 'compact' }, 3)?.message ?? '', /compact is not supported/);
  t.is(checkConfigs({ 'min.insync.replicas': '3' }, 2)?.code, 'INVALID_CONFIG');
  t.is(checkConfigs({ 'retention.ms': 'soon' }, 2)?.code, 'INVALID_CONFIG');
  t.is(checkConfigs({ 'retention.ms': '1000' }, 2), undefined);
  t.like(effectiveConfigs({}, 1), { 'min.insync.replicas': '1', 'retention.ms': '604800000', 'cleanup.policy': 'delete' });
  t.is(effectiveConfigs({}, 3)['min.insync.replicas'], '2');
});

test('placement balances replicas and leaders, stays balanced across creates, and is deterministic', (t) => {
  const image = cluster(4);
  const first = placeReplicas(image, 4, 2);
  t.deepEqual(first, placeReplicas(image, 4, 2));
  apply(image, decideCreateTopic(image, { name: 'a', partitions: 4, replicationFactor: 2, configs: {}, topicId: TID }).records);
  apply(image, decideCreateTopic(image, { name: 'b', partitions: 2, replicationFactor: 3, configs: {}, topicId: 'b'.repeat(32) }).records);
  const counts = new Map<number, number>();
  const leaders = new Map<number, number>();
  for (const topic of Object.values(image.topics)) for (const p of topic.partitions) {
    for (const r of p.replicas) counts.set(r, (counts.get(r) ?? 0) + 1);
    leaders.set(p.leader, (leaders.get(p.leader) ?? 0) + 1);
  }
  const c = [...counts.values()];
  t.true(Math.max(...c) - Math.min(...c) <= 1, `replicas spread: ${c}`);
  const l = [...leaders.values()];
  t.true(leaders.size >= 4 && Math.max(...l) - Math.min(...l) <= 1, 'leaders spread');
});

test('placement puts replicas on distinct racks where possible', (t) => {
  const image = cluster(4, ['r1', 'r1', 'r2', 'r2']);
  for (const replicas of placeReplicas(image, 6, 2)) {
    const racks = replicas.map((id) => image.nodes[String(id)]?.rack);
    t.is(new Set(racks).size, 2, `partition ${replicas} spans both racks`);
  }
});

test('replay rejects impossible records', (t) => {
  const image = cluster(2);
  apply(image, decideCreateTopic(image, { name: 'a', partitions: 1, replicationFactor: 2, configs: {}, topicId: TID }).records);
  t.throws(() => replay(image, { type: 'topicCreated', name: 'a', topicId: 'c'.repeat(32), configs: {} }, image.offset + 1), { message: /duplicate/ });
  const p = image.topics['a']?.partitions[0];
  t.throws(() => replay(image, { type: 'partitionChanged', topicId: TID, partition: 0, replicas: [1, 2], isr: [1], leader: 2, leaderEpoch: 5, partitionEpoch: 5 }, image.offset + 1), { message: /outside ISR/ });
  t.throws(() => replay(image, { type: 'partitionChanged', topicId: TID, partition: 0, replicas: [1, 2], isr: [1, 2], leader: 1, leaderEpoch: 0, partitionEpoch: 0 }, image.offset + 1), { message: /went back/ });
  t.throws(() => replay(image, { type: 'leaderChanged', leaderId: 1, term: 1 }, image.offset), { message: /offset/ });
  t.deepEqual(image.topics['a']?.partitions[0], p);
});

test('decide refuses with each error code and never mutates the image', (t) => {
  const image = cluster(2);
  apply(image, decideCreateTopic(image, { name: 'a', partitions: 1, replicationFactor: 2, configs: {}, topicId: TID }).records);
  const before = cloneImage(image);
  const create = (o: Partial<{ name: string; partitions: number; replicationFactor: number; configs: Record<string, string> }>) =>
    decideCreateTopic(image, { name: 'n', partitions: 1, replicationFactor: 1, configs: {}, topicId: 'd'.repeat(32), ...o }).reply.code;
  t.is(create({ name: 'a' }), 'TOPIC_ALREADY_EXISTS');
  t.is(create({ name: 'bad name' }), 'INVALID_TOPIC');
  t.is(create({ partitions: 0 }), 'INVALID_PARTITIONS');
  t.is(create({ partitions: 10_001 }), 'INVALID_PARTITIONS');
  t.is(create({ replicationFactor: 3 }), 'INVALID_REPLICATION_FACTOR');
  t.is(create({ configs: { 'cleanup.policy': 'compact' } }), 'INVALID_CONFIG');
  t.is(decideDeleteTopic(image, { name: 'zz' }).reply.code, 'UNKNOWN_TOPIC_OR_PARTITION');
  t.is(decideCreatePartitions(image, { name: 'a', totalCount: 1 }).reply.code, 'INVALID_PARTITIONS');
  const alter = { topicId: TID, partition: 0, leaderId: 1, leaderEpoch: 0, partitionEpoch: 0, isr: [1] };
  t.is(decideAlterPartition(image, { ...alter, leaderEpoch: 1 }).reply.code, 'FENCED_LEADER_EPOCH');
  t.is(decideAlterPartition(image, { ...alter, partitionEpoch: 3 }).reply.code, 'INVALID_UPDATE_VERSION');
  t.is(decideAlterPartition(image, { ...alter, isr: [2] }).reply.code, 'INVALID_REQUEST');
  t.is(decideAlterPartition(image, { ...alter, partition: 9 }).reply.code, 'UNKNOWN_TOPIC_OR_PARTITION');
  t.is(decideRegisterNode(image, { nodeId: 1, incarnationId: 'new', clusterId: 'c1', address: 'x' }, env(100)).reply.code, 'NODE_ID_IN_USE');
  // A session only granted by a new controller leader, never heard from, gives way to a new incarnation.
  t.is(decideRegisterNode(image, { nodeId: 1, incarnationId: 'new', clusterId: 'c1', address: 'x' }, env(100, true, false)).reply.code, 'OK');
  t.is(decideRegisterNode(image, { nodeId: 5, incarnationId: 'new', clusterId: 'zz', address: 'x' }, env(100)).reply.code, 'INCONSISTENT_CLUSTER_ID');
  t.is(decideHeartbeat(image, { nodeId: 1, nodeEpoch: 0, appliedOffset: 0 }, env(100)).reply.code, 'STALE_NODE_EPOCH');
  t.is(decideHeartbeat(image, { nodeId: 9, nodeEpoch: 1, appliedOffset: 0 }, env(100)).reply.code, 'NODE_NOT_REGISTERED');
  const shrink = decideAlterPartition(image, alter);
  t.like(shrink.reply, { code: 'OK', partition: { isr: [1], partitionEpoch: 1, leaderEpoch: 0 } });
  t.deepEqual(image, before, 'nothing changed');
});

test('fencing the last ISR member takes the partition offline and keeps it in the ISR; unfencing restores it', (t) => {
  const image = cluster(2);
  apply(image, decideCreateTopic(image, { name: 'a', partitions: 1, replicationFactor: 1, configs: {}, topicId: TID }).records);
  const owner = image.topics['a']?.partitions[0]?.leader as number;
  const fence = decideFenceNode(image, owner, env(image.offset + 1, false));
  apply(image, fence);
  t.like(image.topics['a']?.partitions[0], { leader: -1, isr: [owner], leaderEpoch: 1 });
  const epoch = image.nodes[String(owner)]?.nodeEpoch as number;
  apply(image, decideHeartbeat(image, { nodeId: owner, nodeEpoch: epoch, appliedOffset: image.offset }, env(image.offset + 1)).records);
  t.like(image.topics['a']?.partitions[0], { leader: owner, leaderEpoch: 2 });
});

test('a leader that resigns its epoch: the next live ISR member leads, or itself in a new epoch when there is none', (t) => {
  const image = cluster(3);
  apply(image, decideCreateTopic(image, { name: 'a', partitions: 1, replicationFactor: 3, configs: {}, topicId: TID }).records);
  const p = image.topics['a']?.partitions[0];
  if (!p) return t.fail('no partition');
  const [leader, x, y] = p.replicas as [number, number, number];
  const resign = { topicId: TID, partition: 0, leaderId: leader, leaderEpoch: p.leaderEpoch };
  t.like(decideResignLeadership(image, { ...resign, leaderEpoch: p.leaderEpoch + 1 }, () => true).reply, { code: 'FENCED_LEADER_EPOCH' });
  t.like(decideResignLeadership(image, { ...resign, leaderId: x }, () => true).reply, { code: 'FENCED_LEADER_EPOCH' });
  t.like(decideResignLeadership(image, { ...resign, partition: 4 }, () => true).reply, { code: 'UNKNOWN_TOPIC_OR_PARTITION' });
  const moved = decideResignLeadership(image, resign, (id) => id !== x);
  t.like(moved.reply, { code: 'OK', partition: { leader: y, leaderEpoch: p.leaderEpoch + 1, isr: p.isr } }, 'x is not alive: y, the next in replica order');
  const kept = decideResignLeadership(image, resign, (id) => id === leader);
  t.like(kept.reply, { code: 'OK', partition: { leader, leaderEpoch: p.leaderEpoch + 1, partitionEpoch: p.partitionEpoch + 1 } }, 'nobody else alive: itself, in a new epoch');
  apply(image, kept.records);
  t.like(image.topics['a']?.partitions[0], { leader, leaderEpoch: p.leaderEpoch + 1 });
  t.like(parseControllerMessage({ type: 'resignLeadership', from: 'n/repl/a/0/1', corr: 1, body: { ...resign, leaderEpoch: -1 } }), { ok: false, code: 'INVALID_REQUEST' });
});

test('the validator refuses malformed controller messages', (t) => {
  t.like(parseControllerMessage({ type: 'nope', from: 'x', body: {} }), { ok: false, code: 'UNSUPPORTED_MESSAGE' });
  t.like(parseControllerMessage({ type: 'createTopic', from: 'x', body: { name: 3 } }), { ok: false, code: 'INVALID_REQUEST' });
  t.like(parseControllerMessage({ type: 'appendEntries', from: 'client/x', body: {} }), { ok: false, code: 'INVALID_REQUEST' });
  t.like(parseControllerMessage({ type: 'deleteTopic', from: 'x', corr: 1, body: { name: 'a' } }), { ok: true, event: { type: 'deleteTopic', name: 'a', corr: 1 } });
  const resigning = { term: 4, leaderId: 2, successorId: 3 };
  t.like(parseControllerMessage({ type: 'endQuorumEpoch', from: controllerVoter(2), body: resigning }), { ok: true, event: { type: 'endQuorumEpoch', ...resigning } });
  t.like(parseControllerMessage({ type: 'endQuorumEpoch', from: controllerVoter(3), body: resigning }), { ok: false, code: 'INVALID_REQUEST' }, 'only from the resigning leader');
  t.like(parseControllerMessage({ type: 'endQuorumEpoch', from: controllerVoter(2), body: { term: 4, leaderId: 2 } }), { ok: false, code: 'INVALID_REQUEST' });
  t.like(parseControllerMessage({ type: 'resign', from: controllerVoter(2), body: {} }), { ok: false, code: 'UNSUPPORTED_MESSAGE' }, 'resign is the node runtime\'s local event, never a message');
});

test('an ISR expansion naming a fenced joiner keeps its eligible joiners; a fenced joiner alone changes nothing', (t) => {
  const image = cluster(3);
  apply(image, decideCreateTopic(image, { name: 'a', partitions: 1, replicationFactor: 3, configs: {}, topicId: TID }).records);
  const p = image.topics['a']?.partitions[0];
  if (!p) return t.fail('no partition');
  const [leader, x, y] = p.replicas as [number, number, number];
  // Shrink to the leader alone, then fence y.
  apply(image, decideAlterPartition(image, { topicId: TID, partition: 0, leaderId: leader, leaderEpoch: p.leaderEpoch, partitionEpoch: p.partitionEpoch, isr: [leader] }).records);
  const node = image.nodes[String(y)];
  if (!node) return t.fail('no node');
  node.state = 'fenced';
  const now = image.topics['a']?.partitions[0] as typeof p;
  const both = decideAlterPartition(image, { topicId: TID, partition: 0, leaderId: leader, leaderEpoch: now.leaderEpoch, partitionEpoch: now.partitionEpoch, isr: [leader, x, y] });
  t.like(both.reply, { code: 'OK', partition: { isr: [leader, x] } });
  const fencedOnly = decideAlterPartition(image, { topicId: TID, partition: 0, leaderId: leader, leaderEpoch: now.leaderEpoch, partitionEpoch: now.partitionEpoch, isr: [leader, y] });
  t.like(fencedOnly.reply, { code: 'OK', partition: { isr: [leader] } });
  t.deepEqual(fencedOnly.records, [], 'no record when nothing eligible changes');
});

test('a create retried with the topic id it proposed gets OK and no records; another id gets TOPIC_ALREADY_EXISTS', (t) => {
  const image = cluster(1);
  const first = decideCreateTopic(image, { name: 'scale', partitions: 3, replicationFactor: 1, configs: {}, topicId: TID });
  apply(image, first.records);
  const retry = decideCreateTopic(image, { name: 'scale', partitions: 3, replicationFactor: 1, configs: {}, topicId: TID });
  t.deepEqual(retry, { records: [], reply: { code: 'OK', topicId: TID } });
  t.is(decideCreateTopic(image, { name: 'scale', partitions: 3, replicationFactor: 1, configs: {}, topicId: 'e'.repeat(32) }).reply.code, 'TOPIC_ALREADY_EXISTS');
});

test('alterConfigs: an empty value restores the default, or removes a config that has none; unknown names are refused', (t) => {
  const image = cluster(1);
  apply(image, decideCreateTopic(image, { name: 'a', partitions: 1, replicationFactor: 1, configs: { 'retention.ms': '1000', 'compression.type': 'lz4' }, topicId: TID }).records);
  const altered = decideAlterConfigs(image, { name: 'a', configs: { 'retention.ms': '', 'compression.type': '', 'max.message.bytes': '2000' } });
  t.is(altered.reply.code, 'OK');
  apply(image, altered.records);
  const configs = image.topics['a']?.configs ?? {};
  t.is(configs['retention.ms'], '604800000');
  t.is(configs['max.message.bytes'], '2000');
  t.false('compression.type' in configs);
  t.is(decideAlterConfigs(image, { name: 'a', configs: { 'no.such': '' } }).reply.code, 'INVALID_CONFIG');
  t.is(decideAlterConfigs(image, { name: 'a', configs: { 'compression.type': 'brotli' } }).reply.code, 'INVALID_CONFIG');
});
