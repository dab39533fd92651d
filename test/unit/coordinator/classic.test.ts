// Goal: the classic group protocol in the coordinator: a join phase that waits for every member
// (and an empty group's initial delay), one leader who gets every member's metadata, a protocol
// every member speaks, assignments handed out by the leader's SyncGroup, generations fencing
// heartbeats and commits, leaves and expired sessions starting a rebalance, and the refusals
// (INCONSISTENT_GROUP_PROTOCOL across protocols or group kinds, INVALID_SESSION_TIMEOUT).
// Method: the pure machine through the harness; replies are matched by the sender's corr.
import test from 'ava';
import { Coord, commit, heartbeat, request } from './harness.js';
import type { CoordinatorEvent } from '../../../actors/coordinator.js';

let corr = 10_000;
const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);

function join(from: string, fields: { memberId?: string; protocols?: Array<[string, number]>; sessionTimeoutMs?: number; groupId?: string } = {}): CoordinatorEvent {
  return { type: 'joinGroup', from, corr: corr++, groupId: fields.groupId ?? 'g', memberId: fields.memberId ?? '', clientId: from.slice(7), clientHost: '127.0.0.1',
    sessionTimeoutMs: fields.sessionTimeoutMs ?? 6000, rebalanceTimeoutMs: 10_000, protocolType: 'consumer',
    protocols: (fields.protocols ?? [['range', 1]]).map(([name, b]) => ({ name, metadata: bytes(b) })) } as CoordinatorEvent;
}
const sync = (from: string, memberId: string, generationId: number, assignments: Array<[string, number]> = []): CoordinatorEvent =>
  ({ type: 'syncGroup', from, corr: corr++, groupId: 'g', memberId, generationId, assignments: assignments.map(([m, b]) => ({ memberId: m, assignment: bytes(b) })) } as CoordinatorEvent);
const beat = (from: string, memberId: string, generationId: number): CoordinatorEvent =>
  ({ type: 'classicHeartbeat', from, corr: corr++, groupId: 'g', memberId, generationId } as CoordinatorEvent);

/** The reply sent to `from`'s latest request of `type`. */
function replyTo(c: Coord, from: string, type: string): Record<string, unknown> | undefined {
  return c.out.filter((s) => s.to === from && s.type === `${type}Reply`).map((s) => s.body as Record<string, unknown>).at(-1);
}

function twoMemberGroup(c: Coord): { a: string; b: string; generation: number } {
  c.send(join('client/a', { protocols: [['range', 1], ['roundrobin', 2]] }));
  c.send(join('client/b', { protocols: [['roundrobin', 3], ['range', 4]] }));
  c.tick(3100); // past the initial rebalance delay: both have joined
  const ra = replyTo(c, 'client/a', 'joinGroup') as Record<string, unknown>;
  const rb = replyTo(c, 'client/b', 'joinGroup') as Record<string, unknown>;
  return { a: ra['memberId'] as string, b: rb['memberId'] as string, generation: ra['generationId'] as number };
}

test('the join phase waits out an empty group\'s initial delay, then the first member leads and gets everyone\'s metadata', (t) => {
  const c = new Coord();
  c.tick(100);
  c.send(join('client/a', { protocols: [['range', 1], ['roundrobin', 2]] }));
  c.send(join('client/b', { protocols: [['roundrobin', 3], ['range', 4]] }));
  t.is(replyTo(c, 'client/a', 'joinGroup'), undefined, 'no answer during the initial delay');
  c.tick(3100);
  const ra = replyTo(c, 'client/a', 'joinGroup') as Record<string, unknown>;
  const rb = replyTo(c, 'client/b', 'joinGroup') as Record<string, unknown>;
  t.like(ra, { code: 'OK', generationId: 1, protocolType: 'consumer', leader: ra['memberId'] });
  t.is(rb['leader'], ra['memberId']);
  t.deepEqual(rb['members'], [], 'only the leader gets the members');
  // A tie (one vote each) goes to the protocol the first member prefers.
  t.is(ra['protocolName'], 'range');
  t.deepEqual((ra['members'] as Array<{ memberId: string; metadata: Uint8Array }>).map((m) => [m.memberId, [...m.metadata]]),
    [[ra['memberId'], [1]], [rb['memberId'], [4]]]);
});

test('followers wait for the leader\'s SyncGroup; each gets its own assignment; heartbeats and commits need the current generation', (t) => {
  const c = new Coord();
  const { a, b, generation } = twoMemberGroup(c);
  c.send(sync('client/b', b, generation));
  t.is(replyTo(c, 'client/b', 'syncGroup'), undefined, 'the follower waits for the leader');
  c.send(commit(a, generation, [['t', 0, 5]]));
  t.is(c.lastReply('offsetCommit')['code'], 'REBALANCE_IN_PROGRESS', 'no commits while the leader assigns');
  c.send(sync('client/a', a, generation, [[a, 7], [b, 8]]));
  t.deepEqual([...(replyTo(c, 'client/a', 'syncGroup')?.['assignment'] as Uint8Array)], [7]);
  t.deepEqual([...(replyTo(c, 'client/b', 'syncGroup')?.['assignment'] as Uint8Array)], [8]);
  c.send(beat('client/b', b, generation));
  t.is(replyTo(c, 'client/b', 'classicHeartbeat')?.['code'], 'OK');
  c.send(beat('client/b', b, generation - 1));
  t.is(replyTo(c, 'client/b', 'classicHeartbeat')?.['code'], 'ILLEGAL_GENERATION');
  c.send(beat('client/x', 'nobody', generation));
  t.is(replyTo(c, 'client/x', 'classicHeartbeat')?.['code'], 'UNKNOWN_MEMBER_ID');
  c.send(commit(b, generation, [['t', 0, 5]]));
  t.is(c.lastReply('offsetCommit')['code'], 'OK');
  c.send(commit(b, generation + 1, [['t', 0, 6]]));
  t.is(c.lastReply('offsetCommit')['code'], 'ILLEGAL_GENERATION');
  c.send(commit('', -1, [['t', 0, 6]]));
  t.is(c.lastReply('offsetCommit')['code'], 'UNKNOWN_MEMBER_ID', 'a commit from outside the group while it has members');
});

test('a leave starts a rebalance the others learn from their heartbeat; a silent member is removed when its session runs out', (t) => {
  const c = new Coord();
  const { a, b, generation } = twoMemberGroup(c);
  c.send(sync('client/a', a, generation, [[a, 1], [b, 2]]));
  c.send(sync('client/b', b, generation));
  c.send(request('leaveGroup', { groupId: 'g', members: [{ memberId: b }] }));
  t.deepEqual(c.lastReply('leaveGroup'), { code: 'OK', members: [{ memberId: b, code: 'OK' }] });
  c.send(beat('client/a', a, generation));
  t.is(replyTo(c, 'client/a', 'classicHeartbeat')?.['code'], 'REBALANCE_IN_PROGRESS');
  c.send(join('client/a', { memberId: a }));
  const again = replyTo(c, 'client/a', 'joinGroup') as Record<string, unknown>;
  t.like(again, { code: 'OK', generationId: generation + 1, leader: a, memberId: a });
  c.send(sync('client/a', a, generation + 1, [[a, 3]]));
  // a goes silent: after its 6 s session it is removed and the group is empty.
  c.tick(3000);
  c.tick(3100);
  c.send(request('describeGroup', { groupId: 'g' }));
  t.is(c.lastReply('describeGroup')['code'], 'GROUP_ID_NOT_FOUND', 'the empty classic group is gone (nothing was committed)');
});

test('refusals: no common protocol, a Brook-native group with members, a session timeout out of range', (t) => {
  const c = new Coord();
  c.send(join('client/a', { protocols: [['range', 1]] }));
  c.send(join('client/b', { protocols: [['cooperative-sticky', 2]] }));
  t.is(replyTo(c, 'client/b', 'joinGroup')?.['code'], 'INCONSISTENT_GROUP_PROTOCOL');
  c.send(heartbeat({ memberEpoch: 0, topics: ['t'], from: 'client/n' }));
  t.is(c.lastReply('groupHeartbeat')['code'], 'INCONSISTENT_GROUP_PROTOCOL', 'a native member may not join a classic group with members');
  c.send(heartbeat({ memberEpoch: 0, topics: ['t'], from: 'client/n', groupId: 'native' }));
  t.is(c.lastReply('groupHeartbeat')['code'], 'OK');
  c.send(join('client/c', { groupId: 'native' }));
  t.is(replyTo(c, 'client/c', 'joinGroup')?.['code'], 'INCONSISTENT_GROUP_PROTOCOL', 'a classic member may not join a native group with members');
  c.send(join('client/d', { groupId: 'other', sessionTimeoutMs: 1000 }));
  t.is(replyTo(c, 'client/d', 'joinGroup')?.['code'], 'INVALID_SESSION_TIMEOUT');
});

test('losing the partition answers every waiting join with NOT_COORDINATOR', (t) => {
  const c = new Coord();
  c.send(join('client/a'));
  c.send({ type: 'leadershipLost' });
  t.is(replyTo(c, 'client/a', 'joinGroup')?.['code'], 'NOT_COORDINATOR');
  t.deepEqual(c.ctx.classic, {});
});
