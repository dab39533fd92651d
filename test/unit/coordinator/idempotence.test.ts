// Goal: a coordinator's writes are idempotent, and a reload fences what an earlier life left in
// flight. Without it a delayed copy of an old batch landing after newer ones would, on the next
// load (last value per key wins), bring back member epochs and assignments long replaced.
// Method: the coordinator over the fake log, which checks producer sequences as the replica does.
import test from 'ava';
import type { SendParams } from '../../../actors/effects.js';
import type { BatchInput } from '../../../actors/partition/batch.js';
import { COORDINATOR_PRODUCER_ID } from '../../../actors/coordinator/idempotence.js';
import { Coord, FakeLog, heartbeat } from './harness.js';

const batchOf = (p: SendParams | undefined): BatchInput => (p?.body as { batch: BatchInput }).batch;

test('every write carries the coordinator producer id, one epoch per load, and sequences that follow on', (t) => {
  const c = new Coord(new FakeLog(), {}, { hold: false });
  c.hold = true;
  c.send(heartbeat({ memberEpoch: 0, topics: ['t'], from: 'client/a' }));
  const first = batchOf(c.held[0]);
  t.is(first.producerId, COORDINATOR_PRODUCER_ID);
  t.is(first.baseSequence, 1, 'after the barrier, sequence 0');
  c.hold = false;
  c.release();
  const [plain, fencing, write] = c.log.batches;
  t.is(plain?.producerId, -1, 'the first barrier only bounds the read');
  t.is(fencing?.producerId, COORDINATOR_PRODUCER_ID);
  t.is(fencing?.baseSequence, 0);
  t.is(fencing?.producerEpoch, write?.producerEpoch);
  t.is(write?.baseSequence, 1);
  // A second life (the same leader epoch: a re-spawned actor) takes an epoch above the first's.
  const again = new Coord(c.log);
  t.is(again.state, 'serving');
  t.true(again.ctx.producer.epoch > (write?.producerEpoch ?? Infinity));
  t.is(Object.keys(again.ctx.groups['g']?.members ?? {}).length, 1, 'and loads what the first wrote');
});

test('a copy of a write from before a reload that lands after the reload\'s barrier is refused, not appended', (t) => {
  const log = new FakeLog();
  const c = new Coord(log, {}, { hold: false });
  c.hold = true;
  c.send(heartbeat({ memberEpoch: 0, topics: ['t'], from: 'client/a' }));
  const stale = c.held[0] as SendParams;
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
