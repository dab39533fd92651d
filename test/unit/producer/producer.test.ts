/**
 * Goal: the producer actor batches, partitions, retries and reports like Kafka's producer.
 * Method: the real machine with captured effects; the test plays every node (metadata answers,
 * partition leaders) and moves time with ticks.
 */
import test from 'ava';
import type { SendParams } from '../../../actors/effects.js';
import { invariants, nextTickAt, parseProducerMessage, producerMachine, type ProducerContext, type ProducerInput, type SendResult } from '../../../actors/producer.js';
import { decodeRecords } from '../../../actors/client/record-codec.js';
import { keyPartition } from '../../../actors/client/murmur2.js';
import { ClientHarness, bytes, metadataBody, text } from '../client/fake-cluster.js';
import { produceAddress, controllerVoter } from '../../../actors/kit/addresses.js';
import { producerKind } from '../../../runtime/sdk/kinds.js';

type Body = { acks: number; leaderEpoch: number; batch: { recordCount: number; producerId: number; producerEpoch: number;
  baseSequence: number; firstTimestamp: number; records: Uint8Array } };

function producer(input: Partial<ProducerInput> = {}): ClientHarness<ProducerContext> {
  return new ClientHarness<ProducerContext>(producerMachine,
    { clientId: 'p1', seed: 7, acks: 1, idempotent: false, lingerMs: 0, ...input }, parseProducerMessage, invariants);
}

/** Sends one request and answers the metadata request it triggers. */
function sendWithMetadata(h: ClientHarness<ProducerContext>, requestId: number, values: string[], leaders = [1], partition?: number): void {
  h.send({ type: 'send', requestId, topic: 't', ...(partition !== undefined ? { partition } : {}),
    records: values.map((v) => ({ value: bytes(v), timestamp: 1000 })) });
  const meta = h.take('metadata');
  if (meta.length > 0) h.reply(meta[0] as SendParams, metadataBody('t', leaders));
}

const body = (m: SendParams): Body => m.body as Body;
const ok = (baseOffset: number) => ({ code: 'OK', baseOffset, logStartOffset: 0 });

test('records sent within lingerMs go out as one produce, and each send gets its own offsets', (t) => {
  const h = producer({ lingerMs: 10 });
  sendWithMetadata(h, 1, ['a']);
  h.send({ type: 'send', requestId: 2, topic: 't', records: [{ value: bytes('b'), timestamp: 1001 }, { value: bytes('c'), timestamp: 1002 }] });
  h.tick(5);
  t.is(h.take('produce').length, 0, 'still lingering');
  h.tick(5);
  const produce = h.takeOne('produce');
  t.is(produce.to, produceAddress('t', 0, 1));
  t.is(body(produce).batch.recordCount, 3);
  const decoded = decodeRecords(body(produce).batch.records, 0, body(produce).batch.firstTimestamp);
  t.true(decoded.ok);
  if (decoded.ok) t.deepEqual(decoded.records.map((r) => [text(r.value), r.timestamp]), [['a', 1000], ['b', 1001], ['c', 1002]]);
  h.reply(produce, ok(100));
  t.deepEqual(h.takeDelivered(), [
    { requestId: 1, result: { ok: true, partitions: [0], offsets: [100] } },
    { requestId: 2, result: { ok: true, partitions: [0, 0], offsets: [101, 102] } },
  ]);
});

test('the tick comes when the linger ends, not at the next 50 ms tick: nextTickAt names the open batch\'s deadline', (t) => {
  const h = producer({ lingerMs: 3 });
  t.is(nextTickAt(h.ctx), Infinity, 'nothing open: no deadline sooner than the tick');
  h.tick(2);
  sendWithMetadata(h, 1, ['a']);
  t.is(nextTickAt(h.ctx), 5, 'the batch opened at 2 lingers until 5');
  h.tick(2);
  t.is(h.take('produce').length, 0, 'still lingering at 4');
  h.tick(1);
  t.is(body(h.takeOne('produce')).batch.recordCount, 1, 'sent at 5, when the host ticks');
  t.is(nextTickAt(h.ctx), 205, 'in flight since 5: overdue at 205, when the leader watch re-reads metadata');
  h.tick(200);
  t.is(h.take('metadata').length, 1, 'overdue: metadata is read again');
  t.is(nextTickAt(h.ctx), 305, 'still unanswered: the next check is one period later');
  t.is(producerKind.nextTickAt as unknown, nextTickAt as unknown, 'the host asks the producer kind for it');
});

test('batchBytes closes a batch: many records make few produces, not one per record', (t) => {
  const h = producer({ batchBytes: 200, lingerMs: 1000 });
  sendWithMetadata(h, 1, Array.from({ length: 20 }, (_, i) => `value-${i}-${'x'.repeat(20)}`));
  const produces = h.take('produce');
  t.true(produces.length >= 2 && produces.length < 20, `${produces.length} produces`);
  const sentCount = produces.reduce((n, p) => n + body(p).batch.recordCount, 0);
  t.true(sentCount < 20, 'full batches went out; the last one lingers');
  for (const p of produces) t.true(body(p).batch.recordCount > 1 && body(p).batch.records.byteLength <= 200);
  h.tick(1000);
  const last = h.takeOne('produce');
  t.is(body(last).batch.recordCount, 20 - sentCount);
  let offset = 0;
  for (const p of [...produces, last]) { h.reply(p, ok(offset)); offset += body(p).batch.recordCount; }
  const [delivery] = h.takeDelivered();
  t.deepEqual((delivery?.result as SendResult & { ok: true }).offsets, Array.from({ length: 20 }, (_, i) => i));
});

test('acks=0 is delivered once sent, with unknown offsets; acks travel in the request', (t) => {
  const h0 = producer({ acks: 0 });
  sendWithMetadata(h0, 1, ['a']);
  t.is(body(h0.takeOne('produce')).acks, 0);
  t.deepEqual(h0.takeDelivered(), [{ requestId: 1, result: { ok: true, partitions: [0], offsets: [-1] } }]);
  const hAll = producer({ acks: -1 });
  sendWithMetadata(hAll, 1, ['a']);
  t.is(body(hAll.takeOne('produce')).acks, -1);
  t.deepEqual(hAll.takeDelivered(), [], 'acks=all waits for the reply');
});

test('NOT_LEADER refreshes metadata and retries at the new leader after a backoff', (t) => {
  const h = producer();
  sendWithMetadata(h, 1, ['a']);
  const first = h.takeOne('produce');
  h.reply(first, { code: 'NOT_LEADER', leaderId: 2, leaderEpoch: 2 });
  const meta = h.takeOne('metadata');
  h.reply(meta, metadataBody('t', [2], 2));
  t.is(h.take('produce').length, 0, 'backing off');
  h.tick(1000);
  const retry = h.takeOne('produce');
  t.is(retry.to, produceAddress('t', 0, 2));
  t.is(body(retry).leaderEpoch, 2);
  t.deepEqual(body(retry).batch.records, body(first).batch.records, 'the same encoded batch');
  h.reply(retry, ok(5));
  t.deepEqual(h.takeDelivered(), [{ requestId: 1, result: { ok: true, partitions: [0], offsets: [5] } }]);
});

test('until a leader has answered, produces go fail-fast: nobody listening (UNKNOWN_ADDRESS) is retried after a backoff, then plain sends', (t) => {
  const h = producer({ acks: 1, idempotent: false });
  sendWithMetadata(h, 1, ['a']);
  const first = h.takeOne('produce');
  t.true(first.failFast, 'a leader not heard from yet: the transport is asked to say when nothing listens');
  h.reply(first, { code: 'UNKNOWN_ADDRESS', message: 'nothing listens' });
  t.is(h.take('produce').length, 0, 'backing off');
  h.reply(h.takeOne('metadata'), metadataBody('t', [1]));
  h.tick(1000);
  const retry = h.takeOne('produce');
  t.true(retry.failFast, 'still not heard from');
  t.deepEqual(body(retry).batch.records, body(first).batch.records, 'the same batch');
  h.reply(retry, ok(7));
  t.deepEqual(h.takeDelivered(), [{ requestId: 1, result: { ok: true, partitions: [0], offsets: [7] } }]);
  h.send({ type: 'send', requestId: 2, topic: 't', partition: 0, records: [{ value: bytes('b'), timestamp: 1 }] });
  h.tick(10);
  t.is(h.takeOne('produce').failFast, undefined, 'the leader answered once: plain publishes from now on');
});

/** An idempotent producer whose first batch (sequence 0, record 'x') its leader acknowledged at offset 0: later batches pipeline. */
function primed(h: ClientHarness<ProducerContext>, producerId: number, producerEpoch = 0): void {
  sendWithMetadata(h, 100, ['x']);
  h.reply(h.takeOne('initProducerId'), { code: 'OK', producerId, producerEpoch }, controllerVoter(1));
  const first = h.takeOne('produce');
  const baseSequence = body(first).batch.baseSequence;
  if (baseSequence !== 0) throw new Error(`the first batch of a producer id starts at sequence 0, not ${baseSequence}`);
  h.reply(first, ok(0));
  h.takeDelivered();
}

test('idempotent: producer id first; one batch at a time until the leader acknowledged one of that id', (t) => {
  const h = producer({ acks: -1, idempotent: true });
  sendWithMetadata(h, 1, ['a', 'b']);
  t.is(h.take('produce').length, 0, 'no produce before a producer id');
  h.reply(h.takeOne('initProducerId'), { code: 'OK', producerId: 42, producerEpoch: 3 }, controllerVoter(1));
  h.send({ type: 'send', requestId: 2, topic: 't', records: [{ value: bytes('c'), timestamp: 1 }] });
  const first = h.take('produce');
  // A leader that knows nothing of producer 42 accepts any sequence: sequence 2 must not overtake 0.
  t.deepEqual(first.map((p) => [body(p).batch.producerId, body(p).batch.producerEpoch, body(p).batch.baseSequence]), [[42, 3, 0]]);
  h.reply(first[0] as SendParams, ok(5));
  t.deepEqual(h.take('produce').map((p) => body(p).batch.baseSequence), [2]);
});

test('idempotent: retries after a timeout keep producer id, epoch and sequences, in order', (t) => {
  const h = producer({ acks: -1, idempotent: true, requestTimeoutMs: 100 });
  primed(h, 42, 3);
  h.send({ type: 'send', requestId: 1, topic: 't', records: [{ value: bytes('a'), timestamp: 1 }, { value: bytes('b'), timestamp: 1 }] });
  h.send({ type: 'send', requestId: 2, topic: 't', records: [{ value: bytes('c'), timestamp: 1 }] });
  const sent = h.take('produce').map((p) => body(p).batch);
  t.deepEqual(sent.map((b) => [b.producerId, b.producerEpoch, b.baseSequence, b.recordCount]), [[42, 3, 1, 2], [42, 3, 3, 1]]);
  h.tick(100); // Both time out: both go back, in order.
  h.reply(h.takeOne('metadata'), metadataBody('t', [1]));
  h.tick(1000);
  const resent = h.take('produce');
  t.deepEqual(resent.map((p) => [body(p).batch.producerId, body(p).batch.baseSequence]), [[42, 1], [42, 3]]);
  h.reply(resent[0] as SendParams, ok(7)); // A duplicate answered with its original offset.
  h.reply(resent[1] as SendParams, ok(9));
  t.deepEqual(h.takeDelivered().map((d) => d.result), [{ ok: true, partitions: [0, 0], offsets: [7, 8] }, { ok: true, partitions: [0], offsets: [9] }]);
});

test('idempotent: a batch behind a gap goes back and follows once the earlier batch is answered', (t) => {
  const h = producer({ acks: -1, idempotent: true });
  primed(h, 1);
  h.send({ type: 'send', requestId: 1, topic: 't', records: [{ value: bytes('a'), timestamp: 1 }] });
  h.send({ type: 'send', requestId: 2, topic: 't', records: [{ value: bytes('b'), timestamp: 1 }] });
  const [first, second] = h.take('produce');
  h.reply(second as SendParams, { code: 'OUT_OF_ORDER_SEQUENCE_NUMBER', message: 'expected 1' });
  t.deepEqual(h.takeDelivered(), []);
  t.deepEqual(h.take('produce'), [], 'held while the earlier batch is unanswered: sent now it could overtake it again');
  h.reply(first as SendParams, ok(1));
  t.deepEqual(h.take('produce').map((p) => body(p).batch.baseSequence), [2]);
});

test('idempotent: a refusal behind a gap overtaken by the earlier batch\'s OK is still retried', (t) => {
  const h = producer({ acks: -1, idempotent: true });
  primed(h, 1);
  h.send({ type: 'send', requestId: 1, topic: 't', records: [{ value: bytes('a'), timestamp: 1 }] });
  h.send({ type: 'send', requestId: 2, topic: 't', records: [{ value: bytes('b'), timestamp: 1 }] });
  const [first, second] = h.take('produce');
  // On a network that reorders, the OK of sequence 1 arrives before the refusal sequence 2 got
  // while sequence 1 had not reached the leader yet: sequence 2 is now the oldest, but it left behind a gap.
  h.reply(first as SendParams, ok(1));
  h.reply(second as SendParams, { code: 'OUT_OF_ORDER_SEQUENCE_NUMBER', message: 'expected 1' });
  t.deepEqual(h.takeDelivered().map((d) => d.requestId), [1], 'only the first send settled; the second is not failed');
  const retry = h.take('produce');
  t.deepEqual(retry.map((p) => body(p).batch.baseSequence), [2]);
  h.reply(retry[0] as SendParams, ok(2));
  t.deepEqual(h.takeDelivered().map((d) => d.result), [{ ok: true, partitions: [0], offsets: [2] }]);
});

test('idempotent: a batch stuck behind one whose delivery timed out fails as timed out (retriable), not out of order', (t) => {
  const h = producer({ acks: -1, idempotent: true, requestTimeoutMs: 2000, deliveryTimeoutMs: 1000 });
  primed(h, 1);
  h.send({ type: 'send', requestId: 1, topic: 't', records: [{ value: bytes('a'), timestamp: 1 }] });
  h.tick(500);
  h.send({ type: 'send', requestId: 2, topic: 't', records: [{ value: bytes('b'), timestamp: 1 }] });
  const [, second] = h.take('produce');
  h.tick(600); // Sequence 1 reaches its delivery timeout unanswered: written or not, nobody knows.
  t.deepEqual(h.takeDelivered().map((d) => [d.requestId, (d.result as { code?: string }).code]), [[1, 'REQUEST_TIMED_OUT']]);
  h.reply(second as SendParams, { code: 'OUT_OF_ORDER_SEQUENCE_NUMBER', message: 'expected sequence 1, got 2' });
  const [failed] = h.takeDelivered();
  t.is(failed?.requestId, 2);
  t.like(failed?.result, { ok: false, code: 'REQUEST_TIMED_OUT' }, 'an unknown outcome, like the batch it depended on');
});

test('idempotent: a batch refused behind a gap after its own delivery timeout fails as timed out, not out of order', (t) => {
  const h = producer({ acks: -1, idempotent: true, requestTimeoutMs: 2000, deliveryTimeoutMs: 1000 });
  primed(h, 1);
  h.send({ type: 'send', requestId: 1, topic: 't', records: [{ value: bytes('a'), timestamp: 1 }] });
  h.send({ type: 'send', requestId: 2, topic: 't', records: [{ value: bytes('b'), timestamp: 1 }] });
  const [, second] = h.take('produce');
  // No tick: the refusal itself comes at the delivery deadline (the host stamps it), while sequence 1 is unanswered.
  h.nowMs = 1000;
  h.reply(second as SendParams, { code: 'OUT_OF_ORDER_SEQUENCE_NUMBER', message: 'expected sequence 1, got 2' });
  const [failed] = h.takeDelivered();
  t.is(failed?.requestId, 2);
  t.like(failed?.result, { ok: false, code: 'REQUEST_TIMED_OUT' }, 'behind a gap its outcome is unknown: a retriable timeout, never a final out-of-order error');
});

test('idempotent: a new producer id waits until the old one has no batch in flight, so order holds', (t) => {
  const h = producer({ acks: -1, idempotent: true });
  primed(h, 1);
  h.send({ type: 'send', requestId: 1, topic: 't', records: [{ value: bytes('a'), timestamp: 1 }] });
  h.send({ type: 'send', requestId: 2, topic: 't', records: [{ value: bytes('b'), timestamp: 1 }] });
  const [first, second] = h.take('produce');
  // The oldest batch fails for good: its gap can never be filled, so the producer takes a new id.
  h.reply(first as SendParams, { code: 'OUT_OF_ORDER_SEQUENCE_NUMBER', message: 'expected 7' });
  h.reply(h.takeOne('initProducerId'), { code: 'OK', producerId: 2, producerEpoch: 0 });
  h.send({ type: 'send', requestId: 3, topic: 't', records: [{ value: bytes('c'), timestamp: 2 }] });
  t.deepEqual(h.take('produce'), [], 'sequence 0 of the new id would be written before the old id\'s batch');
  h.reply(second as SendParams, ok(10));
  const next = h.take('produce').map((p) => body(p).batch);
  t.deepEqual(next.map((b) => [b.producerId, b.baseSequence]), [[2, 0]]);
});

test('idempotent: while the oldest batch is unanswered, at most maxInFlight batches are sent past it', (t) => {
  const h = producer({ acks: -1, idempotent: true, maxInFlight: 3 });
  primed(h, 1);
  for (const [i, v] of ['a', 'b', 'c'].entries()) h.send({ type: 'send', requestId: i + 1, topic: 't', records: [{ value: bytes(v), timestamp: 1 }] });
  const [oldest, ...later] = h.take('produce');
  // Replies can overtake each other: the later batches are answered, the oldest is not (yet).
  for (const [i, p] of later.entries()) h.reply(p, ok(11 + i));
  h.send({ type: 'send', requestId: 4, topic: 't', records: [{ value: bytes('d'), timestamp: 1 }] });
  t.deepEqual(h.take('produce'), [], 'a retry of the oldest must stay within what the leader remembers');
  h.reply(oldest as SendParams, ok(10));
  t.deepEqual(h.take('produce').map((p) => body(p).batch.baseSequence), [4]);
});

test('a non-retriable error is delivered with its code and the partition it was for', (t) => {
  const h = producer();
  sendWithMetadata(h, 1, ['a']);
  h.reply(h.takeOne('produce'), { code: 'MESSAGE_TOO_LARGE', message: 'too big' });
  t.deepEqual(h.takeDelivered(), [{ requestId: 1, result: { ok: false, code: 'MESSAGE_TOO_LARGE', message: 't-0: too big', topic: 't', partition: 0 } }]);
  t.is(h.take('produce').length, 0);
  t.is(h.ctx.bufferedBytes, 0);
});

test('no reply within requestTimeoutMs: retried as REQUEST_TIMED_OUT, a late reply to the old attempt is ignored', (t) => {
  const h = producer({ requestTimeoutMs: 50 });
  sendWithMetadata(h, 1, ['a']);
  const first = h.takeOne('produce');
  h.tick(50);
  h.reply(h.takeOne('metadata'), metadataBody('t', [1]));
  h.tick(1000);
  const retry = h.takeOne('produce');
  t.not(retry.corr, first.corr);
  h.reply(first, ok(1));
  t.deepEqual(h.takeDelivered(), [], 'the abandoned attempt does not settle');
  h.reply(retry, ok(1));
  t.deepEqual(h.takeDelivered(), [{ requestId: 1, result: { ok: true, partitions: [0], offsets: [1] } }]);
});

test('retries run out at deliveryTimeoutMs: timed out (retriable), naming the last error', (t) => {
  const h = producer({ deliveryTimeoutMs: 500 });
  sendWithMetadata(h, 1, ['a']);
  h.reply(h.takeOne('produce'), { code: 'NOT_ENOUGH_REPLICAS' });
  h.tick(600);
  t.deepEqual(h.takeDelivered(), [{ requestId: 1, result: { ok: false, code: 'REQUEST_TIMED_OUT',
    message: 't-0: not delivered within 500 ms (last error NOT_ENOUGH_REPLICAS: fewer in-sync replicas than min.insync.replicas)', topic: 't', partition: 0 } }]);
});

test('flush waits for every earlier send, and sends what lingers at once', (t) => {
  const h = producer({ lingerMs: 10_000 });
  sendWithMetadata(h, 1, ['a']);
  h.send({ type: 'flush', requestId: 2 });
  const produce = h.takeOne('produce');
  t.deepEqual(h.takeDelivered(), [], 'flush pending');
  h.reply(produce, ok(0));
  t.deepEqual(h.takeDelivered().map((d) => d.requestId), [1, 2]);
  h.send({ type: 'flush', requestId: 3 });
  t.deepEqual(h.takeDelivered(), [{ requestId: 3, result: { ok: true } }], 'nothing pending: at once');
});

test('close flushes, then refuses sends', (t) => {
  const h = producer({ lingerMs: 10_000 });
  sendWithMetadata(h, 1, ['a']);
  h.send({ type: 'close', requestId: 2 });
  h.reply(h.takeOne('produce'), ok(0));
  t.deepEqual(h.takeDelivered().map((d) => d.requestId), [1, 2]);
  h.send({ type: 'send', requestId: 3, topic: 't', records: [{ value: null, timestamp: 1 }] });
  t.like(h.takeDelivered()[0]?.result, { ok: false, code: 'CLIENT_CLOSED' });
});

test('keyed records go where murmur2 puts them; an explicit partition wins', (t) => {
  const h = producer();
  h.send({ type: 'send', requestId: 1, topic: 't', records: [{ key: bytes('user-1'), value: null, timestamp: 1 }, { key: bytes('a'), value: null, timestamp: 1 }] });
  h.reply(h.takeOne('metadata'), metadataBody('t', [1, 1, 2, 2, 3, 3]));
  const targets = h.take('produce').map((p) => p.to).sort();
  t.deepEqual(targets, [produceAddress('t', keyPartition(bytes('a'), 6), [1, 1, 2, 2, 3, 3][keyPartition(bytes('a'), 6)] as number), produceAddress('t', 2, 2)].sort());
  sendWithMetadata(h, 2, ['x'], [1, 1, 2, 2, 3, 3], 5);
  t.is(h.takeOne('produce').to, produceAddress('t', 5, 3));
});

test('an unknown topic fails with UNKNOWN_TOPIC_OR_PARTITION after deliveryTimeoutMs; refreshes back off meanwhile', (t) => {
  const h = producer({ deliveryTimeoutMs: 2000 });
  h.send({ type: 'send', requestId: 1, topic: 'nope', records: [{ value: null, timestamp: 1 }] });
  h.reply(h.takeOne('metadata'), { ...metadataBody('t', [1]) });
  h.tick(10);
  t.is(h.take('metadata').length, 0, 'backing off');
  h.tick(1000);
  t.is(h.take('metadata').length, 1, 'asked again');
  h.tick(1000);
  t.deepEqual(h.takeDelivered().map((d) => (d.result as { code: string }).code), ['UNKNOWN_TOPIC_OR_PARTITION']);
});

test('a send past bufferBytesMax is refused with BUFFER_FULL', (t) => {
  const h = producer({ bufferBytesMax: 100, batchBytes: 100 });
  h.send({ type: 'send', requestId: 1, topic: 't', records: [{ value: new Uint8Array(60), timestamp: 1 }] });
  h.send({ type: 'send', requestId: 2, topic: 't', records: [{ value: new Uint8Array(60), timestamp: 1 }] });
  t.like(h.takeDelivered()[0], { requestId: 2, result: { ok: false, code: 'BUFFER_FULL' } });
});

test('partitions without a leader wait; unkeyed records stick to a partition with a leader', (t) => {
  const h = producer({ lingerMs: 100 });
  sendWithMetadata(h, 1, ['a', 'b', 'c'], [-1, 2]);
  h.tick(100);
  const produce = h.takeOne('produce');
  t.is(produce.to, produceAddress('t', 1, 2));
  t.is(body(produce).batch.recordCount, 3, 'one sticky batch');
});

test('an attempt unanswered for 200 ms re-reads metadata; a moved leader epoch sends it to the new leader at once', (t) => {
  const h = producer({ acks: -1, requestTimeoutMs: 30_000, retryBackoffMs: 10 });
  sendWithMetadata(h, 1, ['a'], [1]);
  const first = h.takeOne('produce');
  t.is(first.to, produceAddress('t', 0, 1));
  h.tick(100);
  t.is(h.take('metadata').length, 0, 'not overdue yet');
  h.tick(120);
  const meta = h.takeOne('metadata');
  h.reply(meta, metadataBody('t', [1], 1)); // Same leader, same epoch: the attempt keeps waiting.
  h.tick(20);
  t.is(h.take('produce').length, 0);
  h.tick(200);
  h.reply(h.takeOne('metadata'), metadataBody('t', [2], 2)); // The controller elected node 2 in epoch 2.
  h.tick(50);
  const retry = h.takeOne('produce');
  t.is(retry.to, produceAddress('t', 0, 2));
  t.is(body(retry).leaderEpoch, 2);
  h.reply(first, ok(3)); // The old leader's late answer is ignored: the attempt was abandoned.
  t.deepEqual(h.takeDelivered(), []);
  h.reply(retry, ok(4));
  t.deepEqual(h.takeDelivered(), [{ requestId: 1, result: { ok: true, partitions: [0], offsets: [4] } }]);
});

test('adaptiveLinger: a batch goes at once when its partition has nothing in flight, and lingers only behind a request', (t) => {
  const h = producer({ acks: -1, lingerMs: 100, adaptiveLinger: true });
  sendWithMetadata(h, 1, ['a'], [1], 0);
  const first = h.takeOne('produce');
  t.is(body(first).batch.recordCount, 1, 'no lingering on an idle partition');
  h.send({ type: 'send', requestId: 2, topic: 't', partition: 0, records: [{ value: bytes('b'), timestamp: 1 }] });
  h.send({ type: 'send', requestId: 3, topic: 't', partition: 0, records: [{ value: bytes('c'), timestamp: 1 }] });
  h.tick(10);
  t.is(h.take('produce').length, 0, 'behind a request in flight, records accumulate');
  h.reply(first, ok(0));
  const second = h.takeOne('produce');
  t.is(body(second).batch.recordCount, 2, 'the accumulated batch goes when the pipe is idle again');
  h.reply(second, ok(1));
  t.deepEqual(h.takeDelivered().map((d) => d.requestId), [1, 2, 3]);
});

test('idempotent: a producer id refused for good fails the sends waiting for it, and a later send asks again', (t) => {
  const h = producer({ acks: -1, idempotent: true, deliveryTimeoutMs: 60_000 });
  sendWithMetadata(h, 1, ['a']);
  h.reply(h.takeOne('initProducerId'), { code: 'CLUSTER_AUTHORIZATION_FAILED', message: 'refused' }, controllerVoter(1));
  t.deepEqual(h.takeDelivered(), [{ requestId: 1, result: { ok: false, code: 'CLUSTER_AUTHORIZATION_FAILED', message: 't-0: refused', topic: 't', partition: 0 } }]);
  t.is(h.take('produce').length, 0, 'nothing was produced without a producer id');
  h.send({ type: 'send', requestId: 2, topic: 't', records: [{ value: bytes('b'), timestamp: 1 }] });
  h.tick(1_000);
  h.reply(h.takeOne('initProducerId'), { code: 'COORDINATOR_NOT_AVAILABLE' }, controllerVoter(1));
  t.deepEqual(h.takeDelivered(), [], 'a retriable refusal keeps the send waiting');
});

test('the invariants catch buffered bytes and a send\'s record count that disagree with the batches', (t) => {
  const h = producer({ lingerMs: 10 });
  sendWithMetadata(h, 1, ['a', 'b']);
  h.send({ type: 'send', requestId: 2, topic: 't', records: [{ value: bytes('c'), timestamp: 1001 }] });
  t.notThrows(() => invariants(h.ctx), 'two sends, their records in the open batch');
  t.throws(() => invariants({ ...h.ctx, bufferedBytes: h.ctx.bufferedBytes + 1 }), { message: /buffered bytes/ });
  const sends = { ...h.ctx.sends, chunks: new Map([...h.ctx.sends.chunks].map(([id, chunk]) => [id, new Map([...chunk].map(([arrival, send]) =>
    [arrival, send.requestId === 2 ? { ...send, unsettled: send.unsettled + 1 } : send]))])) };
  t.throws(() => invariants({ ...h.ctx, sends }), { message: /send 2 records all in batches/ });
});
