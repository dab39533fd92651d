// Goal: the group coordinator end to end on real nodes: findCoordinator creates
// `__consumer_offsets` on first use and names the node leading the group's partition; a member
// joins and gets its assignment; a committed offset survives stopping the coordinator's node (the
// new leader's coordinator rebuilds it from the replicated log). Method: a 3-node in-process
// cluster on real LevelDB, raw requests through runtime/rpc.ts.
import test from 'ava';
import { LocalCluster, until } from '../helpers/local-cluster.js';
import { Rpc } from '../../runtime/rpc.js';
import { METADATA } from '../../actors/kit/addresses.js';
import { realClock } from '../../runtime/clock.js';

let cluster: LocalCluster;
test.before(async () => { cluster = new LocalCluster(3, { knobs: { offsetsTopicPartitions: 3 } }); await cluster.start(); });
test.after.always(async () => { await cluster?.stop(); });

type Body = Record<string, unknown>;

test('a committed offset survives the loss of the coordinator node', async (t) => {
  const { admin, client } = await cluster.client();
  await until(async () => (await admin.metadata()).nodes.filter((n) => n.state === 'unfenced').length === 3 || undefined, 20_000, 'nodes');
  await admin.createTopic('orders', { partitions: 4, replicationFactor: 3 });
  const rpc = new Rpc(cluster.network.endpoint(), realClock, 'client/group-test', { timeoutMsDefault: 2000 });
  const call = async (to: string, type: string, body: Body): Promise<Body> => (await rpc.request(to, type, body)).body as Body;
  const find = () => until(async () => {
    const r = await call(METADATA, 'findCoordinator', { groupId: 'billing' });
    return r['code'] === 'OK' ? r : undefined;
  }, 20_000, 'a coordinator');

  const first = await find();
  t.is(typeof first['address'], 'string');
  const joined = await until(async () => {
    const r = await call(first['address'] as string, 'groupHeartbeat', { groupId: 'billing', memberId: '', memberEpoch: 0,
      subscribedTopics: ['orders'], ownedPartitions: [], rebalanceTimeoutMs: 30_000, clientId: 'test' });
    return r['code'] === 'OK' ? r : undefined;
  }, 20_000, 'the join');
  t.deepEqual(joined['assignment'], [{ topic: 'orders', partitions: [0, 1, 2, 3] }]);
  const committed = await call(first['address'] as string, 'offsetCommit', { groupId: 'billing', memberId: joined['memberId'],
    memberEpoch: joined['memberEpoch'], offsets: [{ topic: 'orders', partition: 2, offset: 17 }] });
  t.deepEqual(committed, { code: 'OK', results: [{ topic: 'orders', partition: 2, code: 'OK' }] });

  await cluster.stopNode(first['nodeId'] as number);
  const second = await until(async () => {
    const r = await find();
    return r['nodeId'] !== first['nodeId'] ? r : undefined;
  }, 30_000, 'a new coordinator');
  const fetched = await until(async () => {
    const r = await call(second['address'] as string, 'offsetFetch', { groupId: 'billing' });
    return r['code'] === 'OK' ? r : undefined;
  }, 30_000, 'the new coordinator to load');
  t.deepEqual(fetched['offsets'], [{ topic: 'orders', partition: 2, offset: 17, metadata: '' }]);
  rpc.close();
  admin.close();
  await client.close();
});
