// Goal: the stream simulation keeps its power losses inside the durability contract: a power loss
// of the only healthy in-sync replica (the documented hole, README "Known limits") is recognised.
// Method: metadata images built by hand; seed 120010's situation (events/1 with ISR [5] after the
// controller fenced the crashed node 2, then power lost on node 5) is the first case; seeds 200121
// and 200200 (the ISR shrank to a node only after it lost power) are judged on restart, on the
// freshest image at hand.
import test from 'ava';
import { emptyImage, type MetadataImage, type PartitionImage } from '../../actors/metadata/image.js';
import { PowerOutages, soleInSyncPartitions } from '../../runtime/sim/sole-in-sync.js';

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

test('a power loss is judged on restart: the ISR may shrink to the node after its power went (seeds 200121, 200200)', (t) => {
  // Seed 200200: node 4 loses power while ISR [3, 4] and node 3 is healthy — not sole then.
  const outages = new PowerOutages();
  const up = new Set([2, 3, 5]);
  t.deepEqual(soleInSyncPartitions(imageWith([{ leader: 3, isr: [3, 4] }]), 4, (id) => up.has(id)), []);
  outages.cut(4, undefined);
  // Node 3 crashes; the controller fences 3 and then 4 and keeps 4 as the last ISR member.
  up.delete(3);
  t.deepEqual(outages.restore(4, imageWith([{ leader: -1, isr: [4] }]), (id) => up.has(id)), ['events/0'], 'node 4 would lead alone with a shorter log: spared');
  t.is(outages.restore(4, imageWith([{ leader: -1, isr: [4] }]), (id) => up.has(id)), undefined, 'judged once');
});

test('a power loss whose node comes back outside the ISR or beside a healthy member takes the page cache', (t) => {
  const outages = new PowerOutages();
  outages.cut(5, undefined);
  t.deepEqual(outages.restore(5, imageWith([{ leader: 3, isr: [3] }]), () => true), []);
  outages.cut(5, undefined);
  t.deepEqual(outages.restore(5, imageWith([{ leader: 3, isr: [3, 5] }]), () => true), []);
  t.is(outages.restore(2, imageWith([{ leader: -1, isr: [2] }]), () => true), undefined, 'no power loss pending: nothing to judge');
});

test('with no image at hand on restart (every node was down a moment), the image from when the power went judges (sweep seed 28)', (t) => {
  const outages = new PowerOutages();
  const atCut = imageWith([{ leader: 2, isr: [2] }]);
  atCut.offset = 58;
  outages.cut(2, atCut);
  atCut.topics['events']?.partitions[0]?.isr.push(3); // the caller's image moves on; the one kept does not
  t.deepEqual(outages.restore(2, emptyImage(), () => true), ['events/0'], 'node 2 was the only in-sync replica: spared');
  const older = imageWith([{ leader: 2, isr: [2] }]);
  older.offset = 10;
  const newer = imageWith([{ leader: 3, isr: [2, 3] }]);
  newer.offset = 20;
  outages.cut(2, older);
  t.deepEqual(outages.restore(2, newer, () => true), [], 'a newer image at the restart wins: node 3 is in sync beside it');
});
