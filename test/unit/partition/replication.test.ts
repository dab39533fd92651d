// Goal: fetch-based replication follows Kafka's rules: fencing, divergence truncation (KIP-279),
// ISR shrink with the HW over the maximal ISR, retention below the HW, ListOffsets, recovery.
// Method: real replica actors in the in-test harness, a lossy network by isolating nodes.
import test from 'ava';
import { Cluster, MemoryStore, Replica, input, produceBody, state } from './harness.js';
import { PARTITION_DEFAULTS, type BatchInput, type StoredBatch } from '../../../actors/partition.js';
import { CONTROLLER_FOR_NODES, replicaAddress } from '../../../actors/kit/addresses.js';
import type { SendParams } from '../../../actors/effects.js';

test('fetches with a stale leader epoch are fenced; a fetch to a follower gets NOT_LEADER', (t) => {
  const c = new Cluster(state({ leaderEpoch: 5 }));
  c.settle();
  const fetch = { replicaId: -1, fetchOffset: 0, lastFetchedEpoch: -1, maxWaitMs: 0, minBytes: 1, bytesMax: 1000 };
  c.request(1, 'fetch', 1, { ...fetch, leaderEpoch: 4 });
  c.request(2, 'fetch', 2, { ...fetch, leaderEpoch: 5 });
  c.settle();
  t.like(c.replies(1)[0], { type: 'fetchReply', body: { code: 'FENCED_LEADER_EPOCH', leaderEpoch: 5 } });
  t.like(c.replies(2)[0], { body: { code: 'NOT_LEADER', leaderId: 1, leaderEpoch: 5 } });
});

test('consumers see only batches below the HW and long-poll until the HW passes them', (t) => {
  const c = new Cluster(state());
  c.settle();
  c.isolated.add(2);
  c.isolated.add(3);
  c.request(1, 'produce', 1, produceBody(2, 1));
  c.settle();
  c.request(1, 'fetch', 2, { replicaId: -1, fetchOffset: 0, lastFetchedEpoch: -1, maxWaitMs: 5000, minBytes: 1, bytesMax: 1000 });
  c.settle();
  t.deepEqual(c.replies(2), [], 'parked: the batch is stored but not committed');
  c.isolated.clear();
  c.advance(1600); // the followers' lost fetches are resent; the HW moves and wakes the consumer
  const body = c.replies(2)[0]?.body as { code: string; hw: number; batches: StoredBatch[] };
  t.is(body.code, 'OK');
  t.is(body.hw, 2);
  t.deepEqual(body.batches.map((b) => [b.baseOffset, b.lastOffset]), [[0, 1]]);
});

test('a follower with a diverged tail truncates to the new leader\'s epoch end and copies its log', (t) => {
  const c = new Cluster(state());
  c.settle();
  c.request(1, 'produce', 1, produceBody(2, -1));
  c.settle();
  t.like(c.replies(1)[0], { body: { code: 'OK', baseOffset: 0 } });
  // Node 1 is cut off and appends an uncommitted batch in epoch 1.
  c.request(1, 'produce', 2, produceBody(3, -1, { timeoutMs: 60_000 }));
  c.isolated.add(1);
  c.settle();
  t.is(c.get(1).ctx.leo, 5);
  // The controller makes node 2 leader in epoch 2; it writes at offset 2.
  const next = state({ leader: 2, leaderEpoch: 2, partitionEpoch: 2, isr: [2, 3] });
  for (const id of [2, 3]) c.get(id).send({ type: 'metadataChanged', state: next });
  c.settle();
  t.is(c.get(2).stateValue, 'leader');
  c.request(2, 'produce', 3, produceBody(4, 1, { leaderEpoch: 2 }));
  c.settle();
  // Node 1 comes back as a follower of node 2.
  c.isolated.clear();
  c.get(1).send({ type: 'metadataChanged', state: next });
  c.settle();
  c.advance(100);
  t.is(c.get(1).stateValue, 'follower');
  t.like(c.replies(2)[0], { body: { code: 'NOT_LEADER', leaderId: 2 } }, 'the stepping-down leader answered its waiter');
  const truncations = c.get(1).reports.filter((r) => r.kind === 'partitionTruncate');
  t.deepEqual(truncations.map((r) => r.data), [{ topic: 't', partition: 0, nodeId: 1, offset: 2 }]);
  const log = c.stores.get(1)?.batches('p/tid/0') ?? [];
  t.deepEqual(log.map((b) => [b.baseOffset, b.lastOffset, b.leaderEpoch]), [[0, 1, 1], [2, 5, 2]]);
  t.deepEqual(c.get(1).ctx.epochs, [{ epoch: 1, startOffset: 0 }, { epoch: 2, startOffset: 2 }]);
  t.is(c.get(1).ctx.leo, 6);
});

// Seed 897411: a follower whose last epoch the new leader never had is told where the leader's largest
// smaller epoch ends; it cuts back to the end of its own (KIP-279) and asks again, and the next answer
// may cut further. The leader's HW in a diverging answer covers the leader's log, not the follower's
// uncut one: taken after the first cut, it raised the follower's HW over offsets the second cut then
// dropped (HW 4, truncated to 2). The HW now follows the leader's only from answers without divergence.
test('a follower takes the leader\'s HW only once its log agrees: a two-step divergence never cuts below its HW', (t) => {
  const c = new Cluster(state());
  c.settle();
  c.request(1, 'produce', 1, produceBody(2, -1));
  c.settle();
  t.like(c.replies(1)[0], { body: { code: 'OK', baseOffset: 0 } });
  // Node 1 leads epoch 1 and writes 2-3, which only node 3 gets: uncommitted (node 2 is in the ISR).
  c.isolated.add(2);
  c.request(1, 'produce', 2, produceBody(2, -1, { timeoutMs: 60_000 }));
  c.settle();
  t.is(c.get(3).ctx.leo, 4);
  // Node 2 leads epoch 2 and accepts 2-3 but never stores them (held storage); node 3, served what was
  // accepted, cuts its epoch-1 tail and takes them: node 3's log is 0-1@1, 2-3@2.
  c.isolated.clear();
  c.isolated.add(1);
  const epoch2 = state({ leader: 2, leaderEpoch: 2, partitionEpoch: 2, isr: [2, 3] });
  for (const id of [2, 3]) c.get(id).send({ type: 'metadataChanged', state: epoch2 });
  c.settle();
  c.heldStorage.add(2);
  c.request(2, 'produce', 3, produceBody(2, -1, { leaderEpoch: 2, timeoutMs: 60_000 }));
  c.advance(100);
  t.deepEqual(c.get(3).ctx.epochs, [{ epoch: 1, startOffset: 0 }, { epoch: 2, startOffset: 2 }]);
  t.is(c.get(3).ctx.leo, 4);
  // Node 1 (0-3@1) leads epoch 3 and writes 4-5, which nobody gets.
  c.isolated.clear();
  c.isolated.add(2);
  c.isolated.add(3);
  const epoch3 = state({ leader: 1, leaderEpoch: 3, partitionEpoch: 3, isr: [1, 3] });
  c.get(1).send({ type: 'metadataChanged', state: epoch3 });
  c.settle();
  c.request(1, 'produce', 4, produceBody(2, -1, { leaderEpoch: 3, timeoutMs: 60_000 }));
  c.settle();
  t.is(c.get(1).ctx.leo, 6);
  t.is(c.get(1).ctx.hw, 2);
  // Node 3 leads epoch 4 alone (HW 4, its log end); node 1 follows it with last epoch 3, which node 3
  // never had: the answers are "epoch 2 ends at 4", then "epoch 1 ends at 2".
  const epoch4 = state({ leader: 3, leaderEpoch: 4, partitionEpoch: 4, isr: [3] });
  c.get(3).send({ type: 'metadataChanged', state: epoch4 });
  c.settle();
  t.is(c.get(3).ctx.hw, 4);
  c.isolated.delete(3);
  c.get(1).send({ type: 'metadataChanged', state: epoch4 });
  c.advance(200);
  const one = c.get(1);
  t.deepEqual(one.logs.filter((l) => l.event === 'truncateBelowHw'), [], 'no cut below the HW');
  const hws = one.reports.filter((r) => r.kind === 'partitionHw').map((r) => r.data['hw'] as number);
  t.deepEqual(hws, [...hws].sort((a, b) => a - b), `node 1's HW never went back: ${hws.join(' → ')}`);
  const log = c.stores.get(1)?.batches('p/tid/0') ?? [];
  t.deepEqual(log.map((b) => [b.baseOffset, b.lastOffset, b.leaderEpoch]), [[0, 1, 1], [2, 3, 2]]);
  t.is(one.ctx.hw, 4);
});

test('a lagging follower is proposed out of the ISR; while pending the HW waits for it', (t) => {
  const c = new Cluster(state());
  c.settle();
  c.isolated.add(3);
  c.request(1, 'produce', 1, produceBody(1, -1, { timeoutMs: 10_000 }));
  c.advance(PARTITION_DEFAULTS.knobs.replicaLagTimeMaxMs + 100);
  const proposal = c.controllerInbox.find((m) => m.type === 'alterPartition');
  t.like(proposal, { to: CONTROLLER_FOR_NODES, body: { topicId: 'tid', partition: 0, leaderId: 1, leaderEpoch: 1, partitionEpoch: 1, isr: [1, 2] } });
  const leader = c.get(1).ctx.leader;
  t.is(leader?.isr.kind, 'pendingShrink');
  t.is(c.get(1).ctx.hw, 0, 'HW over the maximal ISR still counts node 3');
  t.deepEqual(c.replies(1), []);
  c.advance(2100);
  t.is(c.controllerInbox.filter((m) => m.type === 'alterPartition').length, 2, 'resent after the proposal timeout, once');
  c.deliver(CONTROLLER_FOR_NODES, { to: replicaAddress('t', 0, 1), type: 'alterPartitionReply', corr: proposal?.corr ?? -1,
    body: { code: 'OK', partition: state({ isr: [1, 2], partitionEpoch: 2 }) } });
  c.settle();
  t.is(c.get(1).ctx.leader?.isr.kind, 'committed');
  t.is(c.get(1).ctx.hw, 1);
  t.like(c.replies(1)[0], { body: { code: 'OK', baseOffset: 0 } });
});

test('a new controller leader gets an unanswered ISR proposal at once, same corr, not after the proposal timeout', (t) => {
  const c = new Cluster(state());
  c.settle();
  c.isolated.add(3);
  c.request(1, 'produce', 1, produceBody(1, -1, { timeoutMs: 10_000 }));
  c.advance(PARTITION_DEFAULTS.knobs.replicaLagTimeMaxMs + 100);
  const proposals = (): Array<{ corr?: number }> => c.controllerInbox.filter((m) => m.type === 'alterPartition');
  t.is(proposals().length, 1);
  c.get(2).send({ type: 'controllerChanged' }); // A follower has nothing to resend.
  c.get(1).send({ type: 'controllerChanged' });
  c.settle();
  t.is(proposals().length, 2, 'resent when the controller changed, long before the proposal timeout');
  t.is(proposals()[1]?.corr, proposals()[0]?.corr);
  c.advance(PARTITION_DEFAULTS.knobs.isrProposalTimeoutMs - 100);
  t.is(proposals().length, 2, 'the resend restarted the proposal timeout');
  c.get(1).send({ type: 'metadataChanged', state: state({ isr: [1, 2], partitionEpoch: 2 }) });
  c.get(1).send({ type: 'controllerChanged' });
  c.settle();
  t.is(proposals().length, 2, 'nothing to resend once the ISR is committed');
});

// Seed 81262: with a long poll (500 ms) longer than replicaLagTimeMaxMs (400 ms), the leader of an
// idle partition dated a follower's caught-up time from its parked fetch's arrival, shrank it out
// of the ISR while the fetch still waited at the LEO, and took it back on its next fetch: two
// metadata records per follower per long poll, so the metadata log never stopped growing.
test('a follower whose fetch waits parked at the LEO stays in the ISR however long the long poll; a silent one leaves', (t) => {
  const knobs = { tickMs: 10, retentionCheckMs: 100, hwCheckpointMs: 100, replicaLagTimeMaxMs: 400, fetchMaxWaitMs: 500 };
  const c = new Cluster(state(), { knobs });
  c.settle();
  c.request(1, 'produce', 1, produceBody(1, -1));
  c.advance(50);
  t.like(c.replies(1)[0], { body: { code: 'OK', baseOffset: 0 } });
  c.advance(3000);
  t.deepEqual(c.controllerInbox.filter((m) => m.type === 'alterPartition'), [], 'idle followers parked at the LEO are in sync');
  t.true((c.get(1).ctx.leader?.parked.length ?? 0) > 0, 'the followers long-poll the leader');
  // New data wakes the parked fetches: the followers were caught up until that moment.
  c.request(1, 'produce', 2, produceBody(1, -1));
  c.advance(50);
  t.like(c.replies(2)[0], { body: { code: 'OK', baseOffset: 1 } });
  t.deepEqual(c.controllerInbox.filter((m) => m.type === 'alterPartition'), []);
  // A follower that stops fetching leaves once its last parked fetch expired and the lag passed.
  c.isolated.add(3);
  c.advance(500 + 400 + 200);
  const proposals = c.controllerInbox.filter((m) => m.type === 'alterPartition');
  t.is(proposals.length, 1);
  t.like(proposals[0], { body: { isr: [1, 2], partitionEpoch: 1 } });
});

test('a caught-up follower is proposed back into the ISR and counts in the HW while pending', (t) => {
  const c = new Cluster(state({ isr: [1, 2] }));
  c.settle();
  c.request(1, 'produce', 1, produceBody(2, -1));
  c.advance(20);
  const proposal = c.controllerInbox.find((m) => m.type === 'alterPartition');
  t.like(proposal, { body: { isr: [1, 2, 3] } });
  t.is(c.get(1).ctx.leader?.isr.kind, 'pendingExpand');
  t.like(c.replies(1)[0], { body: { code: 'OK' } });
  c.deliver(CONTROLLER_FOR_NODES, { to: replicaAddress('t', 0, 1), type: 'alterPartitionReply', corr: proposal?.corr ?? -1, body: { code: 'NOT_CONTROLLER' } });
  t.is(c.get(1).ctx.leader?.isr.kind, 'pendingExpand', 'a refusal leaves the outcome unknown: still pending');
  t.deepEqual(c.get(1).ctx.state.isr, [1, 2]);
  c.get(1).send({ type: 'metadataChanged', state: state({ isr: [1, 2, 3], partitionEpoch: 2 }) });
  c.settle();
  t.is(c.get(1).ctx.leader?.isr.kind, 'committed', 'a newer partition state ends the proposal');
  t.deepEqual(c.get(1).ctx.state.isr, [1, 2, 3]);
});

test('a proposal refused as malformed (checked, not applied) falls back to the committed ISR', (t) => {
  const c = new Cluster(state({ isr: [1, 2] }));
  c.settle();
  c.request(1, 'produce', 1, produceBody(2, -1));
  c.advance(20);
  const proposal = c.controllerInbox.find((m) => m.type === 'alterPartition');
  t.is(c.get(1).ctx.leader?.isr.kind, 'pendingExpand');
  c.deliver(CONTROLLER_FOR_NODES, { to: replicaAddress('t', 0, 1), type: 'alterPartitionReply', corr: proposal?.corr ?? -1, body: { code: 'INVALID_REQUEST' } });
  t.deepEqual(c.get(1).ctx.leader?.isr, { kind: 'committed', isr: [1, 2] });
});

// Seed 129: the controller committed an expand, its OK was lost, the resend was refused with a stale
// partition epoch; the leader fell back to the old ISR and acknowledged a write the joiner lacked,
// and the joiner, in the controller's ISR, was then elected leader without it.
test('after a refused expand the joiner keeps counting in the HW until a newer partition state arrives', (t) => {
  const c = new Cluster(state({ isr: [1, 2] }));
  c.settle();
  c.request(1, 'produce', 1, produceBody(2, -1));
  c.advance(20);
  const proposal = c.controllerInbox.find((m) => m.type === 'alterPartition');
  t.like(proposal, { body: { isr: [1, 2, 3], partitionEpoch: 1 } });
  // The controller applied it (partition epoch 2); this answers a resend of the same proposal.
  c.deliver(CONTROLLER_FOR_NODES, { to: replicaAddress('t', 0, 1), type: 'alterPartitionReply', corr: proposal?.corr ?? -1,
    body: { code: 'INVALID_UPDATE_VERSION', leaderEpoch: 1, message: 'partition epoch 1 is not the current 2' } });
  c.isolated.add(3);
  c.request(1, 'produce', 2, produceBody(1, -1, { timeoutMs: 10_000 }));
  c.advance(300);
  t.is(c.get(2).ctx.leo, 3, 'node 2 stored the second batch');
  t.is(c.get(1).ctx.hw, 2, 'the HW waits for node 3, which may be in the ISR');
  t.deepEqual(c.replies(2), [], 'not acknowledged while node 3 lacks it');
  c.advance(300);
  t.is(c.get(1).ctx.hw, 2);
  t.is(c.controllerInbox.filter((m) => m.type === 'alterPartition').length, 2, 'the proposal is resent after the backoff');
  // Metadata brings the controller's newer state: node 3 is out again, so the write commits.
  c.get(1).send({ type: 'metadataChanged', state: state({ isr: [1, 2], partitionEpoch: 3 }) });
  c.settle();
  t.is(c.get(1).ctx.hw, 3);
  t.like(c.replies(2)[0], { body: { code: 'OK', baseOffset: 2 } });
});

test('retention deletes old batches below the HW only; a fetch below the new log start is out of range', (t) => {
  const c = new Cluster(state(), { configs: { minInsyncReplicas: 1, retentionMs: 10_000 } });
  c.settle();
  for (let i = 0; i < 3; i++) c.request(1, 'produce', i + 1, produceBody(2, -1));
  c.settle();
  c.isolated.add(2);
  c.isolated.add(3);
  c.request(1, 'produce', 9, produceBody(2, 1)); // old, but above the HW: kept
  c.settle();
  t.is(c.get(1).ctx.hw, 6);
  c.advance(200);
  t.is(c.get(1).ctx.logStart, 6);
  t.deepEqual(c.stores.get(1)?.sortedOffsets('p/tid/0'), [6]);
  t.is(c.stores.get(1)?.meta.get('p/tid/0/logStart'), 6);
  c.request(1, 'fetch', 20, { replicaId: -1, fetchOffset: 2, lastFetchedEpoch: -1, maxWaitMs: 0, minBytes: 1, bytesMax: 1000 });
  c.settle();
  t.like(c.replies(20)[0], { body: { code: 'OFFSET_OUT_OF_RANGE', logStartOffset: 6, leo: 8 } });
});

test('listOffsets: earliest, latest (the HW) and by time', (t) => {
  const c = new Cluster(state({ replicas: [1], isr: [1] }), { configs: { minInsyncReplicas: 1 } });
  c.settle();
  c.request(1, 'produce', 1, produceBody(2, 1, {}, { firstTimestamp: 100, maxTimestamp: 100 }));
  c.request(1, 'produce', 2, produceBody(3, 1, {}, { firstTimestamp: 150, maxTimestamp: 200 }));
  c.request(1, 'produce', 3, produceBody(1, 1, {}, { firstTimestamp: 300, maxTimestamp: 300 }));
  c.settle();
  c.request(1, 'listOffsets', 10, { timestamp: -2 });
  c.request(1, 'listOffsets', 11, { timestamp: -1 });
  c.request(1, 'listOffsets', 12, { timestamp: 180 });
  c.request(1, 'listOffsets', 13, { timestamp: 1000 });
  c.settle();
  t.like(c.replies(10)[0], { type: 'listOffsetsReply', body: { code: 'OK', offset: 0 } });
  t.like(c.replies(11)[0], { body: { code: 'OK', offset: 6 } });
  t.like(c.replies(12)[0], { body: { code: 'OK', offset: 2, timestamp: 200 } });
  t.like(c.replies(13)[0], { body: { code: 'OK', offset: -1 } });
});

test('recovery rebuilds LEO, HW, epoch cache and producer state from storage', (t) => {
  const c = new Cluster(state({ replicas: [1], isr: [1], leaderEpoch: 3 }), { configs: { minInsyncReplicas: 1 } });
  c.settle();
  const idem = { producerId: 7, producerEpoch: 0, recordCount: 2, records: new Uint8Array(20) };
  c.request(1, 'produce', 1, produceBody(2, 1, {}, { ...idem, baseSequence: 0 }));
  c.request(1, 'produce', 2, produceBody(2, 1, {}, { ...idem, baseSequence: 2 }));
  c.settle();
  c.advance(150); // the HW checkpoint is written
  t.is(c.stores.get(1)?.meta.get('p/tid/0/hw'), 4);
  c.get(1).actor.stop();
  const store = c.stores.get(1) as MemoryStore;
  // A restart as leader of epoch 4.
  const again = new Replica(1, store, input(1, state({ replicas: [1], isr: [1], leaderEpoch: 4, partitionEpoch: 2 }),
    { configs: { minInsyncReplicas: 1 }, nowMs: c.nowMs }));
  t.is(again.stateValue, 'recovering');
  again.flushStorage();
  t.is(again.stateValue, 'leader');
  t.is(again.ctx.leo, 4);
  t.is(again.ctx.hw, 4);
  t.deepEqual(again.ctx.epochs, [{ epoch: 3, startOffset: 0 }, { epoch: 4, startOffset: 4 }]);
  t.deepEqual(store.meta.get('p/tid/0/epochs'), [[3, 0], [4, 4]], 'the new epoch is durable before produce opens');
  again.send({ type: 'produce', from: 'client/c1', corr: 3, acks: 1, timeoutMs: 1000, batch: { ...idem, baseSequence: 2, firstTimestamp: 1, maxTimestamp: 1 } });
  again.send({ type: 'produce', from: 'client/c1', corr: 4, acks: 1, timeoutMs: 1000, batch: { ...idem, baseSequence: 6, firstTimestamp: 1, maxTimestamp: 1 } });
  again.flushStorage();
  const replies = again.takeSent().filter((m) => m.type === 'produceReply');
  t.like(replies[0], { corr: 3, body: { code: 'OK', baseOffset: 2 } }, 'the retry is recognised after the restart');
  t.like(replies[1], { corr: 4, body: { code: 'OUT_OF_ORDER_SEQUENCE_NUMBER' } });
  t.is(again.ctx.leo, 4);
});

test('a log longer than one recovery read is scanned in several reads, the invariants holding after each', (t) => {
  // Seed 915011 at 30 s: the first restart of a replica whose log outgrew recoveryReadBytes failed the
  // tail cache's invariant between two reads of its scan.
  const knobs = { ...PARTITION_DEFAULTS.knobs, recoveryReadBytes: 200 };
  const leads = state({ replicas: [1], isr: [1], leaderEpoch: 3 });
  const c = new Cluster(leads, { configs: { minInsyncReplicas: 1 }, knobs });
  c.settle();
  for (let corr = 1; corr <= 12; corr++) c.request(1, 'produce', corr, produceBody(2, 1));
  c.settle();
  const before = c.get(1).ctx;
  t.is(before.leo, 24);
  t.true(before.tail.batches.bytes > 3 * knobs.recoveryReadBytes, `${before.tail.batches.bytes} bytes in the log`);
  c.get(1).actor.stop();
  const store = c.stores.get(1) as MemoryStore;
  const again = new Replica(1, store, input(1, { ...leads, partitionEpoch: 2 }, { configs: { minInsyncReplicas: 1 }, knobs, nowMs: c.nowMs }));
  again.flushStorage(); // the harness checks the invariants after every event
  t.true(again.reads >= 4, `${again.reads} reads`);
  t.is(again.stateValue, 'leader');
  t.is(again.ctx.leo, 24);
  t.is(again.logs.filter((l) => l.event === 'partitionRecovered').length, 1);
  t.deepEqual(again.ctx.tail.batches.items, before.tail.batches.items, 'the scan rebuilt the whole tail cache');
});

// Parallel replication: a follower's parked fetch is answered when the leader accepts a batch, not
// when the leader has stored it; the HW still counts the leader's stored LEO.
test('followers get a batch while the leader\'s write is under way; it is committed only once the leader has stored it too', (t) => {
  const c = new Cluster(state());
  c.settle();
  c.request(1, 'produce', 1, produceBody(2, -1));
  c.heldStorage.add(1);
  c.settle();
  const leader = c.get(1);
  t.is(leader.storage.length, 1, 'the leader\'s append is still in flight');
  t.deepEqual([c.get(2).ctx.leo, c.get(3).ctx.leo], [2, 2], 'both followers stored the batch meanwhile');
  t.like(leader.ctx.leader?.followers.get(2), { leo: 2 });
  t.is(leader.ctx.hw, 0, 'not committed: the leader has not stored it');
  t.deepEqual(c.replies(1), []);
  c.heldStorage.clear();
  c.settle();
  t.is(leader.ctx.hw, 2);
  t.like(c.replies(1)[0], { body: { code: 'OK', baseOffset: 0 } });
});

test('a leader whose append fails never leads that epoch again: it asks the controller to resign, and in the new epoch followers drop what it lost', (t) => {
  const c = new Cluster(state({ isr: [1, 2] }), { configs: { minInsyncReplicas: 1 } });
  c.settle();
  c.request(1, 'produce', 1, produceBody(2, -1));
  c.settle();
  const r = c.get(1);
  t.is(r.ctx.hw, 2);
  c.request(1, 'produce', 2, produceBody(3, -1));
  c.heldStorage.add(1);
  c.settle();
  c.heldStorage.clear();
  t.is(c.get(2).ctx.leo, 5, 'the follower already holds the batch whose write will fail');
  const append = r.appends[r.appends.length - 1] as { token?: number } | undefined;
  r.storage.length = 0; // The append never reaches the disk: it fails.
  r.send({ type: 'stored', token: append?.token ?? -1, error: 'IO_ERROR' });
  t.is(r.stateValue, 'recovering');
  t.like(r.takeSent().find((m) => m.type === 'produceReply' && m.corr === 2), { body: { code: 'NOT_LEADER' } }, 'the failed batch is never acknowledged');
  r.flushStorage();
  t.is(r.ctx.leo, 2, 'the log is what the disk holds');
  t.is(r.ctx.hw, 2, 'the HW this life reached does not go back to the missing checkpoint');
  t.is(r.stateValue, 'follower', 'the state still names it leader in epoch 1, which it abandoned');
  c.request(1, 'produce', 3, produceBody(1, -1));
  c.settle();
  t.like(c.replies(3)[0], { body: { code: 'NOT_LEADER' } }, 'no offset of epoch 1 is given out again');
  const asked = c.controllerInbox.filter((m) => m.type === 'resignLeadership');
  t.is(asked.length, 1);
  t.like(asked[0], { body: { topicId: 'tid', partition: 0, leaderId: 1, leaderEpoch: 1 } });
  c.advance(PARTITION_DEFAULTS.knobs.isrProposalTimeoutMs + 20, 20);
  t.is(c.controllerInbox.filter((m) => m.type === 'resignLeadership').length, 2, 'asked again while the state does not move on');
  // The controller keeps it leader (say node 2 is not alive) in a new epoch.
  const next = state({ isr: [1, 2], leaderEpoch: 2, partitionEpoch: 2 });
  for (const id of [1, 2, 3]) c.get(id).send({ type: 'metadataChanged', state: next });
  c.settle();
  t.is(r.stateValue, 'leader');
  c.request(1, 'produce', 4, produceBody(4, -1, { leaderEpoch: 2 }));
  c.advance(200);
  t.like(c.replies(4)[0], { body: { code: 'OK', baseOffset: 2 } });
  const follower = c.stores.get(2)?.batches('p/tid/0') ?? [];
  t.deepEqual(follower.map((b) => [b.baseOffset, b.lastOffset, b.leaderEpoch]), [[0, 1, 1], [2, 5, 2]], 'the follower dropped the lost batch and holds the new one');
  t.deepEqual(r.errors, []);
});

test('recovery takes HW = min(checkpoint, LEO) when the log lost its unsynced tail', (t) => {
  const store = new MemoryStore();
  const b = (base: number, n: number, epoch: number): StoredBatch => ({ baseOffset: base, lastOffset: base + n - 1, leaderEpoch: epoch,
    recordCount: n, firstTimestamp: 1, maxTimestamp: 1, producerId: -1, producerEpoch: -1, baseSequence: -1, records: new Uint8Array(4), bytes: 65 });
  store.log('p/tid/0').set(0, b(0, 3, 1));
  store.log('p/tid/0').set(3, b(3, 2, 2));
  store.meta.set('p/tid/0/hw', 9);
  store.meta.set('p/tid/0/epochs', [[1, 0], [2, 3], [3, 7]]);
  const r = new Replica(2, store, input(2, state()));
  r.flushStorage();
  t.is(r.stateValue, 'follower');
  t.is(r.ctx.leo, 5);
  t.is(r.ctx.hw, 5);
  t.deepEqual(r.ctx.epochs, [{ epoch: 1, startOffset: 0 }, { epoch: 2, startOffset: 3 }], 'epochs past the log end are dropped');
  const fetch = r.takeSent().find((m) => m.type === 'fetch');
  t.like(fetch, { to: replicaAddress('t', 0, 1), body: { replicaId: 2, fetchOffset: 5, lastFetchedEpoch: 2, leaderEpoch: 1 } });
});

test('a leader whose node lost its controller session resigns: waiting produces get NOT_LEADER, new ones too, until the session is back', (t) => {
  const c = new Cluster(state());
  c.settle();
  c.isolated.add(2);
  c.isolated.add(3);
  c.request(1, 'produce', 1, produceBody(1, -1, { timeoutMs: 60_000 }));
  c.settle();
  t.deepEqual(c.replies(1), [], 'waiting for the followers');
  c.get(1).send({ type: 'controllerUnreachable' });
  c.settle();
  t.like(c.replies(1)[0], { body: { code: 'NOT_LEADER' } }, 'the waiting acks=all produce is refused, never acknowledged');
  t.is(c.get(1).stateValue, 'follower');
  c.request(1, 'produce', 2, produceBody(1, -1));
  c.request(1, 'produce', 3, produceBody(1, 1));
  c.settle();
  t.like(c.replies(2)[0], { body: { code: 'NOT_LEADER' } });
  t.like(c.replies(3)[0], { body: { code: 'NOT_LEADER' } }, 'acks=1 too: a resigned leader stores nothing new');
  // A newer state that still names it leader does not make it lead while resigned.
  c.get(1).send({ type: 'metadataChanged', state: state({ partitionEpoch: 2 }) });
  t.is(c.get(1).stateValue, 'follower');
  c.isolated.clear();
  c.get(1).send({ type: 'controllerReachable' });
  c.settle();
  t.is(c.get(1).stateValue, 'leader', 'the controller still names it leader: it leads again, same epoch');
  c.request(1, 'produce', 4, produceBody(1, -1, { timeoutMs: 60_000 }));
  c.advance(2000);
  t.like(c.replies(4)[0], { body: { code: 'OK' } });
});

test('a resigned replica that the controller moved leadership away from follows the new leader when the session is back', (t) => {
  const c = new Cluster(state());
  c.settle();
  c.get(1).send({ type: 'controllerUnreachable' });
  const next = state({ leader: 2, leaderEpoch: 2, partitionEpoch: 2, isr: [2, 3] });
  for (const id of [2, 3]) c.get(id).send({ type: 'metadataChanged', state: next });
  c.get(1).send({ type: 'metadataChanged', state: next });
  c.get(1).send({ type: 'controllerReachable' });
  c.settle();
  t.is(c.get(1).stateValue, 'follower');
  t.is(c.get(1).ctx.follower?.leaderId, 2);
});

// A failover's followers often learn the new state before the new leader does: its refusal says
// it is behind (UNKNOWN_LEADER_EPOCH), and every acks=all write of the new leadership waits for
// the follower's next fetch. That retry comes within tens of milliseconds; a refusal from a newer
// state than the follower's (it is the one behind) waits for metadata with the slow backoff.
test('a follower refused by a leader that has not yet applied its leadership retries within tens of ms', (t) => {
  const c = new Cluster(state());
  c.settle();
  const next = state({ leader: 2, leaderEpoch: 2, partitionEpoch: 2 });
  c.get(3).send({ type: 'metadataChanged', state: next });
  c.settle();
  t.like(c.get(3).logs.filter((l) => l.event === 'fetchRefused').at(-1)?.detail, { code: 'NOT_LEADER', leaderId: 2, behind: true });
  const fast = (c.get(3).ctx.follower?.backoffUntilMs ?? 0) - c.nowMs;
  t.true(fast > 0 && fast < 2 * PARTITION_DEFAULTS.knobs.fetchLeaderBehindRetryMs, `retry after ${fast} ms`);
  for (const id of [1, 2]) c.get(id).send({ type: 'metadataChanged', state: next });
  c.settle();
  t.is(c.get(2).ctx.leader?.followers.get(3)?.leo, -1, 'the new leader has not heard the follower yet');
  c.advance(fast + 10);
  t.is(c.get(2).ctx.leader?.followers.get(3)?.leo, c.get(3).ctx.leo, 'right after the short retry it has');

  c.get(2).send({ type: 'metadataChanged', state: state({ leader: 2, leaderEpoch: 3, partitionEpoch: 3 }) });
  for (let waited = 0; waited < 2000 && c.get(3).logs.filter((l) => l.event === 'fetchRefused').length < 2; waited += 10) c.advance(10);
  t.like(c.get(3).logs.filter((l) => l.event === 'fetchRefused').at(-1)?.detail, { leaderId: 2, behind: false });
  const slow = (c.get(3).ctx.follower?.backoffUntilMs ?? 0) - c.nowMs;
  t.true(slow >= PARTITION_DEFAULTS.knobs.fetchRetryBackoffMs - 10, `the follower behind waits ${slow} ms for its metadata`);
});

// Seed 832856: a follower truncated a diverged tail that held an idempotent batch, copied the new
// leader's log back past its old end, then rebuilt from disk. The producers checkpoint from before
// the truncation covered less than the refilled log, so recovery took it as good, and a retry of
// that batch was answered with its old offset, which by then held other records.
test('a truncation rewrites the producers checkpoint: after a rebuild a retried batch gets its offset in the new log', (t) => {
  const knobs = { tickMs: 10, retentionCheckMs: 100, hwCheckpointMs: 100, producersCheckpointMs: 100 };
  const c = new Cluster(state(), { knobs });
  c.settle();
  const idempotent = (seq: number, records: number): Partial<BatchInput> => ({ producerId: 7, producerEpoch: 0, baseSequence: seq, recordCount: records });
  c.request(1, 'produce', 1, produceBody(2, -1, {}, idempotent(0, 2)));
  c.settle();
  t.like(c.replies(1)[0], { body: { code: 'OK', baseOffset: 0 } });
  // Node 1, cut off, appends sequence 2 at offsets 2-4 in epoch 1 and checkpoints its producers.
  c.request(1, 'produce', 2, produceBody(3, -1, { timeoutMs: 60_000 }, idempotent(2, 3)));
  c.isolated.add(1);
  c.advance(300);
  t.is(c.get(1).ctx.leo, 5);
  // Node 2 leads epoch 2: another producer's 4 records at 2-5, then the retried sequence 2 at 6-8.
  const next = state({ leader: 2, leaderEpoch: 2, partitionEpoch: 2, isr: [2, 3] });
  for (const id of [2, 3]) c.get(id).send({ type: 'metadataChanged', state: next });
  c.settle();
  c.request(2, 'produce', 3, produceBody(4, 1, { leaderEpoch: 2 }));
  c.request(2, 'produce', 4, produceBody(3, 1, { leaderEpoch: 2 }, idempotent(2, 3)));
  c.settle();
  t.like(c.replies(4)[0], { body: { code: 'OK', baseOffset: 6 } });
  // Node 1 follows node 2: truncates to 2, copies 2-8 (past its old end, 5), then rebuilds from disk.
  c.isolated.clear();
  c.get(1).send({ type: 'metadataChanged', state: next });
  c.settle(); // No time passes: no periodic checkpoint comes after the refill.
  t.is(c.get(1).ctx.leo, 9);
  const third = state({ leader: 1, leaderEpoch: 3, partitionEpoch: 3, isr: [1, 2, 3] });
  c.start(1, third, { knobs });
  for (const id of [2, 3]) c.get(id).send({ type: 'metadataChanged', state: third });
  c.advance(100);
  t.is(c.get(1).stateValue, 'leader');
  c.request(1, 'produce', 5, produceBody(3, 1, { leaderEpoch: 3 }, idempotent(2, 3)));
  c.advance(100);
  t.like(c.replies(5)[0], { body: { code: 'OK', baseOffset: 6 } }, 'the retry is a duplicate of the batch at 6, not of the one truncated at 2');
});

// Seed 300119 (5 % message loss, 2 s long polls): each lost follower fetch that the HW waited for
// stalled acks=all writes for the whole long poll, and the group's coordinator lost its members.
test('a follower\'s fetch that reports uncommitted progress polls briefly, so its loss stalls the HW for fetchProgressWaitMs, not the long poll', (t) => {
  const knobs = { tickMs: 10, fetchMaxWaitMs: 2000, fetchProgressWaitMs: 100, fetchTimeoutSlackMs: 50 };
  const c = new Cluster(state(), { knobs });
  c.settle();
  c.request(1, 'produce', 1, produceBody(2, -1, { timeoutMs: 60_000 }));
  // Follower 2 stores the batch and sends the fetch that reports it: that fetch is lost.
  let lost: SendParams | undefined;
  c.onSend = (from, m) => {
    if (from !== 2 || m.type !== 'fetch' || (m.body as { fetchOffset: number }).fetchOffset !== 2 || lost !== undefined) return true;
    lost = m;
    return false;
  };
  c.settle();
  t.like(lost, { body: { fetchOffset: 2, maxWaitMs: 100 } }, 'the fetch reporting the uncommitted batch polls briefly');
  t.is(c.get(1).ctx.hw, 0, 'the HW waits for follower 2');
  c.advance(200);
  t.is(c.get(1).ctx.hw, 2, 'the fetch was sent again after 100 + 50 ms');
  t.like(c.replies(1)[0], { body: { code: 'OK' } });
  c.advance(300);
  t.true((c.get(2).ctx.follower?.fetch?.deadlineMs ?? 0) - c.nowMs > 1000, 'with everything committed it long-polls again');
});

// Seed 924404 (5 % message loss, 2 s long polls, 2 KiB fetches): a replica copying a log it was
// far behind on was answered at once each time, yet every lost fetch cost it the whole long poll.
test('a follower behind the leader\'s HW polls briefly, so a fetch lost while it catches up costs fetchProgressWaitMs, not the long poll', (t) => {
  const knobs = { tickMs: 10, fetchMaxWaitMs: 2000, fetchProgressWaitMs: 100, fetchTimeoutSlackMs: 50, fetchBytesMax: 1 };
  const c = new Cluster(state({ isr: [1, 2] }), { knobs });
  c.isolated.add(3); // Cut off from the start, so it never catches up and joins the ISR before the test wants it to.
  c.advance(300);
  for (let i = 0; i < 4; i++) c.request(1, 'produce', 1, produceBody(2, -1, { timeoutMs: 60_000 }));
  c.advance(300);
  t.is(c.get(1).ctx.hw, 8, 'the ISR (1, 2) committed four batches without follower 3');
  c.isolated.delete(3);
  let lost: SendParams | undefined;
  let lostAtMs = -1;
  c.onSend = (from, m) => {
    const body = m.body as { fetchOffset: number; maxWaitMs: number };
    if (from !== 3 || m.type !== 'fetch' || body.fetchOffset === 0 || lost !== undefined) return true;
    lost = m;
    lostAtMs = c.nowMs;
    return false;
  };
  // Follower 3's fetch lost in the cut is sent again after the long poll, answered with the first
  // batch and the HW; the next fetch, behind that HW, is lost too. Step until it has copied the log.
  let caughtUpAtMs = -1;
  for (let i = 0; i < 600 && caughtUpAtMs < 0; i++) {
    c.advance(10);
    if (c.get(3).ctx.leo === 8) caughtUpAtMs = c.nowMs;
  }
  t.like(lost, { body: { fetchOffset: 2, maxWaitMs: 100 } }, 'the fetch behind the HW polls briefly');
  t.true(caughtUpAtMs > 0 && caughtUpAtMs - lostAtMs < 500, `caught up ${caughtUpAtMs - lostAtMs} ms after the loss (the lost fetch was sent again after 100 + 50 ms, not 2,050)`);
});

test('only the fetch that reports new progress polls briefly: a HW held back by another follower costs no polling', (t) => {
  const knobs = { tickMs: 10, fetchMaxWaitMs: 2000, fetchProgressWaitMs: 100, fetchTimeoutSlackMs: 50 };
  const c = new Cluster(state(), { knobs });
  c.advance(300); // The first fetches (new progress: a fresh session) and their answers.
  c.isolated.add(3);
  const waits: Array<[number, number]> = [];
  c.onSend = (from, m) => {
    const body = m.body as { fetchOffset: number; maxWaitMs: number };
    if (from === 2 && m.type === 'fetch') waits.push([body.fetchOffset, body.maxWaitMs]);
    return true;
  };
  c.request(1, 'produce', 1, produceBody(2, -1, { timeoutMs: 60_000 }));
  c.advance(500);
  t.is(c.get(1).ctx.hw, 0, 'the HW waits for follower 3');
  t.deepEqual(waits, [[2, 100], [2, 2000]], 'the report of offsets 0-1 polls briefly; the next fetch, with nothing new, long-polls');
});

test('a parked fetch waits its maxWaitMs from when it came, not from the replica\'s last tick', (t) => {
  const c = new Cluster(state());
  c.settle();
  c.isolated.add(2);
  c.isolated.add(3);
  // 400 ms pass with no tick (an idle replica ticks only at its deadlines); the host stamps the fetch with its arrival.
  c.nowMs += 400;
  c.request(1, 'fetch', 5, { replicaId: -1, fetchOffset: 0, lastFetchedEpoch: -1, maxWaitMs: 500, minBytes: 1, bytesMax: 1000 });
  c.settle();
  t.is(c.get(1).ctx.nowMs, 400, 'the replica\'s time moved with the message');
  c.tick(200);
  c.settle();
  t.deepEqual(c.replies(5), [], 'still parked 200 ms after it came (a wait counted from the last tick would have ended at 500)');
  c.tick(301);
  c.settle();
  t.like(c.replies(5)[0], { body: { code: 'OK', batches: [] } }, 'answered, empty, once its 500 ms have passed');
});
