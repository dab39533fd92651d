// Goal: one coordinator per group. A coordinator refuses (NOT_COORDINATOR) requests for a group
// that hashes to another `__consumer_offsets` partition: a member sent to it by a node that saw
// the topic half created must look again, or two coordinators would each hand out every partition.
import test from 'ava';
import { groupPartition } from '../../../actors/coordinator/protocol.js';
import { Coord, commit, heartbeat, request } from './harness.js';

/** A group id hashing to `partition` of `count`, and one hashing elsewhere. */
function groupIds(partition: number, count: number): { ours: string; theirs: string } {
  const ids = Array.from({ length: 50 }, (_, i) => `group-${i}`);
  const ours = ids.find((id) => groupPartition(id, count) === partition) as string;
  const theirs = ids.find((id) => groupPartition(id, count) !== partition) as string;
  return { ours, theirs };
}

test('requests for a group of another __consumer_offsets partition get NOT_COORDINATOR', (t) => {
  const c = new Coord(undefined, { partition: 0, topics: { t: 4, __consumer_offsets: 3 } });
  const { ours, theirs } = groupIds(0, 3);
  c.send(heartbeat({ groupId: theirs, memberEpoch: 0, topics: ['t'] }));
  t.is(c.lastReply('groupHeartbeat')['code'], 'NOT_COORDINATOR');
  c.send(commit('', -1, [['t', 0, 5]], theirs));
  t.is(c.lastReply('offsetCommit')['code'], 'NOT_COORDINATOR');
  c.send(request('describeGroup', { groupId: theirs }));
  t.is(c.lastReply('describeGroup')['code'], 'NOT_COORDINATOR');
  t.is(c.ctx.groups[theirs], undefined);
  c.send(heartbeat({ groupId: ours, memberEpoch: 0, topics: ['t'] }));
  t.is(c.lastReply('groupHeartbeat')['code'], 'OK');
});

test('a coordinator that learns the full partition count refuses a group it accepted under a partial one', (t) => {
  // Spawned while its node had seen 2 of the topic's 3 partitions.
  const id = Array.from({ length: 50 }, (_, i) => `group-${i}`).find((g) => groupPartition(g, 2) === 0 && groupPartition(g, 3) !== 0) as string;
  const c = new Coord(undefined, { partition: 0, topics: { t: 4, __consumer_offsets: 2 } });
  c.send(heartbeat({ groupId: id, memberEpoch: 0, topics: ['t'] }));
  t.is(c.lastReply('groupHeartbeat')['code'], 'OK');
  c.send({ type: 'topicsChanged', topics: { t: 4, __consumer_offsets: 3 } });
  c.send(heartbeat({ groupId: id, memberId: c.lastReply('groupHeartbeat')['memberId'] as string, memberEpoch: 1 }));
  t.is(c.lastReply('groupHeartbeat')['code'], 'NOT_COORDINATOR');
});
