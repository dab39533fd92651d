// Goal: KIP-848 membership — join, leave, reconciliation where a partition moves only after its
// revocation is acknowledged (never in two assigned sets: the harness checks the invariant after
// every event), session expiry, probe removal and static membership.
import test from 'ava';
import { Coord, assigned, heartbeat } from './harness.js';

function join(c: Coord, from: string, topics = ['t'], instanceId?: string) {
  c.send(heartbeat({ memberEpoch: 0, topics, from, ...(instanceId !== undefined ? { instanceId } : {}) }));
  return c.lastReply('groupHeartbeat');
}

test('a member joins, gets every partition, and leaves; the group epoch bumps each time', (t) => {
  const c = new Coord();
  const a = join(c, 'client/a');
  t.is(a['code'], 'OK');
  t.is(a['memberEpoch'], 1);
  t.is(a['heartbeatIntervalMs'], 250);
  t.is(a['sessionTimeoutMs'], 1000);
  t.deepEqual(assigned(a), ['t:0', 't:1', 't:2', 't:3']);
  t.deepEqual(c.reports.filter((r) => r.kind === 'groupAssigned').at(-1)?.data['assigned'], [['t', 0], ['t', 1], ['t', 2], ['t', 3]]);
  c.send(heartbeat({ memberId: a['memberId'] as string, memberEpoch: -1 }));
  t.is(c.lastReply('groupHeartbeat')['memberEpoch'], -1);
  t.is(c.ctx.groups['g']?.groupEpoch, 2);
  t.deepEqual(c.ctx.groups['g']?.members, {});
  t.deepEqual(c.reports.filter((r) => r.kind === 'groupAssigned').at(-1)?.data['assigned'], []);
});

test('two members: a partition moves only after the old owner stops owning it', (t) => {
  const c = new Coord();
  const a = join(c, 'client/a');
  const aId = a['memberId'] as string;
  const b = join(c, 'client/b');
  const bId = b['memberId'] as string;
  t.deepEqual(assigned(b), [], 'b waits: a still holds everything');
  t.is(b['memberEpoch'], 2);
  // a is told to give up two partitions; its epoch stays until it has.
  c.send(heartbeat({ memberId: aId, memberEpoch: 1, owned: [['t', [0, 1, 2, 3]]], from: 'client/a' }));
  const revoking = c.lastReply('groupHeartbeat');
  t.is(revoking['memberEpoch'], 1);
  t.is(assigned(revoking).length, 2);
  const kept = assigned(revoking).map((k) => Number(k.split(':')[1]));
  // b asks again: still nothing, a has not acknowledged.
  c.send(heartbeat({ memberId: bId, memberEpoch: 2, from: 'client/b' }));
  t.deepEqual(assigned(c.lastReply('groupHeartbeat')), []);
  // a reports owning only what it keeps: revocation done, its epoch moves on.
  c.send(heartbeat({ memberId: aId, memberEpoch: 1, owned: [['t', kept]], from: 'client/a' }));
  t.is(c.lastReply('groupHeartbeat')['memberEpoch'], 2);
  c.send(heartbeat({ memberId: bId, memberEpoch: 2, from: 'client/b' }));
  const got = assigned(c.lastReply('groupHeartbeat'));
  t.is(got.length, 2);
  t.deepEqual([...got, ...assigned(revoking)].sort(), ['t:0', 't:1', 't:2', 't:3']);
  t.is(c.snapshot.value, 'serving');
});

test('a heartbeat with an unknown member or a wrong epoch is refused', (t) => {
  const c = new Coord();
  const a = join(c, 'client/a');
  c.send(heartbeat({ memberId: 'nobody', memberEpoch: 1 }));
  t.is(c.lastReply('groupHeartbeat')['code'], 'UNKNOWN_MEMBER_ID');
  c.send(heartbeat({ memberId: a['memberId'] as string, memberEpoch: 7 }));
  t.is(c.lastReply('groupHeartbeat')['code'], 'FENCED_MEMBER_EPOCH');
});

test('a member silent for the session is removed, and its partitions go to the others', (t) => {
  const c = new Coord();
  const a = join(c, 'client/a');
  const b = join(c, 'client/b');
  const bId = b['memberId'] as string;
  c.tick(50); // heard since the last tick: both sessions count from here
  for (let i = 0; i < 5; i++) {
    c.tick(200);
    c.send(heartbeat({ memberId: bId, memberEpoch: c.ctx.groups['g']?.members[bId]?.memberEpoch ?? 0, from: 'client/b' }));
  }
  t.is(c.ctx.groups['g']?.members[a['memberId'] as string], undefined, 'a expired');
  t.deepEqual(assigned(c.lastReply('groupHeartbeat')), ['t:0', 't:1', 't:2', 't:3']);
});

test('a member silent for two intervals is probed, and removed when its inbox is gone', (t) => {
  const c = new Coord();
  const a = join(c, 'client/a');
  c.tick(50); // heard since the last tick: silence counts from here
  c.tick(300);
  t.is(c.out.filter((s) => s.type === 'memberProbe').length, 0, 'not yet: 2 intervals are 500 ms');
  c.tick(300);
  const probe = c.out.find((s) => s.type === 'memberProbe');
  t.truthy(probe);
  t.is(probe?.to, 'client/a');
  t.true(probe?.failFast);
  c.send({ type: 'memberProbeReply', from: 'client/a', corr: probe?.corr as number, code: 'UNKNOWN_ADDRESS' });
  t.is(c.ctx.groups['g']?.members[a['memberId'] as string], undefined);
});

test('a member whose reply waits behind a held write is not probed; its silence starts when the reply goes out (sim seed 892141)', (t) => {
  const c = new Coord();
  const a = join(c, 'client/a');
  const memberId = a['memberId'] as string;
  c.tick(50);
  c.hold = true; // the offsets partition stops acknowledging: the next heartbeat's records and reply wait
  c.tick(100);
  c.send(heartbeat({ memberId, memberEpoch: a['memberEpoch'] as number, owned: [['t', [0, 1, 2, 3]]], topics: ['u'], from: 'client/a' }));
  const repliesBefore = c.replies('groupHeartbeat').length;
  t.true(c.held.length > 0, 'the subscription change is being written');
  for (let i = 0; i < 4; i++) c.tick(200); // 0.8 s: past two intervals of silence, within the 1 s session
  t.is(c.out.filter((s) => s.type === 'memberProbe').length, 0, 'a member waiting for its reply is not probed');
  t.is(c.replies('groupHeartbeat').length, repliesBefore, 'its reply is still held');
  c.hold = false;
  c.release();
  t.is(c.replies('groupHeartbeat').length, repliesBefore + 1, 'the reply goes out with the write');
  c.tick(50);
  c.tick(300);
  t.is(c.out.filter((s) => s.type === 'memberProbe').length, 0, 'silence counts from the reply, not from the heartbeat');
  c.tick(300);
  t.is(c.out.filter((s) => s.type === 'memberProbe').length, 1, 'two intervals after the reply it is probed as usual');
  t.truthy(c.ctx.groups['g']?.members[memberId], 'and it is still a member');
});

test('a static member that leaves with -2 keeps its place; rejoining takes it back without a rebalance', (t) => {
  const c = new Coord();
  const a = join(c, 'client/a', ['t'], 'i-1');
  const epoch = c.ctx.groups['g']?.groupEpoch;
  c.send(heartbeat({ memberId: a['memberId'] as string, memberEpoch: -2, instanceId: 'i-1' }));
  t.is(c.lastReply('groupHeartbeat')['memberEpoch'], -2);
  const other = join(c, 'client/x', ['t'], 'i-2');
  t.deepEqual(assigned(other), [], 'the place of i-1 is kept');
  const back = join(c, 'client/a2', ['t'], 'i-1');
  t.is(back['memberId'], a['memberId']);
  t.deepEqual(assigned(back), assigned(a).filter((k) => assigned(back).includes(k)));
  t.true(assigned(back).length > 0);
  t.is(c.ctx.groups['g']?.groupEpoch, (epoch ?? 0) + 1, 'only i-2 joining bumped the epoch');
  const dup = join(c, 'client/y', ['t'], 'i-1');
  t.is(dup['code'], 'UNRELEASED_INSTANCE_ID');
});

test('a static member that left is removed after the session', (t) => {
  const c = new Coord();
  const a = join(c, 'client/a', ['t'], 'i-1');
  c.send(heartbeat({ memberId: a['memberId'] as string, memberEpoch: -2, instanceId: 'i-1' }));
  c.tick(1100);
  t.deepEqual(c.ctx.groups['g']?.members, {});
});

test('a regex subscription follows new topics (topicsChanged bumps the epoch)', (t) => {
  const c = new Coord();
  c.send(heartbeat({ memberEpoch: 0, regex: 'o.*' }));
  const a = c.lastReply('groupHeartbeat');
  t.deepEqual(assigned(a), []);
  c.send({ type: 'topicsChanged', topics: { t: 4, u: 2, orders: 2 } });
  t.is(c.ctx.groups['g']?.groupEpoch, 2);
  c.send(heartbeat({ memberId: a['memberId'] as string, memberEpoch: 1 }));
  t.deepEqual(assigned(c.lastReply('groupHeartbeat')), ['orders:0', 'orders:1']);
});
