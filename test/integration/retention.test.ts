// Goal: retention deletes whole batches below the HW by age (retention.ms) and by size
// (retention.bytes); the log start offset advances; a consumer below it gets the typed
// OFFSET_OUT_OF_RANGE error and can reset. Method: a 3-node in-process cluster on real LevelDB.
import test from 'ava';
import { LocalCluster, until } from '../helpers/local-cluster.js';
import { BrookError } from '../../runtime/sdk/index.js';

let cluster: LocalCluster;
test.before(async () => { cluster = new LocalCluster(3, { partition: { retentionCheckMs: 100 } }); await cluster.start(); });
test.after.always(async () => { await cluster?.stop(); });

test('records older than retention.ms disappear and the log start advances', async (t) => {
  const { client, admin } = await cluster.client();
  await until(async () => (await admin.metadata()).nodes.filter((n) => n.state === 'unfenced').length === 3 || undefined, 20_000, 'nodes');
  await admin.createTopic('aged', { partitions: 1, replicationFactor: 3, configs: { 'retention.ms': '60000' } });
  const producer = client.producer({ acks: 'all', lingerMs: 0 });
  const hourAgo = Date.now() - 3_600_000;
  await producer.send('aged', Array.from({ length: 50 }, (_, i) => ({ value: `old-${i}`, timestamp: hourAgo })));
  await producer.send('aged', Array.from({ length: 20 }, (_, i) => ({ value: `new-${i}` })));
  const earliest = await until(async () => {
    const [p] = await admin.listOffsets('aged', 'earliest');
    return p && p.offset === 50 ? p.offset : undefined;
  }, 15_000, 'the old batch to be deleted');
  t.is(earliest, 50, 'log start moved past the expired batch, not past the fresh one');
  const [latest] = await admin.listOffsets('aged', 'latest');
  t.is(latest?.offset, 70);

  const strict = client.consumer({ autoOffsetReset: 'none' });
  await strict.assign([{ topic: 'aged', partition: 0, offset: 0 }]);
  const error = await t.throwsAsync(strict.poll({ timeoutMs: 3000 }));
  t.true(error instanceof BrookError);
  t.is((error as BrookError).code, 'OFFSET_OUT_OF_RANGE');
  await strict.seek('aged', 0, 'earliest');
  const records = await strict.poll({ maxRecords: 100, timeoutMs: 3000 });
  t.is(records[0]?.offset, 50);
  t.is(Buffer.from(records[0]?.value ?? []).toString(), 'new-0');
  await strict.close();
  await producer.close();
  admin.close();
  await client.close();
});

test('records beyond retention.bytes disappear, oldest first', async (t) => {
  const { client, admin } = await cluster.client();
  await until(async () => (await admin.metadata()).nodes.filter((n) => n.state === 'unfenced').length === 3 || undefined, 20_000, 'nodes');
  await admin.createTopic('sized', { partitions: 1, replicationFactor: 3, configs: { 'retention.bytes': '20000' } });
  const producer = client.producer({ acks: 'all', lingerMs: 0 });
  for (let batch = 0; batch < 10; batch++) {
    await producer.send('sized', Array.from({ length: 10 }, (_, i) => ({ value: 'x'.repeat(1000) + `${batch}-${i}` })));
  }
  // Retention runs on a timer, so it may first cut the log while the later batches are still
  // being produced: wait for the end state (about 20 KB, two or three batches, kept), not the first cut.
  const start = await until(async () => {
    const [p] = await admin.listOffsets('sized', 'earliest');
    return p && p.offset >= 70 ? p.offset : undefined;
  }, 15_000, 'size-based deletion down to the last 20 KB');
  t.true(start <= 90 && start % 10 === 0, `whole batches deleted from the front, the newest kept (log start ${start})`);
  const consumer = client.consumer({ autoOffsetReset: 'earliest' });
  await consumer.assign([{ topic: 'sized', partition: 0, offset: 'earliest' }]);
  const records = await consumer.poll({ maxRecords: 1000, timeoutMs: 3000 });
  t.is(records[0]?.offset, start);
  t.true(records.every((r, i) => r.offset === start + i));
  await consumer.close();
  await producer.close();
  admin.close();
  await client.close();
});
