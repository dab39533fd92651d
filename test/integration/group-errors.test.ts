// Goal: consumer-group misuse gets a typed error and changes nothing: an unknown group, a commit for
// a partition the member does not own, stale, fenced and unknown member epochs, an offset reset while
// the group has members, an invalid regular expression, an empty group id; and a subscription to a
// topic that does not exist yet waits quietly and consumes the topic once it is created.
// Method: a 3-node in-process cluster on real LevelDB; the SDK for what applications do, raw
// requests through runtime/rpc.ts for what only a buggy or stale client would send.
import test from 'ava';
import { LocalCluster, until } from '../helpers/local-cluster.js';
import { Rpc } from '../../runtime/rpc.js';
import { METADATA } from '../../actors/kit/addresses.js';
import { realClock } from '../../runtime/clock.js';
import { BrookError } from '../../runtime/sdk/index.js';

let cluster: LocalCluster;
test.before(async () => { cluster = new LocalCluster(3, { knobs: { offsetsTopicPartitions: 3 } }); await cluster.start(); });
test.after.always(async () => { await cluster?.stop(); });

type Body = Record<string, unknown>;
const GROUP = 'errors';

test.serial('misuse of a group gets typed errors and leaves committed offsets unchanged', async (t) => {
  const { admin, client } = await cluster.client();
  const rpc = new Rpc(cluster.network.endpoint(), realClock, 'client/group-errors', { timeoutMsDefault: 2000 });
  let beating = true;
  let loop: Promise<void> = Promise.resolve();
  try {
    await until(async () => (await admin.metadata()).nodes.filter((n) => n.state === 'unfenced').length === 3 || undefined, 20_000, 'nodes');
    await admin.createTopic('orders', { partitions: 4, replicationFactor: 3 });
    const call = async (to: string, type: string, body: Body): Promise<Body> => (await rpc.request(to, type, body)).body as Body;
    const coordinator = (await until(async () => {
      const r = await call(METADATA, 'findCoordinator', { groupId: GROUP });
      return r['code'] === 'OK' ? r : undefined;
    }, 20_000, 'a coordinator'))['address'] as string;

    await t.throwsAsync(admin.describeGroup('nobody'), { instanceOf: BrookError, message: /nobody/ });
    await admin.describeGroup('nobody').catch((e: BrookError) => t.is(e.code, 'GROUP_ID_NOT_FOUND'));

    // Member A (raw) joins; a background heartbeat keeps its session and follows its epoch and assignment.
    const joined = await until(async () => {
      const r = await call(coordinator, 'groupHeartbeat', { groupId: GROUP, memberId: '', memberEpoch: 0, subscribedTopics: ['orders'], ownedPartitions: [], rebalanceTimeoutMs: 30_000, clientId: 'a' });
      return r['code'] === 'OK' ? r : undefined;
    }, 20_000, 'the join');
    const a = { id: joined['memberId'] as string, epoch: joined['memberEpoch'] as number, owned: (joined['assignment'] ?? []) as Array<{ topic: string; partitions: number[] }> };
    const firstEpoch = a.epoch;
    loop = (async () => {
      while (beating) {
        await new Promise((r) => setTimeout(r, 200));
        const r = await call(coordinator, 'groupHeartbeat', { groupId: GROUP, memberId: a.id, memberEpoch: a.epoch, ownedPartitions: a.owned, rebalanceTimeoutMs: 30_000, clientId: 'a' }).catch(() => ({}) as Body);
        if (r['code'] !== 'OK') continue;
        a.epoch = r['memberEpoch'] as number;
        if (r['assignment'] !== undefined) a.owned = r['assignment'] as typeof a.owned;
      }
    })();
    const commit = (memberId: string, memberEpoch: number, partition: number, offset: number): Promise<Body> =>
      call(coordinator, 'offsetCommit', { groupId: GROUP, memberId, memberEpoch, offsets: [{ topic: 'orders', partition, offset }] });
    t.deepEqual(await commit(a.id, a.epoch, 0, 5), { code: 'OK', results: [{ topic: 'orders', partition: 0, code: 'OK' }] });
    const before = await admin.fetchOffsets(GROUP);
    t.deepEqual(before.map((o) => [o.partition, o.offset]), [[0, 5]]);

    // Epochs: newer than the member's is fenced, an unknown member is unknown, a heartbeat off its epoch is fenced.
    t.is((await commit(a.id, a.epoch + 1, 0, 9))['code'], 'FENCED_MEMBER_EPOCH');
    t.is((await commit('nobody', 1, 0, 9))['code'], 'UNKNOWN_MEMBER_ID');
    t.is((await call(coordinator, 'groupHeartbeat', { groupId: GROUP, memberId: 'nobody', memberEpoch: 3, ownedPartitions: [], rebalanceTimeoutMs: 30_000, clientId: 'x' }))['code'], 'UNKNOWN_MEMBER_ID');
    t.is((await call(coordinator, 'groupHeartbeat', { groupId: GROUP, memberId: a.id, memberEpoch: a.epoch + 5, ownedPartitions: [], rebalanceTimeoutMs: 30_000, clientId: 'a' }))['code'], 'FENCED_MEMBER_EPOCH');

    // A second member takes half the partitions: A's epoch moves on, and a commit with its first epoch is stale.
    const b = await call(coordinator, 'groupHeartbeat', { groupId: GROUP, memberId: '', memberEpoch: 0, subscribedTopics: ['orders'], ownedPartitions: [], rebalanceTimeoutMs: 30_000, clientId: 'b' });
    t.is(b['code'], 'OK');
    await until(() => (a.epoch > firstEpoch && a.owned.flatMap((x) => x.partitions).length === 2) || undefined, 20_000, 'A to give up two partitions');
    t.is((await commit(a.id, firstEpoch, 0, 9))['code'], 'STALE_MEMBER_EPOCH');
    // A partition A no longer owns: refused per partition.
    const notOwned = [0, 1, 2, 3].find((p) => !a.owned.some((x) => x.partitions.includes(p))) as number;
    const refused = await commit(a.id, a.epoch, notOwned, 9);
    t.deepEqual(refused, { code: 'OK', results: [{ topic: 'orders', partition: notOwned, code: 'FENCED_MEMBER_EPOCH' }] });
    // A negative offset.
    t.is(((await commit(a.id, a.epoch, a.owned[0]?.partitions[0] as number, -4))['results'] as Body[])[0]?.['code'], 'INVALID_COMMIT_OFFSET');

    // The admin resets only an empty group.
    await admin.resetOffsets(GROUP, 'orders', 'latest').then(() => t.fail('reset accepted'), (e: BrookError) => t.is(e.code, 'NON_EMPTY_GROUP'));
    // Regular expressions that do not compile: refused by the SDK, and by the coordinator for a raw client.
    const consumer = client.consumer({ groupId: 'regex', autoOffsetReset: 'earliest' });
    await consumer.subscribe('orders[').then(() => t.fail('subscribed'), (e: BrookError) => t.is(e.code, 'INVALID_REGULAR_EXPRESSION'));
    await consumer.close();
    const badRegex = await call(coordinator, 'groupHeartbeat', { groupId: GROUP, memberId: '', memberEpoch: 0, subscribedRegex: '(', ownedPartitions: [], rebalanceTimeoutMs: 30_000, clientId: 'c' });
    t.is(badRegex['code'], 'INVALID_REGULAR_EXPRESSION');
    // Empty group ids.
    t.throws(() => client.consumer({ groupId: '' }), { instanceOf: BrookError, message: /empty/ });
    try { client.consumer({ groupId: '' }); } catch (e) { t.is((e as BrookError).code, 'INVALID_GROUP_ID'); }
    await admin.describeGroup('').then(() => t.fail('described'), (e: BrookError) => t.is(e.code, 'INVALID_GROUP_ID'));
    t.is((await call(coordinator, 'offsetCommit', { groupId: '', memberId: a.id, memberEpoch: a.epoch, offsets: [{ topic: 'orders', partition: 0, offset: 9 }] }))['code'], 'INVALID_GROUP_ID');

    t.deepEqual(await admin.fetchOffsets(GROUP), before, 'no refused request moved a committed offset');

    // A removed member's commit is fenced, not merely unknown.
    beating = false;
    await loop;
    t.is((await call(coordinator, 'groupHeartbeat', { groupId: GROUP, memberId: a.id, memberEpoch: -1, ownedPartitions: [], rebalanceTimeoutMs: 30_000, clientId: 'a' }))['code'], 'OK');
    t.is((await commit(a.id, a.epoch, 0, 9))['code'], 'FENCED_MEMBER_EPOCH');
    t.deepEqual(await admin.fetchOffsets(GROUP), before, 'the removed member moved nothing');
  } finally {
    beating = false;
    await loop;
    rpc.close();
    admin.close();
    await client.close();
  }
});

test.serial('a subscription to a missing topic waits, then consumes the topic once it exists', async (t) => {
  const { admin, client } = await cluster.client();
  const consumer = client.consumer({ groupId: 'waiting', autoOffsetReset: 'earliest', maxWaitMs: 50 });
  try {
    await consumer.subscribe(['later']);
    for (let i = 0; i < 5; i++) t.deepEqual(await consumer.poll({ timeoutMs: 200 }), [], 'nothing to read, and no error');
    await admin.createTopic('later', { partitions: 2, replicationFactor: 3 });
    const producer = client.producer({ acks: 'all', lingerMs: 0 });
    await until(async () => { await producer.send('later', [{ key: 'k1', value: 'one' }, { key: 'k2', value: 'two' }]); return true; }, 20_000, 'a send to the new topic');
    const values = new Set<string>();
    await until(async () => {
      for (const r of await consumer.poll({ timeoutMs: 200 })) values.add(Buffer.from(r.value ?? []).toString());
      return values.has('one') && values.has('two') ? true : undefined;
    }, 30_000, 'the records of the new topic');
    t.deepEqual([...values].sort(), ['one', 'two']);
    // Through the SDK, a commit for a partition the member does not own is refused before it is sent
    // (the coordinator would refuse it per partition, as the raw commit above shows) and moves nothing.
    await consumer.commit();
    const committed = await admin.fetchOffsets('waiting');
    await consumer.commit([{ topic: 'orders', partition: 1, offset: 3 }]).then(() => t.fail('committed'), (e: BrookError) => { t.is(e.code, 'INVALID_REQUEST'); t.regex(e.message, /not owned/); });
    t.deepEqual(await admin.fetchOffsets('waiting'), committed);
    await producer.close();
  } finally {
    await consumer.close();
    admin.close();
    await client.close();
  }
});
