// Goal: a replica's next tick comes at its earliest deadline (the host ticks idle replicas only
// then), so no timeout is missed. Method: real replicas in the partition harness; nextTickAt read
// from their contexts as the host would.
import test from 'ava';
import { partitionNextTickAt } from '../../../actors/partition.js';
import { Cluster, produceBody, state } from './harness.js';

test('an idle leader of an empty log has nothing to wake for', (t) => {
  const c = new Cluster(state({ replicas: [1], isr: [1] }), { configs: { minInsyncReplicas: 1 } });
  c.settle();
  t.is(c.get(1).stateValue, 'leader');
  t.is(partitionNextTickAt(c.get(1).ctx), Infinity);
});

test('a leader wakes no later than its parked fetches, its followers\' ISR lag checks and its produce deadlines', (t) => {
  // Housekeeping far off, so that only the deadlines under test can bring the tick forward.
  const c = new Cluster(state(), { knobs: { tickMs: 10, retentionCheckMs: 60_000, hwCheckpointMs: 60_000, producersCheckpointMs: 60_000 } });
  c.settle();
  const ctx = () => c.get(1).ctx;
  const next = () => partitionNextTickAt(ctx());
  const lagChecks = () => [2, 3].map((id) => (ctx().leader?.followers.get(id)?.lastCaughtUpMs ?? 0) + ctx().knobs.replicaLagTimeMaxMs + 1);
  const parked = () => (ctx().leader?.parked ?? []).map((p) => p.deadlineMs);
  t.true(parked().length > 0, 'followers long-poll the leader');
  for (const at of [...lagChecks(), ...parked()]) t.true(next() <= at, `next tick ${next()} by ${at}`);
  t.true(next() > ctx().nowMs);
  c.isolated.add(2);
  c.isolated.add(3);
  c.request(1, 'produce', 1, produceBody(1, -1, { timeoutMs: 50 }));
  c.advance(10);
  const waiter = ctx().leader?.waiters[0];
  t.truthy(waiter, 'the produce waits for the ISR');
  t.true(next() <= (waiter?.deadlineMs ?? 0), 'its time-out is not missed');
});

test('an idle leader with data wakes when its oldest batch expires by retention.ms, not every retentionCheckMs', (t) => {
  const c = new Cluster(state({ replicas: [1], isr: [1] }), { configs: { minInsyncReplicas: 1, retentionMs: 60_000 } });
  c.settle();
  const wall = 1_000_000; // the harness's wall clock at nowMs 0
  c.request(1, 'produce', 1, produceBody(2, -1, {}, { firstTimestamp: wall, maxTimestamp: wall + 5 }));
  c.settle();
  c.advance(500); // the HW checkpoint lands; nothing else is due
  const ctx = () => c.get(1).ctx;
  t.is(ctx().hw, 2, 'the batch is committed');
  const expiresAt = 5 + 60_000 + 1; // replica time at which maxTimestamp < wall clock - retention.ms
  t.is(partitionNextTickAt(ctx()), expiresAt, 'the next tick is the expiry, though retention checks every 100 ms');
  c.advance(expiresAt - c.nowMs + 200, 100);
  t.is(ctx().logStart, 2, 'the expired batch is deleted');
  t.is(partitionNextTickAt(ctx()), Infinity, 'an empty log has nothing left to expire');
});

test('a log over retention.bytes is due for retention at once; under it, only an append can make it due', (t) => {
  const c = new Cluster(state({ replicas: [1], isr: [1] }), { configs: { minInsyncReplicas: 1, retentionMs: -1, retentionBytes: 300 } });
  c.settle();
  c.request(1, 'produce', 1, produceBody(20, -1)); // 200 bytes of records
  c.settle();
  c.advance(500);
  const ctx = () => c.get(1).ctx;
  t.true(ctx().index.bytes <= 300 && ctx().hw === 20, `one committed batch, under retention.bytes (${ctx().index.bytes} bytes)`);
  t.is(partitionNextTickAt(ctx()), Infinity, 'nothing due');
  c.request(1, 'produce', 2, produceBody(20, -1));
  c.settle();
  t.true(ctx().index.bytes > 300 && ctx().hw === 40, 'two committed batches, over it');
  t.true(partitionNextTickAt(ctx()) <= Math.max(ctx().nowMs + 1, ctx().retention.nextCheckMs), 'due by the next allowed check');
  c.advance(500);
  t.is(ctx().logStart, 20, 'the oldest batch is deleted');
  t.is(partitionNextTickAt(ctx()), Infinity, 'under retention.bytes again');
});

test('the producer-state checkpoint is written once after the table changes, not again while it stays the same', (t) => {
  const c = new Cluster(state({ replicas: [1], isr: [1] }), { configs: { minInsyncReplicas: 1, retentionMs: -1 }, knobs: { tickMs: 10, retentionCheckMs: 100, hwCheckpointMs: 100, producersCheckpointMs: 1000 } });
  c.settle();
  const ctx = () => c.get(1).ctx;
  const writes = () => c.stores.get(1)!.metaWrites.filter((key) => key.endsWith('producers')).length;
  c.request(1, 'produce', 1, produceBody(2, -1, {}, { producerId: 5, producerEpoch: 0, baseSequence: 0 }));
  c.settle();
  t.true(ctx().producers.size === 1 && ctx().producers !== ctx().producersCheckpoint.persisted, 'a new producer: a checkpoint is due');
  t.true(partitionNextTickAt(ctx()) <= ctx().producersCheckpoint.atMs + 1000);
  c.advance(1500, 50);
  t.is(writes(), 1, 'one checkpoint');
  t.is(ctx().producersCheckpoint.persisted, ctx().producers);
  t.is(partitionNextTickAt(ctx()), Infinity, 'nothing changed since: nothing due');
  c.advance(5000, 100);
  t.is(writes(), 1, 'no checkpoint of an unchanged table');
  c.request(1, 'produce', 2, produceBody(1, -1, {}, { producerId: 5, producerEpoch: 0, baseSequence: 2 }));
  c.settle();
  c.advance(1500, 50);
  t.is(writes(), 2, 'the next batch of the producer changes the table: one more checkpoint');
});
