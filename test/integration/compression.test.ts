// Goal: records produced with each codec (gzip, snappy, lz4, zstd; Kafka's ids in the batch
// attributes) are consumed back byte-identical, keys, headers and binary values included; a topic's
// compression.type is what producers without a setting of their own use; the batches are stored
// compressed (smaller on the broker than the records). Method: a 3-node in-process cluster on real
// LevelDB, the SDK producing and consuming, the partition leader's stored batches read through fetch.
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { LocalCluster, until } from '../helpers/local-cluster.js';
import { COMPRESSIONS, CODEC_IDS } from '../../actors/client/compression.js';
import { fetchAddress } from '../../actors/kit/addresses.js';
import { Rpc } from '../../runtime/rpc.js';
import { realClock } from '../../runtime/clock.js';
import { clientInternals } from '../../runtime/sdk/connect.js';

let cluster: LocalCluster;
test.before(async () => { cluster = new LocalCluster(3); await cluster.start(); });
test.after.always(async () => { await cluster?.stop(); });

/** Text-like values that compress, and a binary one that does not. */
function records(n: number): Array<{ key: string; value: Buffer; headers: Record<string, string> }> {
  return Array.from({ length: n }, (_, i) => ({ key: `user-${i % 7}`, headers: { trace: `t-${i}` },
    value: i === 3 ? randomBytes(300) : Buffer.from(`{"order":${i},"item":"widget","note":"${'lorem ipsum '.repeat(20)}"}`) }));
}

for (const compression of COMPRESSIONS) {
  test.serial(`${compression}: produced and consumed back byte-identical`, async (t) => {
    const { client, admin } = await cluster.client();
    await until(async () => (await admin.metadata()).nodes.filter((n) => n.state === 'unfenced').length === 3 || undefined, 20_000, 'nodes');
    const topic = `c-${compression}`;
    await admin.createTopic(topic, { partitions: 1, replicationFactor: 3 });
    const sent = records(50);
    const producer = client.producer({ compression, lingerMs: 0 });
    await producer.send(topic, sent);
    const consumer = client.consumer();
    await consumer.assign([{ topic, partition: 0, offset: 'earliest' }]);
    const got = [];
    while (got.length < sent.length) got.push(...await consumer.poll({ timeoutMs: 2000 }));
    t.deepEqual(got.map((r) => [Buffer.from(r.key ?? []).toString(), Buffer.from(r.value ?? []).toString('hex'), Buffer.from(r.headers[0]?.value ?? []).toString()]),
      sent.map((r) => [r.key, r.value.toString('hex'), r.headers['trace']]));
    // The stored batch carries the codec id and holds fewer bytes than the records it compresses.
    const leader = (await admin.describeTopic(topic)).partitions[0]?.leader ?? -1;
    const rpc = new Rpc(clientInternals(client).transport, realClock, `client/${client.clientId}-probe`, { timeoutMsDefault: 2000 });
    const reply = (await rpc.request(fetchAddress(topic, 0, leader), 'fetch', { replicaId: -1, fetchOffset: 0, lastFetchedEpoch: -1, maxWaitMs: 0, minBytes: 0, bytesMax: 1 << 20 })).body as
      { batches: Array<{ attributes?: number; records: Uint8Array }> };
    rpc.close();
    t.is((reply.batches[0]?.attributes ?? 0) & 7, CODEC_IDS[compression]);
    const raw = sent.reduce((n, r) => n + r.value.length, 0);
    if (compression === 'none') t.true((reply.batches[0]?.records.byteLength ?? 0) > raw);
    else t.true((reply.batches[0]?.records.byteLength ?? raw) < raw / 2, `${compression} stored ${reply.batches[0]?.records.byteLength} bytes for ${raw}`);
    await consumer.close();
    await producer.close();
    admin.close();
    await client.close();
  });
}

test.serial('a producer without a compression setting uses the topic\'s compression.type', async (t) => {
  const { client, admin } = await cluster.client();
  await admin.createTopic('c-topic-zstd', { partitions: 1, replicationFactor: 1, configs: { 'compression.type': 'zstd' } });
  const producer = client.producer({ lingerMs: 0 });
  await until(async () => { await producer.send('c-topic-zstd', [{ value: 'x'.repeat(1000) }]); return true; }, 10_000, 'a send');
  const leader = (await admin.describeTopic('c-topic-zstd')).partitions[0]?.leader ?? -1;
  const rpc = new Rpc(clientInternals(client).transport, realClock, `client/${client.clientId}-probe`, { timeoutMsDefault: 2000 });
  const reply = (await rpc.request(fetchAddress('c-topic-zstd', 0, leader), 'fetch', { replicaId: -1, fetchOffset: 0, lastFetchedEpoch: -1, maxWaitMs: 0, minBytes: 0, bytesMax: 1 << 20 })).body as
    { batches: Array<{ attributes?: number }> };
  rpc.close();
  t.is((reply.batches[0]?.attributes ?? 0) & 7, CODEC_IDS.zstd);
  await t.throwsAsync(admin.createTopic('c-bad', { configs: { 'compression.type': 'brotli' } }), { message: /compression.type=brotli/ });
  await producer.close();
  admin.close();
  await client.close();
});
