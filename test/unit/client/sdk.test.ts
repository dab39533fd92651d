/**
 * Goal: the SDK wrappers, the client host and the Deliveries dispatcher work end to end.
 * Method: connect() over the in-memory transport to a fake one-node cluster written in the test
 * (it answers metadata, produce, listOffsets and fetch from an array of batches); a producer sends
 * keyed records and a consumer reads them back in order. No timed assertions.
 */
import test from 'ava';
import { MemoryNetwork } from '../../../transport/memory.js';
import type { Envelope } from '../../../transport/envelope.js';
import { connect, BrookError } from '../../../runtime/sdk/index.js';
import { metadataBody, text } from './fake-cluster.js';
import { CONTROLLER_FOR_PRODUCERS, fetchAddress, METADATA, produceAddress } from '../../../actors/kit/addresses.js';

type Batch = { baseOffset: number; lastOffset: number; recordCount: number; records: Uint8Array; firstTimestamp: number } & Record<string, unknown>;

function fakeCluster(network: MemoryNetwork): { batches: Batch[] } {
  const node = network.endpoint();
  const batches: Batch[] = [];
  const answer = (e: Envelope, body: unknown): void =>
    node.send({ to: e.replyTo ?? e.from, from: e.to, type: `${e.type}Reply`, ...(e.corr !== undefined ? { corr: e.corr } : {}), body });
  node.listen(METADATA, (e) => answer(e, metadataBody('t', [1])));
  node.listen(CONTROLLER_FOR_PRODUCERS, (e) => answer(e, { code: 'OK', producerId: 9, producerEpoch: 0 }));
  const partition = (e: Envelope): void => {
    const body = e.body as Record<string, unknown>;
    const leo = batches.length === 0 ? 0 : (batches[batches.length - 1] as Batch).lastOffset + 1;
    if (e.type === 'produce') {
      if (body['acks'] === 0) return;
      const b = body['batch'] as Batch;
      batches.push({ ...b, baseOffset: leo, lastOffset: leo + b.recordCount - 1, leaderEpoch: 1 });
      return answer(e, { code: 'OK', baseOffset: leo, logStartOffset: 0 });
    }
    if (e.type === 'listOffsets') return answer(e, { code: 'OK', offset: body['timestamp'] === -2 ? 0 : leo });
    if (e.type === 'fetch') {
      const from = body['fetchOffset'] as number;
      if (from > leo) return answer(e, { code: 'OFFSET_OUT_OF_RANGE', logStartOffset: 0 });
      return answer(e, { code: 'OK', hw: leo, logStartOffset: 0, batches: batches.filter((b) => b.lastOffset >= from) });
    }
  };
  node.listen(produceAddress('t', 0, 1), partition);
  node.listen(fetchAddress('t', 0, 1), partition);
  return { batches };
}

test('a producer send and a consumer poll round-trip through the SDK', async (t) => {
  const network = new MemoryNetwork();
  const cluster = fakeCluster(network);
  const client = await connect({ transport: network.endpoint(), clientId: 'sdk', seed: 1 });
  try {
    const producer = client.producer({ acks: 'all', lingerMs: 0 });
    const sent = await producer.send('t', [{ key: 'user-1', value: 'one', headers: { h: 'x' } }, { value: 'two' }], { partition: 0 });
    t.deepEqual(sent.map((m) => [m.topic, m.partition, m.offset]), [['t', 0, 0], ['t', 0, 1]]);
    t.is(cluster.batches.length, 1, 'one produce for the whole send');
    t.like(cluster.batches[0], { producerId: 9, producerEpoch: 0, baseSequence: 0, recordCount: 2 }, 'idempotent by default with acks=all');
    await producer.flush();

    const consumer = client.consumer({ maxWaitMs: 10 });
    await consumer.assign([{ topic: 't', partition: 0, offset: 'earliest' }]);
    const records = await consumer.poll({ maxRecords: 10, timeoutMs: 5000 });
    t.deepEqual(records.map((r) => [r.offset, text(r.key), text(r.value)]), [[0, 'user-1', 'one'], [1, null, 'two']]);
    t.deepEqual(records[0]?.headers.map((h) => [h.key, text(h.value)]), [['h', 'x']]);
    await t.throwsAsync(consumer.seek('other', 0, 0), { instanceOf: BrookError, message: /not assigned/ });
    await consumer.close();
    await producer.close();
    await t.throwsAsync(producer.send('t', [{ value: 'late' }]), { instanceOf: BrookError });
  } finally {
    await client.close();
  }
});

test('two admins of one client have their own inboxes: closing one leaves the other answering', async (t) => {
  const network = new MemoryNetwork();
  fakeCluster(network);
  const brook = await connect({ transport: network.endpoint(), clientId: 'two-admins', seed: 2 });
  const first = brook.admin();
  const second = brook.admin();
  t.is((await second.metadata()).topics[0]?.name, 't');
  second.close();
  t.is((await first.metadata()).topics[0]?.name, 't', 'the first admin still hears its replies');
  first.close();
  await brook.close();
});

test('a NATS that cannot be reached is a BrookError (NETWORK_EXCEPTION) from connect, not the NATS client\'s own error', async (t) => {
  const error = await t.throwsAsync(connect({ nats: 'nats://127.0.0.1:1', cluster: 'x', connectTimeoutMs: 2_000 }));
  t.true(error instanceof BrookError);
  t.is((error as BrookError).code, 'NETWORK_EXCEPTION');
  t.regex(error?.message ?? '', /cannot reach NATS at nats:\/\/127\.0\.0\.1:1/);
});
