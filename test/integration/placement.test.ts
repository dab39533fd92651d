// Goal: a partition reassigned from [1,2,3] to [2,3,4] under an acks=all producer loses no
// acknowledged record, node 1 drops its replica and its data; a decommissioned node is drained.
// Method: an in-process cluster on real LevelDB; node 4 joins after the topic exists, with
// auto.balance.on.join off so that only the test moves replicas.
import test from 'ava';
import { LocalCluster, until } from '../helpers/local-cluster.js';
import type { Admin } from '../../runtime/sdk/admin.js';

let cluster: LocalCluster;
test.before(async () => { cluster = new LocalCluster(3); await cluster.start(); });
test.after.always(async () => { await cluster?.stop(); });

async function unfenced(admin: Admin, n: number): Promise<void> {
  await until(async () => (await admin.metadata()).nodes.filter((x) => x.state === 'unfenced').length >= n || undefined, 20_000, `${n} nodes`);
}

function logEntries(id: number, topicId: string, partition: number): Promise<number> {
  const store = cluster.nodes.get(id)?.store;
  if (!store) return Promise.resolve(-1);
  return new Promise((resolve) => store.read(`p/${topicId}/${partition}`, 0, 1 << 20, (_e, entries) => resolve(entries.length)));
}

test.serial('reassigning [1,2,3] → [2,3,4] under acks=all writes keeps every acknowledged record', async (t) => {
  const { client, admin } = await cluster.client();
  await unfenced(admin, 3);
  await admin.alterClusterConfigs({ 'auto.balance.on.join': 'false' });
  const { topicId } = await admin.createTopic('moving', { partitions: 1, replicationFactor: 3 });
  await admin.alterPartitionReassignment('moving', 0, [1, 2, 3]);
  await until(async () => ((await admin.describeTopic('moving')).partitions[0]?.replicas.join(',') === '1,2,3' && (await admin.listPartitionReassignments()).length === 0) || undefined,
    10_000, 'replicas 1,2,3');
  await cluster.startNode(4);
  await unfenced(admin, 4);
  const producer = client.producer({ acks: 'all', lingerMs: 1 });
  const acked: string[] = [];
  let stop = false;
  const writing = (async () => {
    for (let i = 0; !stop; i++) {
      try {
        await producer.send('moving', Array.from({ length: 5 }, (_, j) => ({ value: `v-${i}-${j}` })));
        for (let j = 0; j < 5; j++) acked.push(`v-${i}-${j}`);
      } catch { /* not acknowledged: may or may not be there */ }
    }
  })();
  await until(() => acked.length >= 50 || undefined, 10_000, 'some writes before the move');
  await admin.alterPartitionReassignment('moving', 0, [2, 3, 4]);
  const during = await admin.listPartitionReassignments();
  t.true(during.length <= 1);
  const done = await until(async () => {
    const p = (await admin.describeTopic('moving')).partitions[0];
    return p && p.replicas.join(',') === '2,3,4' && p.addingReplicas === undefined ? p : undefined;
  }, 30_000, 'the reassignment to finish');
  t.is(done.leader, 2, 'leadership left node 1 for the first target replica');
  await until(() => acked.length >= 150 || undefined, 10_000, 'writes after the move');
  stop = true;
  await writing;
  await producer.close();
  t.deepEqual(await admin.listPartitionReassignments(), []);
  const consumer = client.consumer({ autoOffsetReset: 'earliest' });
  await consumer.assign([{ topic: 'moving', partition: 0, offset: 'earliest' }]);
  const seen = new Set<string>();
  const [latest] = await admin.listOffsets('moving', 'latest');
  let read = 0;
  while (read < (latest?.offset ?? 0)) {
    const records = await consumer.poll({ maxRecords: 1000, timeoutMs: 3000 });
    if (records.length === 0) break;
    for (const r of records) seen.add(Buffer.from(r.value ?? []).toString());
    read += records.length;
  }
  await consumer.close();
  t.deepEqual(acked.filter((v) => !seen.has(v)), [], 'every acknowledged record is read back');
  await until(async () => (await logEntries(1, topicId, 0)) === 0 || undefined, 10_000, 'node 1 to delete its copy');
  t.true((await logEntries(4, topicId, 0)) > 0, 'node 4 holds the data');
  admin.close();
  await client.close();
});

test.serial('decommissioning a node moves every replica off it and marks it decommissioned', async (t) => {
  const { client, admin } = await cluster.client();
  await unfenced(admin, 4);
  await admin.createTopic('drained', { partitions: 4, replicationFactor: 2 });
  const before = (await until(() => admin.describeTopic('drained'), 10_000, 'topic drained')).partitions;
  t.true(before.some((p) => p.replicas.includes(4)), 'node 4 holds replicas');
  await admin.decommissionNode(4);
  await until(async () => (await admin.metadata()).nodes.find((n) => n.nodeId === 4)?.decommission === 'decommissioned' || undefined, 40_000, 'node 4 decommissioned');
  const metadata = await admin.metadata();
  for (const p of metadata.topics.flatMap((x) => x.partitions)) t.false(p.replicas.includes(4));
  await admin.createTopic('later', { partitions: 4, replicationFactor: 3 });
  for (const p of (await until(() => admin.describeTopic('later'), 10_000, 'topic later')).partitions) t.false(p.replicas.includes(4), 'no new replicas on node 4');
  admin.close();
  await client.close();
});
