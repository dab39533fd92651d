// Goal: offset commits are fenced by member epoch and assigned set, answered only once written;
// admin commits only into an empty group; group deletion and the bounded log (checkpoint + trim).
import test from 'ava';
import { Coord, FakeLog, assigned, commit, heartbeat, request } from './harness.js';
import { parseCoordinatorMessage } from '../../../actors/coordinator.js';

function member(c: Coord, from = 'client/a') {
  c.send(heartbeat({ memberEpoch: 0, topics: ['t'], from }));
  const r = c.lastReply('groupHeartbeat');
  return { id: r['memberId'] as string, epoch: r['memberEpoch'] as number, parts: assigned(r) };
}

test('a commit is answered only after its write is acknowledged', (t) => {
  const c = new Coord();
  const a = member(c);
  c.hold = true;
  c.send(commit(a.id, a.epoch, [['t', 0, 5], ['t', 1, -3]]));
  t.is(c.replies('offsetCommit').length, 0);
  c.release();
  t.deepEqual(c.lastReply('offsetCommit'), { code: 'OK', results: [{ topic: 't', partition: 0, code: 'OK' }, { topic: 't', partition: 1, code: 'INVALID_COMMIT_OFFSET' }] });
  t.deepEqual(c.reports.filter((r) => r.kind === 'groupCommitted').map((r) => r.data), [{ groupId: 'g', topic: 't', partition: 0, offset: 5 }]);
});

test('commit fencing: unknown member, newer epoch, older epoch, removed member, unassigned partition', (t) => {
  const c = new Coord();
  const a = member(c, 'client/a');
  const b = member(c, 'client/b'); // bumps the group to epoch 2; a is still at 1
  c.send(commit('nobody', 1, [['t', 0, 1]]));
  t.is(c.lastReply('offsetCommit')['code'], 'UNKNOWN_MEMBER_ID');
  c.send(commit(a.id, a.epoch + 1, [['t', 0, 1]]));
  t.is(c.lastReply('offsetCommit')['code'], 'FENCED_MEMBER_EPOCH');
  // b reaches epoch 2; a commit from b with epoch 1 is stale.
  c.send(commit(b.id, 1, [['t', 0, 1]]));
  t.is(c.lastReply('offsetCommit')['code'], 'STALE_MEMBER_EPOCH');
  c.send(commit(b.id, b.epoch, [['t', 0, 1]]));
  t.deepEqual(c.lastReply('offsetCommit')['results'], [{ topic: 't', partition: 0, code: 'FENCED_MEMBER_EPOCH' }], 'b does not hold t:0 yet');
  c.send(heartbeat({ memberId: a.id, memberEpoch: -1 }));
  c.send(commit(a.id, a.epoch, [['t', 0, 1]]));
  t.is(c.lastReply('offsetCommit')['code'], 'FENCED_MEMBER_EPOCH', 'a removed member is fenced');
  c.send(request('offsetFetch', { groupId: 'g' }));
  t.deepEqual(c.lastReply('offsetFetch'), { code: 'OK', offsets: [] }, 'nothing refused was written');
});

test('an admin commit is refused while the group has members and taken when it is empty', (t) => {
  const c = new Coord();
  const a = member(c);
  c.send(commit('', -1, [['t', 0, 9]]));
  t.is(c.lastReply('offsetCommit')['code'], 'NON_EMPTY_GROUP');
  c.send(heartbeat({ memberId: a.id, memberEpoch: -1 }));
  c.send(commit('', -1, [['t', 0, 9]]));
  t.is(c.lastReply('offsetCommit')['code'], 'OK');
  c.send(commit('', -1, [['t', 2, 3]], 'fresh'));
  t.is(c.lastReply('offsetCommit')['code'], 'OK', 'a group that does not exist yet');
  c.send(request('offsetFetch', { groupId: 'g', partitions: [{ topic: 't', partitions: [0, 1] }] }));
  t.deepEqual(c.lastReply('offsetFetch')['offsets'], [{ topic: 't', partition: 0, offset: 9, metadata: '' }, { topic: 't', partition: 1, offset: -1 }]);
});

test('deleteGroup: refused while members remain, then tombstones that survive a reload', (t) => {
  const log = new FakeLog();
  const c = new Coord(log);
  const a = member(c);
  c.send(commit(a.id, a.epoch, [['t', 0, 5]]));
  c.send(request('deleteGroup', { groupId: 'g' }));
  t.is(c.lastReply('deleteGroup')['code'], 'NON_EMPTY_GROUP');
  c.send(heartbeat({ memberId: a.id, memberEpoch: -1 }));
  c.send(request('deleteGroup', { groupId: 'g' }));
  t.is(c.lastReply('deleteGroup')['code'], 'OK');
  c.send(request('describeGroup', { groupId: 'g' }));
  t.is(c.lastReply('describeGroup')['code'], 'GROUP_ID_NOT_FOUND');
  c.send(request('deleteGroup', { groupId: 'g' }));
  t.is(c.lastReply('deleteGroup')['code'], 'GROUP_ID_NOT_FOUND');
  const reloaded = new Coord(log, { leaderEpoch: 4 });
  reloaded.send(request('listGroups', {}));
  t.deepEqual(reloaded.lastReply('listGroups'), { code: 'OK', groups: [] });
});

test('deleteGroupOffsets removes one topic of an empty group', (t) => {
  const c = new Coord();
  c.send(commit('', -1, [['t', 0, 1], ['u', 0, 2]]));
  c.send(request('deleteGroupOffsets', { groupId: 'g', topic: 't' }));
  t.is(c.lastReply('deleteGroupOffsets')['code'], 'OK');
  c.send(request('offsetFetch', { groupId: 'g' }));
  t.deepEqual(c.lastReply('offsetFetch')['offsets'], [{ topic: 'u', partition: 0, offset: 2, metadata: '' }]);
});

test('every checkpointEveryRecords records: a checkpoint, then deleteRecords to its first offset; a reload still sees everything', (t) => {
  const log = new FakeLog();
  const c = new Coord(log, { knobs: { checkpointEveryRecords: 5 } });
  c.send(commit('', -1, [['t', 0, 1]], 'other'));
  for (let i = 0; i < 6; i++) c.send(commit('', -1, [['t', 1, i]]));
  t.true(log.logStart > 0, `log start moved to ${log.logStart}`);
  t.is(log.batches[0]?.baseOffset, log.logStart, 'trimmed to the first checkpoint batch');
  const reloaded = new Coord(log, { leaderEpoch: 4 });
  reloaded.send(request('offsetFetch', { groupId: 'g' }));
  t.deepEqual(reloaded.lastReply('offsetFetch')['offsets'], [{ topic: 't', partition: 1, offset: 5, metadata: '' }]);
  reloaded.send(request('offsetFetch', { groupId: 'other' }));
  t.deepEqual(reloaded.lastReply('offsetFetch')['offsets'], [{ topic: 't', partition: 0, offset: 1, metadata: '' }]);
});

test('the validator refuses bad content with group codes and bad shapes with INVALID_REQUEST', (t) => {
  const hb = (body: Record<string, unknown>) => parseCoordinatorMessage({ type: 'groupHeartbeat', from: 'client/a', corr: 1,
    body: { groupId: 'g', memberId: '', memberEpoch: 0, ownedPartitions: [], rebalanceTimeoutMs: 1000, clientId: 'c', ...body } });
  const refusal = (r: ReturnType<typeof hb>) => (r.ok ? (r.event as { refusal?: { code: string } }).refusal?.code : r.code);
  t.is(refusal(hb({ groupId: '' })), 'INVALID_GROUP_ID');
  t.is(refusal(hb({ subscribedRegex: '(' })), 'INVALID_REGULAR_EXPRESSION');
  t.is(refusal(hb({ subscribedTopics: ['t'], assignor: 'magic' })), 'UNSUPPORTED_ASSIGNOR');
  t.is(refusal(hb({ memberEpoch: 'x' })), 'INVALID_REQUEST');
  t.is(refusal(hb({ subscribedTopics: ['t'] })), undefined);
  t.false(parseCoordinatorMessage({ type: 'topicsChanged', from: 'x', body: {} }).ok, 'runtime events never come from the network');
  const c = new Coord();
  const parsed = hb({ groupId: '' });
  if (parsed.ok) c.send(parsed.event);
  t.is(c.lastReply('groupHeartbeat')['code'], 'INVALID_GROUP_ID');
});

test('an offset fetch answers the offsets as of its arrival, ahead of a commit that arrived after it and was written with it', (t) => {
  // Seed 200781: a fetch and a later commit waited behind one write; the fetch's answer (the older
  // offset) goes out first, then the commit's OK. Both orders a reader can see are linearizable.
  const c = new Coord();
  const a = member(c);
  c.hold = true;
  c.send(commit(a.id, a.epoch, [['t', 0, 53]]));
  c.send(request('offsetFetch', { groupId: 'g', partitions: [{ topic: 't', partitions: [0] }] }));
  c.send(commit(a.id, a.epoch, [['t', 0, 56]]));
  t.deepEqual(c.out.filter((s) => s.type.startsWith('offset')), [], 'nothing is answered before the write');
  c.hold = false;
  c.release();
  const answers = c.out.filter((s) => s.type.startsWith('offset')).map((s) => [s.type, s.body]);
  t.deepEqual(answers, [
    ['offsetCommitReply', { code: 'OK', results: [{ topic: 't', partition: 0, code: 'OK' }] }],
    ['offsetFetchReply', { code: 'OK', offsets: [{ topic: 't', partition: 0, offset: 53, metadata: '' }] }],
    ['offsetCommitReply', { code: 'OK', results: [{ topic: 't', partition: 0, code: 'OK' }] }],
  ]);
  c.send(request('offsetFetch', { groupId: 'g', partitions: [{ topic: 't', partitions: [0] }] }));
  t.deepEqual(c.lastReply('offsetFetch')['offsets'], [{ topic: 't', partition: 0, offset: 56, metadata: '' }], 'a fetch sent after the OK sees the commit');
});
