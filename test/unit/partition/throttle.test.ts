// Goal: a replica added by a reassignment catches up no faster than the throttle allows, as the
// leader sends and as the follower receives, and no slower than the throttle leaves room for; a
// replica in the ISR is never held back; without a throttle the copy runs unhindered.
// Method: real replica actors in the in-test harness on virtual time (10 ms ticks): node 3 joins
// a partition that already holds about 200 KB, and the bytes in its log are sampled every second.
import test, { type ExecutionContext } from 'ava';
import { Cluster, produceBody, state } from './harness.js';
import type { ReplicaThrottle, StoredBatch } from '../../../actors/partition.js';
import { allowance, applyThrottle, charge, readyAtMs, refill } from '../../../actors/partition/throttle.js';

const RATE = 20_000; // bytes/s
const BATCH_RECORDS = 100; // 1,000 record bytes per batch

function storedBytes(c: Cluster, id: number): number {
  return (c.stores.get(id)?.batches('p/tid/0') ?? []).reduce((sum, b: StoredBatch) => sum + b.bytes, 0);
}

/** A partition on nodes 1 and 2 with `batches` batches, then moved to [1,2,3] with node 3 added. */
function moving(batches: number, throttle: { leader?: ReplicaThrottle; follower?: ReplicaThrottle }): { c: Cluster; batchBytes: number; total: number } {
  const c = new Cluster(state({ replicas: [1, 2], isr: [1, 2] }));
  c.settle();
  for (let i = 0; i < batches; i++) c.request(1, 'produce', i + 1, produceBody(BATCH_RECORDS, -1));
  c.advance(200);
  const total = storedBytes(c, 1);
  const batchBytes = total / batches;
  const next = state({ replicas: [1, 2, 3], isr: [1, 2], partitionEpoch: 2 });
  for (const id of [1, 2]) c.get(id).send({ type: 'metadataChanged', state: next, ...(id === 1 && throttle.leader ? { throttle: throttle.leader } : {}) });
  c.start(3, next, throttle.follower ? { throttle: throttle.follower } : {});
  c.settle();
  return { c, batchBytes, total };
}

/** Bytes in node 3's log at the end of each of `seconds` seconds. */
function sample(c: Cluster, seconds: number): number[] {
  const out: number[] = [];
  for (let s = 1; s <= seconds; s++) { c.advance(1000); out.push(storedBytes(c, 3)); }
  return out;
}

function honoured(t: ExecutionContext, bytes: number[], batchBytes: number): void {
  bytes.forEach((b, i) => {
    const seconds = i + 1;
    // Never more than the rate plus one second's burst and one batch of overshoot.
    t.true(b <= RATE * seconds + RATE + batchBytes, `after ${seconds} s node 3 holds ${b} bytes, above ${RATE}/s`);
  });
  const last = bytes[bytes.length - 1] as number;
  t.true(last >= 0.8 * RATE * bytes.length, `after ${bytes.length} s node 3 holds only ${last} bytes: the throttle starves the move`);
}

test('the leader serves a replica being added no faster than its throttle', (t) => {
  const { c, batchBytes, total } = moving(200, { leader: { bytesPerSec: RATE, replicas: [3] } });
  t.true(total > RATE * 6, 'more data than the throttle moves in the sampled time');
  const bytes = sample(c, 5);
  honoured(t, bytes, batchBytes);
  t.false(c.get(1).ctx.state.isr.includes(3), 'not caught up yet');
  t.is(c.get(3).errors.length, 0);
});

test('the follower being added fetches no faster than its own throttle', (t) => {
  const { c, batchBytes } = moving(200, { follower: { bytesPerSec: RATE, replicas: [3] } });
  honoured(t, sample(c, 5), batchBytes);
  // Each fetch asks only for what the bucket holds (at least one batch comes back).
  t.true((c.get(3).ctx.throttle?.tokens ?? 0) <= RATE, 'the bucket never holds more than a second of the rate');
});

test('once caught up the added replica joins the ISR and is no longer held back', (t) => {
  const { c, total } = moving(40, { leader: { bytesPerSec: RATE, replicas: [3] }, follower: { bytesPerSec: RATE, replicas: [3] } });
  c.advance(Math.ceil(total / RATE) * 1000 + 2000);
  t.is(storedBytes(c, 3), total);
  const proposal = c.controllerInbox.find((m) => m.type === 'alterPartition' && (m.body as { isr: number[] }).isr.includes(3));
  t.truthy(proposal, 'the leader proposed node 3 into the ISR');
  // The controller commits it: from then on node 3 takes new data as fast as it comes.
  const inSync = state({ replicas: [1, 2, 3], isr: [1, 2, 3], partitionEpoch: 3 });
  for (const id of [1, 2, 3]) c.get(id).send({ type: 'metadataChanged', state: inSync, throttle: { bytesPerSec: RATE, replicas: [3] } });
  c.settle();
  for (let i = 0; i < 60; i++) c.request(1, 'produce', 1000 + i, produceBody(BATCH_RECORDS, -1));
  c.advance(300);
  t.is(storedBytes(c, 3), storedBytes(c, 1), 'an ISR member copies 60 KB in 0.3 s despite the 20 KB/s throttle');
  t.true(c.replies(1059).some((r) => (r.body as { code: string }).code === 'OK'), 'acks=all produces complete');
});

test('without a throttle the new replica copies everything at once', (t) => {
  const { c, total } = moving(200, {});
  c.advance(1000);
  t.is(storedBytes(c, 3), total);
});

test('the bucket: refills at the rate up to one second, carries tokens and debt across a new share, and says when it is positive', (t) => {
  let b = applyThrottle(undefined, { bytesPerSec: 1000, replicas: [3] }, 0);
  if (b === undefined) return t.fail('a bucket');
  t.is(b.tokens, 0);
  b = refill(b, 500);
  t.is(b.tokens, 500);
  t.is(refill(b, 10_000).tokens, 1000, 'capped at one second');
  t.is(allowance(b, 200), 200);
  b = charge(b, 800);
  t.is(b.tokens, -300);
  t.is(allowance(b, 200), 0);
  t.is(readyAtMs(b), 801);
  t.is(applyThrottle(b, { bytesPerSec: 2000, replicas: [3] }, 500)?.tokens, -300, 'a new share keeps the debt');
  t.is(applyThrottle(b, { bytesPerSec: 0, replicas: [3] }, 500), undefined, 'rate 0: no throttle');
  t.is(applyThrottle(b, undefined, 500), undefined);
});
