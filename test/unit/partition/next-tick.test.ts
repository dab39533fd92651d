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
