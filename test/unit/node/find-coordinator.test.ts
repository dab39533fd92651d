// Goal: findCoordinator never hashes a group over a `__consumer_offsets` topic still being created
// (its topicCreated and partitionAdded records arrive one by one): until every configured
// partition is there it answers COORDINATOR_NOT_AVAILABLE, so all members meet at one coordinator.
import test from 'ava';
import { emptyImage } from '../../../actors/metadata/image.js';
import { replay } from '../../../actors/metadata/replay.js';
import { findCoordinator } from '../../../runtime/node/find-coordinator.js';

const TOPIC_ID = '0123456789abcdef0123456789abcdef';

test('a half-created __consumer_offsets topic gets COORDINATOR_NOT_AVAILABLE; the whole one an answer', (t) => {
  let image = emptyImage();
  let offset = 0;
  image = replay(image, { type: 'topicCreated', name: '__consumer_offsets', topicId: TOPIC_ID, configs: {} }, ++offset);
  const add = (partition: number): void => { image = replay(image, { type: 'partitionAdded', topicId: TOPIC_ID, partition, replicas: [1], isr: [1], leader: 1, leaderEpoch: 0, partitionEpoch: 0 }, ++offset); };
  add(0);
  add(1);
  const partial = findCoordinator(image, 'sim-group', 3);
  t.is(partial.reply.code, 'COORDINATOR_NOT_AVAILABLE');
  t.is(partial.create, undefined);
  add(2);
  const whole = findCoordinator(image, 'sim-group', 3);
  t.is(whole.reply.code, 'OK');
});

// Goal: __consumer_offsets gets min(3, cluster nodes) replicas, as Kafka's
// offsets.topic.replication.factor: a node that is down when the first group appears delays the
// creation instead of leaving the topic one replica short for good.
test('__consumer_offsets waits for min(3, registered nodes) to be up before it is created', (t) => {
  let image = emptyImage();
  let offset = 0;
  const epochs = new Map<number, number>();
  for (const nodeId of [1, 2, 3]) {
    const nodeEpoch = ++offset;
    epochs.set(nodeId, nodeEpoch);
    image = replay(image, { type: 'nodeRegistered', nodeId, nodeEpoch, incarnationId: `i${nodeId}`, address: `n${nodeId}` }, nodeEpoch);
    if (nodeId !== 2) image = replay(image, { type: 'nodeUnfenced', nodeId, nodeEpoch }, ++offset);
  }
  const short = findCoordinator(image, 'g', 3);
  t.is(short.reply.code, 'COORDINATOR_NOT_AVAILABLE');
  t.regex((short.reply as { message: string }).message, /needs 3 nodes up.*2 are/);
  t.is(short.create, undefined, 'no topic with two replicas');
  image = replay(image, { type: 'nodeUnfenced', nodeId: 2, nodeEpoch: epochs.get(2) as number }, ++offset);
  const whole = findCoordinator(image, 'g', 3);
  t.is(whole.reply.code, 'COORDINATOR_NOT_AVAILABLE');
  t.is(whole.create?.replicationFactor, 3);
});
