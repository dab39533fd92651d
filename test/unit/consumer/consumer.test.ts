/**
 * Goal: the consumer actor resolves positions, fetches from leaders and hands out records in
 * order, reacting to leader moves, out-of-range offsets and pauses like Kafka's consumer.
 * Method: the real machine with captured effects; the test plays the metadata nodes and the
 * partition leader, building fetch answers with the real record codec.
 */
import test from 'ava';
import { consumerMachine, invariants, nextTickAt, parseConsumerMessage, type ConsumerContext, type ConsumerInput, type PollResult } from '../../../actors/consumer.js';
import { consumerKind } from '../../../runtime/sdk/kinds.js';
import { encodeRecords } from '../../../actors/client/record-codec.js';
import { ClientHarness, bytes, metadataBody, text } from '../client/fake-cluster.js';
import { fetchAddress } from '../../../actors/kit/addresses.js';

function consumer(input: Partial<ConsumerInput> = {}): ClientHarness<ConsumerContext> {
  return new ClientHarness<ConsumerContext>(consumerMachine, { clientId: 'c1', seed: 3, ...input }, parseConsumerMessage, invariants);
}

function batch(baseOffset: number, values: string[]): Record<string, unknown> {
  return { baseOffset, lastOffset: baseOffset + values.length - 1, leaderEpoch: 1, recordCount: values.length, firstTimestamp: 100,
    maxTimestamp: 100, producerId: -1, producerEpoch: -1, baseSequence: -1,
    records: encodeRecords(values.map((v) => ({ key: bytes(`k-${v}`), value: bytes(v), timestamp: 100 })), 100) };
}

const fetchOk = (batches: Array<Record<string, unknown>>, hw = 100) => ({ code: 'OK', hw, logStartOffset: 0, batches });
const values = (d: { result: unknown } | undefined): Array<[number, string | null]> =>
  ((d?.result as PollResult & { ok: true }).records).map((r) => [r.offset, text(r.value)]);

/** Assigns t/0 at `offset` and answers the metadata request (leader node 1). */
function assigned(h: ClientHarness<ConsumerContext>, offset: number | 'earliest' | 'latest'): void {
  h.send({ type: 'assign', requestId: 1, partitions: [{ topic: 't', partition: 0, offset }] });
  t0(h.takeDelivered()[0]?.result);
  h.reply(h.takeOne('metadata'), metadataBody('t', [1]));
}
function t0(result: unknown): void { if ((result as { ok: boolean }).ok !== true) throw new Error('assign refused'); }

test('assign earliest resolves through listOffsets, then records come back in order', (t) => {
  const h = consumer();
  assigned(h, 'earliest');
  const list = h.takeOne('listOffsets');
  t.is(list.to, fetchAddress('t', 0, 1));
  t.deepEqual(list.body, { timestamp: -2, leaderEpoch: 1 });
  h.reply(list, { code: 'OK', offset: 10 });
  const fetch = h.takeOne('fetch');
  t.like(fetch.body, { replicaId: -1, fetchOffset: 10, lastFetchedEpoch: -1, leaderEpoch: 1 });
  h.send({ type: 'poll', requestId: 2, maxRecords: 100 });
  t.deepEqual(h.takeDelivered(), [], 'the poll is held until data arrives');
  h.reply(fetch, fetchOk([batch(10, ['a', 'b']), batch(12, ['c'])]));
  const [delivery] = h.takeDelivered();
  t.deepEqual(values(delivery), [[10, 'a'], [11, 'b'], [12, 'c']]);
  const record = (delivery?.result as PollResult & { ok: true }).records[0];
  t.like(record, { topic: 't', partition: 0, timestamp: 100, headers: [] });
  t.is(text(record?.key ?? null), 'k-a');
  t.like(h.takeOne('fetch').body, { fetchOffset: 13 }, 'the next fetch continues after the last batch');
});

test('until the leader has answered, requests go fail-fast: nobody listening (UNKNOWN_ADDRESS) is retried after a backoff', (t) => {
  const h = consumer();
  assigned(h, 'earliest');
  const list = h.takeOne('listOffsets');
  t.true(list.failFast, 'a leader not heard from yet: the transport is asked to say when nothing listens');
  h.reply(list, { code: 'UNKNOWN_ADDRESS', message: 'nothing listens' });
  t.is(h.take('listOffsets').length, 0, 'backing off');
  h.reply(h.takeOne('metadata'), metadataBody('t', [1]));
  h.tick(1000);
  const again = h.takeOne('listOffsets');
  t.true(again.failFast, 'still not heard from');
  h.reply(again, { code: 'OK', offset: 3 });
  const fetch = h.takeOne('fetch');
  t.like(fetch.body, { fetchOffset: 3 });
  t.is(fetch.failFast, undefined, 'the leader answered once: plain publishes from now on');
});

test('nextTickAt names what waits on time: a poll\'s timeout, a partition\'s retry, a fetch becoming overdue', (t) => {
  const h = consumer({ maxWaitMs: 500 });
  t.is(consumerKind.nextTickAt as unknown, nextTickAt as unknown, 'the host asks the consumer kind for it');
  t.is(nextTickAt(h.ctx), Infinity, 'nothing assigned, no poll: the regular tick is enough');
  assigned(h, 0);
  const fetch = h.takeOne('fetch');
  const sentMs = h.ctx.nowMs;
  t.is(nextTickAt(h.ctx), sentMs + 500 + 200, 'a fetch is overdue once the leader could have held it and 200 ms more');
  h.send({ type: 'poll', requestId: 2, maxRecords: 10, timeoutMs: 30 });
  t.is(nextTickAt(h.ctx), sentMs + 30, 'the poll times out first');
  h.tick(30);
  t.deepEqual(values(h.takeDelivered()[0]), [], 'answered empty at its timeout');
  h.reply(fetch, { code: 'NOT_LEADER', message: 'moved' });
  const retryAtMs = h.ctx.partitions.get('t/0')?.retryAtMs ?? NaN;
  t.true(retryAtMs > h.ctx.nowMs, 'backing off');
  t.is(nextTickAt(h.ctx), retryAtMs, 'the retry comes when the backoff ends');
});

test('a first batch that starts below the fetch offset is skipped up to it', (t) => {
  const h = consumer();
  assigned(h, 7);
  const fetch = h.takeOne('fetch');
  t.like(fetch.body, { fetchOffset: 7 });
  h.reply(fetch, fetchOk([batch(5, ['x5', 'x6', 'x7', 'x8'])]));
  h.send({ type: 'poll', requestId: 2, maxRecords: 10 });
  t.deepEqual(values(h.takeDelivered()[0]), [[7, 'x7'], [8, 'x8']]);
});

test('maxRecords bounds a poll; the rest waits for the next poll', (t) => {
  const h = consumer();
  assigned(h, 0);
  h.reply(h.takeOne('fetch'), fetchOk([batch(0, ['a', 'b', 'c'])]));
  h.send({ type: 'poll', requestId: 2, maxRecords: 2 });
  h.send({ type: 'poll', requestId: 3, maxRecords: 2 });
  const [first, second] = h.takeDelivered();
  t.deepEqual(values(first), [[0, 'a'], [1, 'b']]);
  t.deepEqual(values(second), [[2, 'c']]);
});

test('OFFSET_OUT_OF_RANGE resets per autoOffsetReset: earliest asks for the log start', (t) => {
  const h = consumer({ autoOffsetReset: 'earliest' });
  assigned(h, 50);
  h.reply(h.takeOne('fetch'), { code: 'OFFSET_OUT_OF_RANGE', logStartOffset: 20 });
  const list = h.takeOne('listOffsets');
  t.like(list.body, { timestamp: -2 });
  h.reply(list, { code: 'OK', offset: 20 });
  t.like(h.takeOne('fetch').body, { fetchOffset: 20 });
});

test('OFFSET_OUT_OF_RANGE with autoOffsetReset none: the next poll gets a typed error, fetching stops until seek', (t) => {
  const h = consumer({ autoOffsetReset: 'none' });
  assigned(h, 50);
  h.reply(h.takeOne('fetch'), { code: 'OFFSET_OUT_OF_RANGE', logStartOffset: 20 });
  h.send({ type: 'poll', requestId: 2, maxRecords: 10 });
  t.deepEqual(h.takeDelivered(), [{ requestId: 2, result: { ok: false, code: 'OFFSET_OUT_OF_RANGE', message: 'the offset is outside the log', topic: 't', partition: 0 } }]);
  h.tick(5000);
  t.is(h.take('fetch').length, 0, 'halted');
  h.send({ type: 'seek', requestId: 3, topic: 't', partition: 0, offset: 20 });
  t.like(h.takeOne('fetch').body, { fetchOffset: 20 });
});

test('NOT_LEADER refreshes metadata and fetches from the new leader after a backoff', (t) => {
  const h = consumer();
  assigned(h, 0);
  h.reply(h.takeOne('fetch'), { code: 'NOT_LEADER', leaderId: 2, leaderEpoch: 2 });
  h.reply(h.takeOne('metadata'), metadataBody('t', [2], 2));
  t.is(h.take('fetch').length, 0, 'backing off');
  h.tick(1000);
  const fetch = h.takeOne('fetch');
  t.is(fetch.to, fetchAddress('t', 0, 2));
  t.like(fetch.body, { leaderEpoch: 2, fetchOffset: 0 });
});

test('pause stops fetching and hides buffered records; resume brings both back', (t) => {
  const h = consumer();
  assigned(h, 0);
  h.send({ type: 'pause', requestId: 2, partitions: [{ topic: 't', partition: 0 }] });
  h.reply(h.takeOne('fetch'), fetchOk([batch(0, ['a'])]));
  t.is(h.take('fetch').length, 0, 'no fetch while paused');
  h.send({ type: 'poll', requestId: 3, maxRecords: 10, timeoutMs: 50 });
  h.tick(50);
  t.deepEqual(h.takeDelivered().map((d) => d.result), [{ ok: true }, { ok: true, records: [] }]);
  h.send({ type: 'resume', requestId: 4, partitions: [{ topic: 't', partition: 0 }] });
  t.like(h.takeOne('fetch').body, { fetchOffset: 1 });
  h.send({ type: 'poll', requestId: 5, maxRecords: 10 });
  t.deepEqual(values(h.takeDelivered().find((d) => d.requestId === 5)), [[0, 'a']]);
});

test('a full partition buffer stops fetching until a poll drains it', (t) => {
  const h = consumer({ partitionBytesMax: 100 });
  assigned(h, 0);
  h.reply(h.takeOne('fetch'), fetchOk([batch(0, ['a'.repeat(60), 'b'.repeat(60)])]));
  t.is(h.take('fetch').length, 0, 'buffer over partitionBytesMax');
  h.send({ type: 'poll', requestId: 2, maxRecords: 10 });
  t.is(values(h.takeDelivered()[0]).length, 2);
  t.like(h.takeOne('fetch').body, { fetchOffset: 2 });
});

test('a fetch without reply is retried after maxWaitMs + requestTimeoutMs; a seek drops the answer in flight', (t) => {
  const h = consumer({ maxWaitMs: 100, requestTimeoutMs: 100 });
  assigned(h, 0);
  const first = h.takeOne('fetch');
  h.tick(200);
  h.reply(h.takeOne('metadata'), metadataBody('t', [1]));
  h.tick(1000);
  const second = h.takeOne('fetch');
  h.reply(first, fetchOk([batch(0, ['late'])]));
  h.send({ type: 'seek', requestId: 2, topic: 't', partition: 0, offset: 5 });
  t.is(h.take('fetch').length, 0, 'one outstanding fetch per partition');
  h.reply(second, fetchOk([batch(0, ['stale'])]));
  t.like(h.takeOne('fetch').body, { fetchOffset: 5 });
  h.send({ type: 'poll', requestId: 3, maxRecords: 10, timeoutMs: 0 });
  t.deepEqual(h.takeDelivered().find((d) => d.requestId === 3)?.result, { ok: true, records: [] }, 'nothing from dropped answers');
});

test('a corrupt batch is a typed error for the poll, not a crash', (t) => {
  const h = consumer();
  assigned(h, 0);
  h.reply(h.takeOne('fetch'), fetchOk([{ ...batch(0, ['a']), records: Uint8Array.from([1, 2, 3]) }]));
  h.send({ type: 'poll', requestId: 2, maxRecords: 10 });
  t.like(h.takeDelivered()[0]?.result, { ok: false, code: 'CORRUPT_MESSAGE', topic: 't', partition: 0 });
});

test('the batches before a corrupt one in the same reply are still delivered, after the error', (t) => {
  const h = consumer();
  assigned(h, 0);
  h.reply(h.takeOne('fetch'), fetchOk([batch(0, ['a', 'b']), batch(2, ['c']), { ...batch(3, ['d']), records: Uint8Array.from([1, 2, 3]) }]));
  h.send({ type: 'poll', requestId: 2, maxRecords: 10 });
  t.like(h.takeDelivered()[0]?.result, { ok: false, code: 'CORRUPT_MESSAGE', topic: 't', partition: 0 });
  h.send({ type: 'poll', requestId: 3, maxRecords: 10, timeoutMs: 0 });
  t.deepEqual(values(h.takeDelivered()[0]), [[0, 'a'], [1, 'b'], [2, 'c']]);
});

test('a fetch held past maxWaitMs + 200 ms re-reads metadata; a moved leader epoch fetches from the new leader at once', (t) => {
  const h = consumer({ maxWaitMs: 100, requestTimeoutMs: 30_000 });
  assigned(h, 5);
  const first = h.takeOne('fetch');
  t.is(first.to, fetchAddress('t', 0, 1));
  h.tick(250);
  t.is(h.take('metadata').length, 0, 'not overdue yet');
  h.tick(60);
  h.reply(h.takeOne('metadata'), metadataBody('t', [2], 2));
  h.tick(10);
  const again = h.takeOne('fetch');
  t.is(again.to, fetchAddress('t', 0, 2));
  t.like(again.body, { fetchOffset: 5, leaderEpoch: 2 });
  h.reply(first, fetchOk([batch(5, ['stale'])])); // The old leader's late answer is ignored.
  h.reply(again, fetchOk([batch(5, ['a', 'b'])]));
  h.send({ type: 'poll', requestId: 2, maxRecords: 10, timeoutMs: 0 });
  t.deepEqual(values(h.takeDelivered()[0]), [[5, 'a'], [6, 'b']]);
});
