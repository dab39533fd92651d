// Goal: the stream simulation keeps its power losses inside the durability contract: a power loss
// of the only healthy in-sync replica (the documented hole, README "Known limits") is recognised.
// Method: metadata images built by hand; seed 120010's situation (events/1 with ISR [5] after the
// controller fenced the crashed node 2, then power lost on node 5) is the first case.
import test from 'ava';
import { emptyImage, type MetadataImage, type PartitionImage } from '../../actors/metadata/image.js';
import { soleInSyncPartitions } from '../../runtime/sim/sole-in-sync.js';

function imageWith(partitions: Array<Pick<PartitionImage, 'isr' | 'leader'>>): MetadataImage {
  const image = emptyImage();
  image.topics['events'] = { name: 'events', topicId: 't1', configs: { 'min.insync.replicas': '2' },
    partitions: partitions.map((p) => ({ replicas: [2, 3, 5], leaderEpoch: 0, partitionEpoch: 1, ...p })) };
  return image;
}

test('the only member of an ISR is its sole in-sync replica', (t) => {
  const image = imageWith([{ leader: 5, isr: [5] }, { leader: 3, isr: [3, 5] }]);
  t.deepEqual(soleInSyncPartitions(image, 5, () => true), ['events/0']);
});

test('an ISR whose other members are down, paused or cut off leaves the node alone in sync', (t) => {
  const image = imageWith([{ leader: 5, isr: [2, 5] }, { leader: 5, isr: [2, 3, 5] }]);
  const down = new Set([2]);
  t.deepEqual(soleInSyncPartitions(image, 5, (id) => !down.has(id)), ['events/0']);
  down.add(3);
  t.deepEqual(soleInSyncPartitions(image, 5, (id) => !down.has(id)), ['events/0', 'events/1']);
});

test('a node outside the ISR, or with a healthy fellow member, is never sole in sync', (t) => {
  const image = imageWith([{ leader: 3, isr: [3] }, { leader: 2, isr: [2, 5] }]);
  t.deepEqual(soleInSyncPartitions(image, 5, () => true), []);
});
