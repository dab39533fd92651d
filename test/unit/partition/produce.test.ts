// Goal: the leader's produce path answers by Kafka's rules and writes nothing it refuses.
// Method: real replica actors in the in-test harness; storage completes only when the test settles.
import test from 'ava';
import { Cluster, produceBody, state } from './harness.js';

test('acks=1 replies after the leader stored the batch, with consecutive offsets', (t) => {
  const c = new Cluster(state({ replicas: [1], isr: [1] }), { configs: { minInsyncReplicas: 1 } });
  c.settle();
  t.is(c.get(1).stateValue, 'leader');
  c.request(1, 'produce', 1, produceBody(3, 1));
  t.deepEqual(c.replies(1), [], 'no reply before the append is stored');
  t.is(c.get(1).appends.length, 1);
  c.settle();
  c.request(1, 'produce', 2, produceBody(2, 1));
  c.settle();
  t.like(c.replies(1)[0], { type: 'produceReply', body: { code: 'OK', baseOffset: 0 } });
  t.like(c.replies(2)[0], { body: { code: 'OK', baseOffset: 3 } });
  t.is(c.get(1).ctx.leo, 5);
  t.is(c.get(1).ctx.hw, 5, 'a one-replica ISR commits at once');
  const kinds = c.get(1).reports.map((r) => r.kind);
  t.true(kinds.includes('partitionLeader'));
  t.deepEqual(c.get(1).reports.filter((r) => r.kind === 'partitionAppend').map((r) => r.data),
    [{ topic: 't', partition: 0, nodeId: 1, leaderEpoch: 1, baseOffset: 0, lastOffset: 2, asLeader: true },
      { topic: 't', partition: 0, nodeId: 1, leaderEpoch: 1, baseOffset: 3, lastOffset: 4, asLeader: true }]);
});

test('acks=all replies only after both followers fetched the batch, and the HW moves', (t) => {
  const c = new Cluster(state());
  c.settle();
  t.is(c.get(2).stateValue, 'follower');
  c.request(1, 'produce', 1, produceBody(4, -1));
  c.get(1).flushStorage();
  t.is(c.get(1).ctx.leo, 4);
  t.deepEqual(c.replies(1), [], 'stored on the leader is not enough for acks=all');
  t.is(c.get(1).ctx.hw, 0);
  c.settle();
  t.like(c.replies(1)[0], { body: { code: 'OK', baseOffset: 0 } });
  t.is(c.get(1).ctx.hw, 4);
  t.is(c.get(2).ctx.leo, 4);
  t.is(c.get(3).ctx.leo, 4);
  t.true(c.get(1).reports.some((r) => r.kind === 'partitionHw' && r.data['hw'] === 4));
  t.true(c.get(2).reports.some((r) => r.kind === 'partitionAppend' && r.data['asLeader'] === false));
});

function appendedRecords(c: Cluster, id: number): number {
  return c.get(id).appends.reduce((n, a) => n + a.entries.length, 0);
}

test('a produce with a stale leader epoch is fenced, a newer one unknown; nothing appended', (t) => {
  const c = new Cluster(state({ leaderEpoch: 3 }));
  c.settle();
  c.request(1, 'produce', 1, produceBody(1, 1, { leaderEpoch: 2 }));
  c.request(1, 'produce', 2, produceBody(1, 1, { leaderEpoch: 4 }));
  c.settle();
  t.like(c.replies(1)[0], { body: { code: 'FENCED_LEADER_EPOCH', leaderEpoch: 3 } });
  t.like(c.replies(2)[0], { body: { code: 'UNKNOWN_LEADER_EPOCH', leaderEpoch: 3 } });
  t.is(appendedRecords(c, 1), 0);
  t.is(c.get(1).ctx.leoPending, 0);
});

test('a leader whose epoch start is not durable yet fences a stale epoch at once, and asks its own epoch to retry', (t) => {
  const c = new Cluster(state({ leaderEpoch: 3 }));
  const leader = c.get(1);
  // Storage one operation at a time until the replica leads with the epoch's start still being written.
  while (!(leader.stateValue === 'leader' && leader.ctx.leader?.ready === false)) {
    const op = leader.storage.shift();
    if (op === undefined) return t.fail('the replica never led with its epoch start in flight');
    leader.send({ ...op(), nowMs: c.nowMs } as never);
  }
  c.heldStorage.add(1);
  c.request(1, 'produce', 1, produceBody(1, 1, { leaderEpoch: 2 }));
  c.request(1, 'produce', 2, produceBody(1, 1, { leaderEpoch: 3 }));
  c.settle();
  t.like(c.replies(1)[0], { body: { code: 'FENCED_LEADER_EPOCH', leaderEpoch: 3 } });
  t.like(c.replies(2)[0], { body: { code: 'LEADER_NOT_AVAILABLE', leaderEpoch: 3 } });
  t.is(appendedRecords(c, 1), 0);
});

test('followers answer produce with NOT_LEADER naming the leader', (t) => {
  const c = new Cluster(state({ leaderEpoch: 2 }));
  c.settle();
  c.request(2, 'produce', 1, produceBody(1, 1));
  c.request(3, 'listOffsets', 2, { timestamp: -1 });
  c.settle();
  t.like(c.replies(1)[0], { body: { code: 'NOT_LEADER', leaderId: 1, leaderEpoch: 2 } });
  t.like(c.replies(2)[0], { body: { code: 'NOT_LEADER', leaderId: 1 } });
  t.is(appendedRecords(c, 2), 0);
});

test('an oversized batch gets MESSAGE_TOO_LARGE and nothing is appended', (t) => {
  const c = new Cluster(state(), { configs: { minInsyncReplicas: 2, maxMessageBytes: 100 } });
  c.settle();
  c.request(1, 'produce', 1, produceBody(11, 1)); // 110 bytes of records
  c.settle();
  t.like(c.replies(1)[0], { body: { code: 'MESSAGE_TOO_LARGE' } });
  t.is(appendedRecords(c, 1), 0);
  t.is(c.get(1).ctx.leo, 0);
});

test('an inconsistent batch gets CORRUPT_MESSAGE; a mistyped one is refused by the validator', async (t) => {
  const { parsePartitionMessage } = await import('../../../actors/partition.js');
  const c = new Cluster(state());
  c.settle();
  c.request(1, 'produce', 1, produceBody(1, 1, {}, { recordCount: 0 }));
  c.request(1, 'produce', 2, produceBody(1, 1, {}, { firstTimestamp: 5000, maxTimestamp: 10 }));
  c.request(1, 'produce', 3, produceBody(1, 1, {}, { producerId: 9, producerEpoch: -1, baseSequence: 0 }));
  c.settle();
  for (const corr of [1, 2, 3]) t.like(c.replies(corr)[0], { body: { code: 'CORRUPT_MESSAGE' } });
  t.is(appendedRecords(c, 1), 0);
  const mistyped = parsePartitionMessage({ type: 'produce', from: 'client/c1', corr: 4,
    body: { acks: 1, timeoutMs: 10, batch: { recordCount: 'two', records: new Uint8Array(1) } } });
  t.like(mistyped, { ok: false, code: 'INVALID_REQUEST' });
  t.like(parsePartitionMessage({ type: 'produce', from: 'c', corr: 5, body: { ...produceBody(1, 1), acks: 2 } }), { ok: false });
  t.like(parsePartitionMessage({ type: 'explode', from: 'c', body: {} }), { ok: false, code: 'UNSUPPORTED_MESSAGE' });
});

test('acks=all with the ISR below min.insync.replicas is refused before append', (t) => {
  const c = new Cluster(state({ isr: [1] }));
  c.settle();
  c.request(1, 'produce', 1, produceBody(1, -1));
  c.request(1, 'produce', 2, produceBody(1, 1));
  c.settle();
  t.like(c.replies(1)[0], { body: { code: 'NOT_ENOUGH_REPLICAS' } });
  t.like(c.replies(2)[0], { body: { code: 'OK', baseOffset: 0 } }, 'acks=1 is not gated by min ISR');
  t.is(c.get(1).appends.length, 1, 'only the acks=1 batch was appended');
});

test('acks=all answers NOT_ENOUGH_REPLICAS_AFTER_APPEND when the ISR shrank before commit', (t) => {
  const c = new Cluster(state());
  c.settle();
  c.isolated.add(3);
  c.isolated.add(2);
  c.request(1, 'produce', 1, produceBody(1, -1, { timeoutMs: 5000 }));
  c.settle();
  t.deepEqual(c.replies(1), []);
  c.get(1).send({ type: 'metadataChanged', state: state({ isr: [1, 2], partitionEpoch: 2 }) });
  c.isolated.delete(2);
  c.advance(1600); // follower 2 resends its lost fetch after maxWait + slack and catches up
  t.like(c.replies(1)[0], { body: { code: 'OK' } }, 'ISR [1,2] meets min ISR 2');
  c.request(1, 'produce', 2, produceBody(1, -1));
  c.isolated.add(2);
  c.settle();
  c.get(1).send({ type: 'metadataChanged', state: state({ isr: [1], partitionEpoch: 3 }) });
  c.settle();
  t.like(c.replies(2)[0], { body: { code: 'NOT_ENOUGH_REPLICAS_AFTER_APPEND' } });
});

test('idempotent producer: a retried batch gets its original offset, a gap is refused', (t) => {
  const c = new Cluster(state({ replicas: [1], isr: [1] }), { configs: { minInsyncReplicas: 1 } });
  c.settle();
  const idem = (seq: number, n: number) => ({ producerId: 42, producerEpoch: 0, baseSequence: seq, recordCount: n, records: new Uint8Array(n * 10) });
  c.request(1, 'produce', 1, produceBody(3, 1, {}, idem(0, 3)));
  c.request(1, 'produce', 2, produceBody(2, 1, {}, idem(3, 2)));
  c.settle();
  c.request(1, 'produce', 3, produceBody(3, 1, {}, idem(0, 3))); // retry of the first batch
  c.request(1, 'produce', 4, produceBody(1, 1, {}, idem(7, 1))); // sequence 5 and 6 missing
  c.request(1, 'produce', 5, produceBody(1, 1, {}, { ...idem(5, 1), producerEpoch: 1 })); // new epoch must restart at 0
  c.settle();
  t.like(c.replies(1)[0], { body: { code: 'OK', baseOffset: 0 } });
  t.like(c.replies(2)[0], { body: { code: 'OK', baseOffset: 3 } });
  t.like(c.replies(3)[0], { body: { code: 'OK', baseOffset: 0 } });
  t.like(c.replies(4)[0], { body: { code: 'OUT_OF_ORDER_SEQUENCE_NUMBER' } });
  t.like(c.replies(5)[0], { body: { code: 'OUT_OF_ORDER_SEQUENCE_NUMBER' } });
  t.is(c.get(1).ctx.leo, 5, 'neither the duplicate nor the gap was appended');
  t.is(c.get(1).appends.length, 2);
});

test('acks=all times out with REQUEST_TIMED_OUT when followers never fetch', (t) => {
  const c = new Cluster(state());
  c.settle();
  c.isolated.add(2);
  c.isolated.add(3);
  c.request(1, 'produce', 1, produceBody(1, -1, { timeoutMs: 100 }));
  c.settle();
  c.advance(90);
  t.deepEqual(c.replies(1), []);
  c.advance(20);
  t.like(c.replies(1)[0], { body: { code: 'REQUEST_TIMED_OUT' } });
});

test('acks=0 gets no reply, not even an error', (t) => {
  const c = new Cluster(state({ replicas: [1], isr: [1] }), { configs: { minInsyncReplicas: 1 } });
  c.settle();
  c.request(1, 'produce', 1, produceBody(1, 0));
  c.request(1, 'produce', 2, produceBody(1, 0, { leaderEpoch: 0 }));
  c.settle();
  t.deepEqual(c.clientInbox, []);
  t.is(c.get(1).ctx.leo, 1);
});

test('produces arriving during an append are coalesced into the next single append', (t) => {
  const c = new Cluster(state({ replicas: [1], isr: [1] }), { configs: { minInsyncReplicas: 1 } });
  c.settle();
  c.request(1, 'produce', 1, produceBody(1, 1));
  c.request(1, 'produce', 2, produceBody(1, 1));
  c.request(1, 'produce', 3, produceBody(1, 1));
  t.is(c.get(1).appends.length, 1);
  c.settle();
  t.is(c.get(1).appends.length, 2);
  t.is(c.get(1).appends[1]?.entries.length, 2);
  t.deepEqual([1, 2, 3].map((corr) => (c.replies(corr)[0]?.body as { baseOffset: number }).baseOffset), [0, 1, 2]);
});
