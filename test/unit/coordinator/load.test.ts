// Goal: the coordinator loads from its partition before serving and rebuilds exactly what was
// written; a deposed coordinator (newer leader epoch) fences itself.
import test from 'ava';
import { Coord, FakeLog, PARTITION_ADDRESS, assigned, commit, heartbeat, request } from './harness.js';

test('loading answers COORDINATOR_LOAD_IN_PROGRESS, then serves what the log holds', (t) => {
  const log = new FakeLog();
  const first = new Coord(log);
  t.is(first.state, 'serving');
  first.send(heartbeat({ memberEpoch: 0, topics: ['t'] }));
  const joined = first.lastReply('groupHeartbeat');
  first.send(commit(joined['memberId'] as string, joined['memberEpoch'] as number, [['t', 1, 42]]));
  t.deepEqual(first.lastReply('offsetCommit'), { code: 'OK', results: [{ topic: 't', partition: 1, code: 'OK' }] });

  const second = new Coord(log, { leaderEpoch: 4 });
  second.send(request('offsetFetch', { groupId: 'g' }));
  t.deepEqual(second.lastReply('offsetFetch'), { code: 'OK', offsets: [{ topic: 't', partition: 1, offset: 42, metadata: '' }] });
  second.send(request('describeGroup', { groupId: 'g' }));
  const described = second.lastReply('describeGroup');
  t.is((described['members'] as unknown[]).length, 1);
  t.deepEqual(second.reports.find((r) => r.kind === 'groupLoaded')?.data, { partition: 0, leaderEpoch: 4, groups: 1 });
});

test('requests during the load are refused with COORDINATOR_LOAD_IN_PROGRESS', (t) => {
  const c = new Coord(new FakeLog(), {}, { hold: true });
  t.is(c.state, 'loading');
  c.send(heartbeat({ memberEpoch: 0, topics: ['t'] }));
  t.is(c.lastReply('groupHeartbeat')['code'], 'COORDINATOR_LOAD_IN_PROGRESS');
  c.send({ type: 'produceReply', from: PARTITION_ADDRESS, corr: 999, body: { code: 'OK', baseOffset: 0, logStartOffset: 0 } });
  t.is(c.state, 'loading', 'a reply with an unknown corr changes nothing');
  c.hold = false;
  c.release();
  t.is(c.state, 'serving');
  c.send(request('listGroups', {}));
  t.deepEqual(c.lastReply('listGroups'), { code: 'OK', groups: [] });
});

test('a barrier refused with a newer epoch fences; requests then get NOT_COORDINATOR', (t) => {
  const log = new FakeLog();
  const c = new Coord(log, { leaderEpoch: 2 });
  c.failWith = { code: 'FENCED_LEADER_EPOCH', leaderEpoch: 3 };
  c.send(heartbeat({ memberEpoch: 0, topics: ['t'] }));
  t.is(c.state, 'fenced');
  t.is(c.lastReply('groupHeartbeat')['code'], 'NOT_COORDINATOR', 'the heartbeat waiting on the write is refused');
  c.send(request('offsetFetch', { groupId: 'g' }));
  t.is(c.lastReply('offsetFetch')['code'], 'NOT_COORDINATOR');
  t.deepEqual(assigned(c.lastReply('groupHeartbeat')), []);
});

test('a write refused for another reason reloads from the log; what was acknowledged survives', (t) => {
  const log = new FakeLog();
  const c = new Coord(log);
  c.send(heartbeat({ memberEpoch: 0, topics: ['t'] }));
  const member = c.lastReply('groupHeartbeat');
  c.failWith = { code: 'CORRUPT_MESSAGE' };
  c.send(commit(member['memberId'] as string, member['memberEpoch'] as number, [['t', 0, 7]]));
  t.is(c.lastReply('offsetCommit')['code'], 'COORDINATOR_NOT_AVAILABLE');
  t.is(c.state, 'loading');
  c.send(request('offsetFetch', { groupId: 'g' }));
  t.is(c.lastReply('offsetFetch')['code'], 'COORDINATOR_LOAD_IN_PROGRESS');
  c.failWith = undefined;
  c.tick(200);
  t.is(c.state, 'serving');
  c.send(request('describeGroup', { groupId: 'g' }));
  t.is((c.lastReply('describeGroup')['members'] as unknown[]).length, 1, 'the join was acknowledged before the failure');
  c.send(request('offsetFetch', { groupId: 'g' }));
  t.deepEqual(c.lastReply('offsetFetch'), { code: 'OK', offsets: [] });
});

// A retriable refusal (the ISR below min.insync.replicas, a busy replica, the replica's own
// timeout) leaves the write as it was: it goes again, with its producer sequence, after a backoff.
// Reloading would answer everything waiting with an error and throw away state the log may yet take.
/** A member joined, then its commit of offset 7 refused by the replica with `code`. */
function commitRefused(code: string): Coord {
  const c = new Coord(new FakeLog());
  c.send(heartbeat({ memberEpoch: 0, topics: ['t'] }));
  const member = c.lastReply('groupHeartbeat');
  c.failWith = { code };
  c.send(commit(member['memberId'] as string, member['memberEpoch'] as number, [['t', 0, 7]]));
  return c;
}

test('a write refused as retriable goes again after a backoff; its reply waits for it', (t) => {
  const c = commitRefused('NOT_ENOUGH_REPLICAS');
  t.is(c.replies('offsetCommit').length, 0, 'the commit waits');
  t.is(c.state, 'serving');
  c.tick(50);
  t.is(c.replies('offsetCommit').length, 0, 'refused again: still waiting');
  c.failWith = undefined;
  c.tick(1000);
  t.is(c.lastReply('offsetCommit')['code'], 'OK');
  c.send(request('offsetFetch', { groupId: 'g' }));
  t.like(c.lastReply('offsetFetch'), { code: 'OK', offsets: [{ topic: 't', partition: 0, offset: 7 }] });
});

test('a write refused as retriable for twice the write timeout fails: the coordinator reloads', (t) => {
  const c = commitRefused('NOT_ENOUGH_REPLICAS');
  for (let i = 0; i < 100 && c.replies('offsetCommit').length === 0; i++) c.tick(200);
  t.is(c.lastReply('offsetCommit')['code'], 'COORDINATOR_NOT_AVAILABLE');
  t.is(c.state, 'loading');
});
