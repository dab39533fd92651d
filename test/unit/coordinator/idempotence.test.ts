// Goal: a coordinator's writes are idempotent, and a reload fences what an earlier life left in
// flight. Without it a delayed copy of an old batch landing after newer ones would, on the next
// load (last value per key wins), bring back member epochs and assignments long replaced.
// Method: the coordinator over the fake log, which checks producer sequences as the replica does.
import test from 'ava';
import type { SendParams } from '../../../actors/effects.js';
import type { BatchInput } from '../../../actors/partition/batch.js';
import { coordinatorProducerId } from '../../../actors/coordinator/idempotence.js';
import { Coord, FakeLog, heartbeat } from './harness.js';

const batchOf = (p: SendParams | undefined): BatchInput => (p?.body as { batch: BatchInput }).batch;

test('every write carries the coordinator producer id, one epoch per load, and sequences that follow on', (t) => {
  const c = new Coord(new FakeLog(), {}, { hold: false });
  c.hold = true;
  c.send(heartbeat({ memberEpoch: 0, topics: ['t'], from: 'client/a' }));
  const first = batchOf(c.held[0]);
  t.is(first.producerId, coordinatorProducerId(3));
  t.is(first.baseSequence, 1, 'after the barrier, sequence 0');
  c.hold = false;
  c.release();
  const [fencing, write] = c.log.batches;
  t.is(c.log.batches.length, 2, 'one barrier per load');
  t.is(fencing?.producerId, coordinatorProducerId(3));
  t.is(fencing?.baseSequence, 0);
  t.is(fencing?.producerEpoch, write?.producerEpoch);
  t.is(write?.baseSequence, 1);
  // A second life (the same leader epoch: a re-spawned actor) takes an epoch above the first's.
  const again = new Coord(c.log, { life: 1 });
  t.is(again.state, 'serving');
  t.true(again.ctx.producer.epoch > (write?.producerEpoch ?? Infinity));
  t.is(Object.keys(again.ctx.groups['g']?.members ?? {}).length, 1, 'and loads what the first wrote');
});

/** A coordinator over `log` (loaded) whose first member's join write is held, and that write. */
function joinHeld(log: FakeLog): { c: Coord; write: SendParams } {
  const c = new Coord(log, {}, { hold: false });
  c.hold = true;
  c.send(heartbeat({ memberEpoch: 0, topics: ['t'], from: 'client/a' }));
  return { c, write: c.held[0] as SendParams };
}

test('a copy of a write from before a reload that lands after the reload\'s barrier is refused, not appended', (t) => {
  const log = new FakeLog();
  const { c, write: stale } = joinHeld(log);
  c.held = [];
  c.failWith = { code: 'REQUEST_TIMED_OUT' };
  c.hold = false;
  c.release();
  c.tick(20_000); // the write failed: the coordinator reloads under the next producer epoch
  c.failWith = undefined;
  c.tick(1000);
  t.is(c.state, 'serving');
  const before = log.batches.length;
  // The old write's copy arrives only now.
  const result = log.append(batchOf(stale), 3);
  t.like(result, { code: 'INVALID_PRODUCER_EPOCH' });
  t.is(log.batches.length, before);
});

test('a load fences with one barrier in its life\'s own epoch range; a later life\'s range is above, and the first life\'s stragglers are refused', (t) => {
  const log = new FakeLog();
  const { c: first, write: straggler } = joinHeld(log);
  first.hold = false;
  first.release();
  const second = new Coord(log, { life: 1 });
  t.is(second.state, 'serving');
  t.deepEqual(log.batches.map((b) => [b.producerEpoch, b.baseSequence]), [[0, 0], [0, 1], [1024, 0]], 'the first life\'s barrier and write, the second\'s barrier');
  t.like(log.append(batchOf(straggler), 3), { code: 'INVALID_PRODUCER_EPOCH' }, 'a copy of the first life\'s write arriving late');
  t.is(Object.keys(second.ctx.groups['g']?.members ?? {}).length, 1);
});

test('a fencing epoch the partition refuses sends the load the long way: plain barrier, whole read, an epoch above every one read', (t) => {
  const log = new FakeLog();
  const later = new Coord(log, { life: 1 });
  later.send(heartbeat({ memberEpoch: 0, topics: ['t'], from: 'client/a' }));
  // A coordinator wrongly told it is the first life: its range is below the partition's epoch.
  const wrong = new Coord(log, { life: 0 });
  t.is(wrong.state, 'serving');
  const epochs = log.batches.map((b) => b.producerEpoch);
  t.deepEqual(epochs.slice(0, 2), [1024, 1024]);
  t.is(epochs[2], -1, 'the plain barrier');
  t.is(epochs[3], 1025, 'then a fencing one above every epoch read');
  t.is(Object.keys(wrong.ctx.groups['g']?.members ?? {}).length, 1, 'and the whole log was read');
});

// Producer epochs are 15 bits, as Kafka's. One producer for the partition's whole life, its epoch
// counted from the leader epoch, ran out at leader epoch 32: every barrier was refused as corrupt
// and the coordinator never served again. Each leader epoch now has a producer id of its own.
test('a coordinator of a high leader epoch still writes: each leader epoch has a producer id of its own', (t) => {
  const log = new FakeLog();
  const c = new Coord(log, { leaderEpoch: 4000 });
  t.is(c.state, 'serving');
  c.send(heartbeat({ memberEpoch: 0, topics: ['t'], from: 'client/a' }));
  t.is(c.lastReply('groupHeartbeat')['code'], 'OK');
  t.deepEqual(log.batches.map((b) => [b.producerId, b.producerEpoch]), [[coordinatorProducerId(4000), 0], [coordinatorProducerId(4000), 0]]);
});
