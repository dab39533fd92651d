// Goal: the coordinator's writes are pipelined (several batches in flight, as an idempotent
// producer sends them) without ever announcing a state the log may not keep: replies go out in
// write order, once their batch and every batch before it are acknowledged, whatever order the
// network delivers produces and replies in; and a heartbeat that writes nothing is answered at once
// instead of behind a slow write (seeds 200305, 200530, 300068, 300119: acks=all stalls of two
// seconds held every heartbeat, and members' sessions lapsed until the group never settled).
// Method: the coordinator over the fake log (which checks producer sequences as the replica does),
// with produces held and answered, lost or reordered by hand.
import test from 'ava';
import type { SendParams } from '../../../actors/effects.js';
import type { BatchInput } from '../../../actors/partition/batch.js';
import { Coord, FakeLog, PARTITION_ADDRESS, assigned, heartbeat } from './harness.js';

const batchOf = (p: SendParams | undefined): BatchInput => (p?.body as { batch: BatchInput }).batch;

function held(): Coord {
  const c = new Coord(new FakeLog());
  c.hold = true;
  return c;
}

/** Replies to heartbeats, as `from → memberEpoch`, in the order they were sent. */
function answered(c: Coord): string[] {
  return c.out.filter((s) => s.type === 'groupHeartbeatReply').map((s) => `${s.to}:${String((s.body as { memberEpoch: number }).memberEpoch)}`);
}

test('batches go out without waiting for each other, and a batch landing before its predecessor is sent again behind it', (t) => {
  const c = held();
  c.send(heartbeat({ memberEpoch: 0, topics: ['t'], from: 'client/a' }));
  c.send(heartbeat({ memberEpoch: 0, topics: ['t'], from: 'client/b' }));
  t.is(c.held.length, 2, 'the second batch did not wait for the first');
  const [first, second] = c.held as [SendParams, SendParams];
  t.is(batchOf(second).baseSequence, batchOf(first).baseSequence + batchOf(first).recordCount);
  c.answer(second); // the network delivered it first: the replica refuses it (a gap)
  t.deepEqual(c.held, [first], 'refused behind the gap: it is not sent again before the first batch is acknowledged');
  t.deepEqual(answered(c), []);
  c.answer(first);
  t.deepEqual(answered(c), ['client/a:1'], 'the first batch acknowledged: its reply goes');
  t.is(c.held.length, 1, 'and the second goes again');
  c.answer(c.held[0] as SendParams);
  t.deepEqual(answered(c), ['client/a:1', 'client/b:2']);
  t.deepEqual(c.log.batches.slice(1).map((b) => b.baseSequence), [batchOf(first).baseSequence, batchOf(second).baseSequence], 'each once, in order');
});

test('an acknowledgement that overtakes its predecessor\'s waits for it, and the predecessor is asked again soon', (t) => {
  const c = held();
  c.send(heartbeat({ memberEpoch: 0, topics: ['t'], from: 'client/a' }));
  c.send(heartbeat({ memberEpoch: 0, topics: ['t'], from: 'client/b' }));
  const [first, second] = c.held as [SendParams, SendParams];
  c.held = [];
  c.log.append(batchOf(first), 3); // both land; the first one's reply is lost
  const offset = c.log.append(batchOf(second), 3) as number;
  c.send({ type: 'produceReply', from: PARTITION_ADDRESS, corr: second.corr as number, body: { code: 'OK', baseOffset: offset, logStartOffset: 0 } });
  t.deepEqual(answered(c), [], 'nothing is announced before the first batch is acknowledged');
  c.tick(150);
  t.is(c.held.length, 1, 'the first batch is sent again well before resendMs');
  t.is(batchOf(c.held[0]).baseSequence, batchOf(first).baseSequence);
  c.answer(c.held[0] as SendParams); // a duplicate: answered with its original offset
  t.deepEqual(answered(c), ['client/a:1', 'client/b:2'], 'in write order');
  t.is(c.log.batches.length, 3, 'the load\'s barrier and the two batches, once each');
});

test('at most five batches are in flight; later records wait and coalesce', (t) => {
  const c = held();
  for (let i = 0; i < 8; i++) c.send(heartbeat({ memberEpoch: 0, topics: ['t'], from: `client/m${i}` }));
  t.is(c.held.length, 5);
  t.is(c.ctx.writes.queue.length, 1, 'the three joins behind the pipeline share one batch');
  c.release();
  t.is(c.held.length, 1);
  c.release();
  t.deepEqual(answered(c).map((a) => a.split(':')[0]), Array.from({ length: 8 }, (_, i) => `client/m${i}`));
});

test('a heartbeat that writes nothing is answered at once, not behind another member\'s write', (t) => {
  const c = new Coord(new FakeLog());
  c.send(heartbeat({ memberEpoch: 0, topics: ['t'], from: 'client/a' }));
  const a = c.lastReply('groupHeartbeat');
  c.hold = true;
  c.send(heartbeat({ memberEpoch: 0, topics: ['t'], from: 'client/b' })); // its write is held
  t.is(c.held.length, 1);
  c.send(heartbeat({ memberId: a['memberId'] as string, memberEpoch: 1, owned: [['t', [0, 1, 2, 3]]], from: 'client/a' }));
  const reply = c.lastReply('groupHeartbeat');
  t.is(reply['memberEpoch'], 1);
  t.is(assigned(reply).length, 2, 'a revocation said early (b joined): a subset of what a holds in the log');
  t.deepEqual(answered(c), ['client/a:1', 'client/a:1'], 'b still waits for its write');
});

test('a member whose own record awaits acknowledgement is told only that it was heard: its epoch back, no assignment', (t) => {
  const c = new Coord(new FakeLog());
  c.send(heartbeat({ memberEpoch: 0, topics: ['t'], from: 'client/a' }));
  const a = c.lastReply('groupHeartbeat');
  const aId = a['memberId'] as string;
  c.send(heartbeat({ memberEpoch: 0, topics: ['t'], from: 'client/b' }));
  c.hold = true;
  // a gives up two partitions: its assigned set shrinks, and that record is held.
  c.send(heartbeat({ memberId: aId, memberEpoch: 1, owned: [['t', [0, 1, 2, 3]]], from: 'client/a' }));
  const keep = assigned(c.lastReply('groupHeartbeat')).map((k) => Number(k.split(':')[1]));
  const before = c.out.length;
  c.send(heartbeat({ memberId: aId, memberEpoch: 1, owned: [['t', keep]], from: 'client/a' }));
  t.is(c.out.length, before, 'the heartbeat that wrote waits for its write');
  t.is(c.held.length, 1);
  c.send(heartbeat({ memberId: aId, memberEpoch: 1, owned: [['t', keep]], from: 'client/a' }));
  t.deepEqual(c.lastReply('groupHeartbeat'), { code: 'OK', memberId: aId, memberEpoch: 1, heartbeatIntervalMs: 250, sessionTimeoutMs: 1000 });
  c.release();
  t.is(c.lastReply('groupHeartbeat')['memberEpoch'], 2, 'then the write is acknowledged and its reply goes');
});

test('a member rejoining with epoch 0 under its member id keeps its place and assignment: no new group epoch', (t) => {
  const c = new Coord(new FakeLog());
  c.send(heartbeat({ memberEpoch: 0, topics: ['t'], from: 'client/a' }));
  const a = c.lastReply('groupHeartbeat');
  const epoch = c.ctx.groups['g']?.groupEpoch;
  c.send(heartbeat({ memberId: a['memberId'] as string, memberEpoch: 0, topics: ['t'], from: 'client/a' }));
  const again = c.lastReply('groupHeartbeat');
  t.is(again['memberId'], a['memberId']);
  t.is(again['memberEpoch'], a['memberEpoch']);
  t.deepEqual(assigned(again), assigned(a));
  t.is(c.ctx.groups['g']?.groupEpoch, epoch);
  t.is(Object.keys(c.ctx.groups['g']?.members ?? {}).length, 1);
});
