// Goal: over a real nats-server with three `brook node join` processes, acks=all writes survive a
// kill -9 of a partition leader: every acknowledged record is read back exactly once at its offset,
// in order per partition, and keyed records sit in the partition Kafka's murmur2 picks.
// Method: the SDK produces 100,000 keyed records (pipelined), the test kill -9s the node leading
// partition 0 a third of the way through, then a consumer reads all partitions to the end.
import test from 'ava';
import { startNatsServer, type NatsServer } from '../helpers/nats-server.js';
import { BrookProcesses, eventually } from '../helpers/brook-processes.js';
import { connect, type BrookClient } from '../../runtime/sdk/index.js';
import type { Admin } from '../../runtime/sdk/admin.js';
import { keyPartition } from '../../actors/client/murmur2.js';

const RECORDS = 100_000;
const CHUNK = 500;
let nats: NatsServer;
let cluster: BrookProcesses;
let client: BrookClient;

test.before(async () => {
  nats = await startNatsServer();
  cluster = new BrookProcesses(nats.url, 'pc', [1, 2, 3]);
  for (const id of [1, 2, 3]) cluster.startNode(id);
  client = await connect({ nats: nats.url, cluster: 'pc' });
});

test.after.always(async () => {
  await client?.close();
  await cluster?.stopAll();
  await nats?.stop();
});

test('acks=all records survive kill -9 of a partition leader and are read back exactly once, in order', async (t) => {
  const admin = client.admin() as Admin;
  await eventually(async () => ((await admin.metadata()).nodes.filter((n) => n.state === 'unfenced').length === 3 ? true : undefined), 30_000, 'three nodes');
  await admin.createTopic('orders', { partitions: 6, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } });
  await eventually(async () => ((await admin.describeTopic('orders')).partitions.every((p) => p.leader > 0 && p.isr.length === 3) ? true : undefined), 20_000, 'partition leaders');
  const victim = (await admin.describeTopic('orders')).partitions[0]?.leader as number;

  const producer = client.producer({ acks: 'all', lingerMs: 2, deliveryTimeoutMs: 60_000, requestTimeoutMs: 2000 });
  const acked = new Map<string, { partition: number; offset: number; key: string }>();
  const inFlight: Array<Promise<void>> = [];
  let failed = 0;
  for (let i = 0; i < RECORDS; i += CHUNK) {
    if (i === Math.floor(RECORDS / 3 / CHUNK) * CHUNK) void cluster.kill9(victim);
    const records = Array.from({ length: CHUNK }, (_, j) => ({ key: `user-${(i + j) % 997}`, value: `v${i + j}` }));
    inFlight.push(producer.send('orders', records).then((meta) => {
      meta.forEach((m, j) => acked.set(`v${i + j}`, { partition: m.partition, offset: m.offset, key: records[j]?.key as string }));
    }, () => { failed += CHUNK; }));
    if (inFlight.length >= 16) await inFlight.shift();
  }
  await Promise.all(inFlight);
  t.log(`acknowledged ${acked.size} of ${RECORDS}, failed ${failed}; killed node ${victim}`);
  t.true(acked.size > RECORDS * 0.9, 'most records were acknowledged despite the failover');
  // The dead node was fenced by a probe answered "no responders", not by its session running out.
  const fencedByProbe = [...cluster.nodes.values()].filter((n) => n.id !== victim).some((n) => n.stderr.join('').split('\n')
    .some((line) => line.includes('"nodeGone"') && (JSON.parse(line) as { nodeId?: number }).nodeId === victim));
  t.true(fencedByProbe, `a survivor logged nodeGone for node ${victim}`);

  const ends = await admin.listOffsets('orders', 'latest');
  const consumer = client.consumer({});
  await consumer.assign(ends.map((e) => ({ topic: 'orders', partition: e.partition, offset: 'earliest' as const })));
  const read = new Map<number, Array<{ offset: number; value: string }>>();
  let total = 0;
  const target = ends.reduce((n, e) => n + e.offset, 0);
  while (total < target) {
    const records = await consumer.poll({ maxRecords: 5000, timeoutMs: 2000 });
    if (records.length === 0) break;
    for (const r of records) {
      const list = read.get(r.partition) ?? [];
      list.push({ offset: r.offset, value: Buffer.from(r.value ?? []).toString() });
      read.set(r.partition, list);
    }
    total += records.length;
  }
  t.is(total, target, 'read up to the end of every partition');
  const byOffset = new Map<string, string>();
  for (const [partition, list] of read) {
    list.forEach((r, i) => {
      if (i > 0) t.is(r.offset, (list[i - 1]?.offset as number) + 1, `partition ${partition}: offsets contiguous, in order, once each`);
      byOffset.set(`${partition}/${r.offset}`, r.value);
    });
  }
  let missing = 0;
  let misplaced = 0;
  for (const [value, at] of acked) {
    if (byOffset.get(`${at.partition}/${at.offset}`) !== value) missing++;
    if (keyPartition(Buffer.from(at.key), 6) !== at.partition) misplaced++;
  }
  t.is(missing, 0, 'every acknowledged record is at its acknowledged offset');
  t.is(misplaced, 0, 'keyed records are in the murmur2 partition');
  await consumer.close();
  await producer.close();
  admin.close();
});
