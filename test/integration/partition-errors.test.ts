// Goal: bad produce input gets its typed error and leaves acknowledged data untouched: records
// over max.message.bytes, unknown topics and partitions, a stale leader epoch, malformed batches,
// and acks=all with fewer in-sync replicas than min.insync.replicas.
// Method: a 3-node in-process cluster on real LevelDB; the SDK for the ordinary paths and raw
// request/reply envelopes for what the SDK would never send.
import test from 'ava';
import { LocalCluster, until } from '../helpers/local-cluster.js';
import { BrookError, type BrookClient } from '../../runtime/sdk/index.js';
import type { Admin } from '../../runtime/sdk/admin.js';
import { Rpc } from '../../runtime/rpc.js';
import { realClock } from '../../runtime/clock.js';
import { encodeRecords } from '../../actors/client/record-codec.js';
import { clientAddress, produceAddress } from '../../actors/kit/addresses.js';

let cluster: LocalCluster;
let client: BrookClient;
let admin: Admin;
let raw: Rpc;

test.before(async () => {
  cluster = new LocalCluster(3);
  await cluster.start();
  ({ client, admin } = await cluster.client());
  raw = new Rpc(cluster.network.endpoint(), realClock, clientAddress('raw'), { timeoutMsDefault: 2000 });
  await until(async () => (await admin.metadata()).nodes.filter((n) => n.state === 'unfenced').length === 3 || undefined, 20_000, 'nodes');
});
test.after.always(async () => { raw?.close(); admin?.close(); await client?.close(); await cluster?.stop(); });

const batch = (records: number, bytes = 10) => ({
  recordCount: records, firstTimestamp: Date.now(), maxTimestamp: Date.now(), producerId: -1, producerEpoch: -1, baseSequence: -1,
  records: encodeRecords(Array.from({ length: records }, () => ({ value: new Uint8Array(bytes), timestamp: Date.now() })), Date.now()),
});

async function rawProduce(topic: string, partition: number, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const info = await admin.describeTopic(topic);
  const leader = info.partitions[partition]?.leader ?? 1;
  return (await raw.request(produceAddress(topic, partition, leader), 'produce', body)).body as Record<string, unknown>;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try { await promise; return 'OK'; } catch (error) { return error instanceof BrookError ? error.code : `untyped: ${String(error)}`; }
}

test.serial('typed errors for bad produce input; acknowledged records are unaffected', async (t) => {
  await admin.createTopic('guarded', { partitions: 2, replicationFactor: 3, configs: { 'max.message.bytes': '2000' } });
  const producer = client.producer({ acks: 'all', lingerMs: 0, deliveryTimeoutMs: 1500 });
  const good = await producer.send('guarded', Array.from({ length: 100 }, (_, i) => ({ value: `good-${i}` })), { partition: 0 });

  const tooLarge = await t.throwsAsync(producer.send('guarded', [{ value: 'x'.repeat(5000) }], { partition: 0 }), { instanceOf: BrookError });
  t.is((tooLarge as BrookError).code, 'MESSAGE_TOO_LARGE');
  t.deepEqual((tooLarge as BrookError).detail, { topic: 'guarded', partition: 0 }, 'a failed send names its partition');
  t.regex(tooLarge?.message ?? '', /^guarded-0: /);
  t.is(await codeOf(producer.send('no-such-topic', [{ value: 'x' }])), 'UNKNOWN_TOPIC_OR_PARTITION');
  t.is(await codeOf(producer.send('guarded', [{ value: 'x' }], { partition: 9 })), 'UNKNOWN_TOPIC_OR_PARTITION');

  t.is((await rawProduce('guarded', 0, { acks: -1, timeoutMs: 1000 }))['code'], 'INVALID_REQUEST', 'a produce without a batch');
  t.is((await rawProduce('guarded', 0, { acks: -1, timeoutMs: 1000, batch: { ...batch(1), records: 'not bytes' } }))['code'], 'INVALID_REQUEST', 'records that are not bytes');
  t.is((await rawProduce('guarded', 0, { acks: -1, timeoutMs: 1000, batch: { ...batch(2), recordCount: 0 } }))['code'], 'CORRUPT_MESSAGE', 'an empty batch');
  t.is((await rawProduce('guarded', 0, { acks: 7, timeoutMs: 1000, batch: batch(1) }))['code'], 'INVALID_REQUEST', 'acks outside 0/1/-1');
  t.is((await rawProduce('guarded', 0, { acks: -1, timeoutMs: 1000, leaderEpoch: 99, batch: batch(1) }))['code'], 'UNKNOWN_LEADER_EPOCH', 'an epoch from the future');

  const consumer = client.consumer({ autoOffsetReset: 'earliest' });
  await consumer.assign([{ topic: 'guarded', partition: 0, offset: 'earliest' }]);
  const records = await consumer.poll({ maxRecords: 1000, timeoutMs: 3000 });
  t.deepEqual(records.map((r) => Buffer.from(r.value ?? []).toString()), good.map((_, i) => `good-${i}`), 'exactly the acknowledged records, nothing from the refused ones');
  await consumer.close();
  await producer.close();
});

test.serial('stale leader epoch is fenced and acks=all below min.insync.replicas is refused', async (t) => {
  await admin.createTopic('strict', { partitions: 1, replicationFactor: 3, configs: { 'min.insync.replicas': '3' } });
  const before = await until(async () => { const p = (await admin.describeTopic('strict')).partitions[0]; return p && p.isr.length === 3 ? p : undefined; }, 10_000, 'full ISR');
  const producer = client.producer({ acks: 'all', lingerMs: 0, deliveryTimeoutMs: 1500 });
  const firstSend = Date.now();
  await until(async () => (await producer.send('strict', [{ value: 'before' }]).then(() => true, (e) => { t.log(`${Date.now() - firstSend} ms: ${String(e)}`); return undefined; })), 10_000, 'a first acks=all write');

  // Take the leader's node away: the controller fences it, elects another ISR member with epoch+1, shrinks the ISR.
  await cluster.stopNode(before.leader);
  const after = await until(async () => { const p = (await admin.describeTopic('strict')).partitions[0]; return p && p.leader !== before.leader && p.leader > 0 ? p : undefined; }, 15_000, 'a new leader');
  t.true(after.leaderEpoch > before.leaderEpoch);
  // The controller's metadata can name the new leader before its node has heard it leads (NOT_LEADER until then);
  // once it leads, a stale epoch is fenced at once, even before its epoch start is durable.
  const staleEpoch = await until(async () => {
    const code = (await rawProduce('strict', 0, { acks: -1, timeoutMs: 1000, leaderEpoch: before.leaderEpoch, batch: batch(1) }))['code'];
    return code === 'NOT_LEADER' ? undefined : code;
  }, 10_000, 'the new leader leading');
  t.is(staleEpoch, 'FENCED_LEADER_EPOCH');
  await until(async () => ((await admin.describeTopic('strict')).partitions[0]?.isr.length === 2 ? true : undefined), 15_000, 'ISR of two');
  t.is((await rawProduce('strict', 0, { acks: -1, timeoutMs: 1000, batch: batch(1) }))['code'], 'NOT_ENOUGH_REPLICAS');
  // The SDK retries the retriable NOT_ENOUGH_REPLICAS until its delivery timeout; either way the send fails.
  t.regex(await codeOf(producer.send('strict', [{ value: 'refused' }])), /^(NOT_ENOUGH_REPLICAS|REQUEST_TIMED_OUT)$/);

  const consumer = client.consumer({ autoOffsetReset: 'earliest' });
  await consumer.assign([{ topic: 'strict', partition: 0, offset: 'earliest' }]);
  const records = await consumer.poll({ maxRecords: 10, timeoutMs: 3000 });
  const values = records.map((r) => Buffer.from(r.value ?? []).toString());
  // A first attempt that timed out may still have been written (at-least-once); the refused write never is.
  t.true(values.length >= 1 && values.every((v) => v === 'before'), values.join(','));
  await consumer.close();
  await producer.close();
  await cluster.startNode(before.leader);
});
