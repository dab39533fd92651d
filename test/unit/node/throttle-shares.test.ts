// Goal: a node splits the reassignment throttle so that what it sends and what it receives for
// moves each add up to the rate, and only moves with a replica outside the ISR take a share.
// Method: throttleShares over hand-written topic views.
import test from 'ava';
import { throttleShares } from '../../../runtime/node/throttle-shares.js';
import type { TopicView } from '../../../runtime/node/image-view.js';

function partition(p: number, replicas: number[], isr: number[], leader: number, addingReplicas: number[] = []): TopicView['partitions'][number] {
  return { partition: p, replicas, isr, leader, leaderEpoch: 1, partitionEpoch: 1, addingReplicas };
}

const topics: TopicView[] = [{ name: 't', topicId: 'id', configs: {}, partitions: [
  partition(0, [4, 1, 2, 3], [1, 2, 3], 1, [4]), // moving onto 4, led by 1
  partition(1, [4, 5, 1, 2], [1, 2], 1, [4, 5]), // moving onto 4 and 5, led by 1
  partition(2, [1, 2, 3], [1, 2, 3], 2), // not moving
  partition(3, [4, 2, 3, 1], [1, 2, 3, 4], 2, [4]), // 4 caught up: nothing left to throttle
]}];

test('node 1 leads two moves: half the rate each; node 4 receives two: half each; node 5 one: all of it', (t) => {
  t.deepEqual([...throttleShares(topics, 1, 1000)], [['t/0', { bytesPerSec: 500, replicas: [4] }], ['t/1', { bytesPerSec: 500, replicas: [4, 5] }]]);
  t.deepEqual([...throttleShares(topics, 4, 1000)], [['t/0', { bytesPerSec: 500, replicas: [4] }], ['t/1', { bytesPerSec: 500, replicas: [4, 5] }]]);
  t.deepEqual([...throttleShares(topics, 5, 1000)], [['t/1', { bytesPerSec: 1000, replicas: [4, 5] }]]);
  t.deepEqual([...throttleShares(topics, 2, 1000)], [], 'node 2 leads only a partition whose new replica is in sync');
});

test('rate 0 throttles nothing', (t) => {
  t.is(throttleShares(topics, 1, 0).size, 0);
});
