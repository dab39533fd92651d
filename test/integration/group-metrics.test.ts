// Goal: a group's lag in /metrics is right when the coordinating node holds no replica of some of
// the group's partitions (their high watermark then comes from the leader by listOffsets), and
// every group is exported by exactly one node.
// Method: three in-process nodes over the in-memory transport with LevelDB stores; a topic of
// replication factor 1 spreads its partitions one per node; a group reads everything, commits,
// and 9 more records are produced. Each node's registry is scraped (no HTTP needed) and the lag
// summed over the nodes.
import test from 'ava';
import { LocalCluster, until } from '../helpers/local-cluster.js';
import { NodeMetrics } from '../../runtime/http/node-metrics.js';
import { parseExposition, sumOf } from '../helpers/prometheus-text.js';

test('group lag uses the leaders of partitions the coordinator does not host', async (t) => {
  const cluster = new LocalCluster(3);
  await cluster.start();
  const { client, admin } = await cluster.client();
  try {
    await until(async () => ((await admin.metadata()).nodes.filter((n) => n.state === 'unfenced').length === 3 ? true : undefined), 30_000, 'three nodes');
    await admin.createTopic('solo', { partitions: 3, replicationFactor: 1 });
    const producer = client.producer({ acks: 'all' });
    await producer.send('solo', Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })));
    const consumer = client.consumer({ groupId: 'g', autoOffsetReset: 'earliest', autoCommit: false });
    await consumer.subscribe(['solo']);
    let read = 0;
    await until(async () => { read += (await consumer.poll({ timeoutMs: 200 })).length; return read >= 30 ? true : undefined; }, 30_000, '30 records read');
    await consumer.commit();
    await consumer.close();
    await producer.send('solo', Array.from({ length: 9 }, (_, i) => ({ key: `m${i}`, value: `w${i}` })));
    await producer.close();

    const metrics = [...cluster.nodes.values()].map(({ node }) => { const m = new NodeMetrics(); m.attach(node, undefined); return { node, m }; });
    const scrapeAll = async () => Promise.all(metrics.map(async ({ m }) => parseExposition(await m.scrape())));
    const lag = await until(async () => {
      const all = await scrapeAll();
      const sum = all.reduce((n, f) => n + sumOf(f, 'brook_group_lag_sum', { group: 'g' }), 0);
      return sum === 9 ? all : undefined;
    }, 20_000, 'lag 9 over the nodes');
    const coordinators = lag.filter((f) => sumOf(f, 'brook_group_members', { group: 'g' }) === 0 && (f.get('brook_group_members')?.samples.length ?? 0) > 0);
    t.is(coordinators.length, 1, 'one node exports the group');
    const coordinator = coordinators[0]!;
    t.is(sumOf(coordinator, 'brook_group_committed_offset', { group: 'g' }), 30);
    const hosted = coordinator.get('brook_log_log_end_offset')?.samples.filter((s) => s.labels['topic'] === 'solo').length;
    t.is(hosted, 1, 'the coordinator hosts one of the 3 partitions of solo: the other two come from their leaders');
    t.is(sumOf(coordinator, 'brook_group_lag', { group: 'g' }), 9);
  } finally {
    admin.close();
    await client.close();
    await cluster.stop();
  }
});
