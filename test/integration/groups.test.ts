// Goal: consumer groups end to end: two members of one group share a 6-partition topic, every
// record is seen, commits survive close, and a new member resumes from the committed offsets;
// the admin API describes the group with lag. Method: a 3-node in-process cluster on real LevelDB
// (test/helpers/local-cluster.ts) with the group coordinators the nodes host.
import test from 'ava';
import { LocalCluster, until } from '../helpers/local-cluster.js';
import type { Consumer, ConsumerRecord } from '../../runtime/sdk/index.js';

let cluster: LocalCluster;
test.before(async () => { cluster = new LocalCluster(3); await cluster.start(); });
test.after.always(async () => { await cluster?.stop(); });

const TOPIC = 'orders';
const RECORDS = 600;

/** Polls `consumers` in turn (each must poll for its rebalances to finish) until `done` says stop. */
async function drain(consumers: Consumer[], seen: ConsumerRecord[], done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`saw ${seen.length} records before the deadline`);
    for (const c of consumers) seen.push(...await c.poll({ maxRecords: 200, timeoutMs: 100 }));
  }
}

test('two members share a topic, commits survive close, a new member resumes from them', async (t) => {
  const { client, admin } = await cluster.client();
  await until(async () => (await admin.metadata()).nodes.filter((n) => n.state === 'unfenced').length === 3 || undefined, 20_000, 'nodes');
  await admin.createTopic(TOPIC, { partitions: 6, replicationFactor: 3 });
  const producer = client.producer({ acks: 'all', lingerMs: 0 });
  await producer.send(TOPIC, Array.from({ length: RECORDS }, (_, i) => ({ key: `k${i}`, value: `v${i}` })));

  const assigned: string[][] = [[], []];
  const members = [0, 1].map((i) => client.consumer({ groupId: 'billing', autoOffsetReset: 'earliest', autoCommitIntervalMs: 200, maxWaitMs: 50,
    onAssigned: (ps) => { assigned[i]?.push(...ps.map((p) => `${p.topic}/${p.partition}`)); } }));
  for (const m of members) await m.subscribe([TOPIC]);
  const seen: ConsumerRecord[] = [];
  await drain(members, seen, () => new Set(seen.map((r) => `${r.partition}/${r.offset}`)).size >= RECORDS, 60_000);
  t.is(new Set(seen.map((r) => `${r.partition}/${r.offset}`)).size, RECORDS, 'every record seen');
  // Rebalance notices (and so onAssigned) are handed out by polls: keep polling while the second member gets its share.
  await drain(members, seen, () => (assigned[0]?.length ?? 0) > 0 && (assigned[1]?.length ?? 0) > 0, 20_000);
  for (const m of members) await m.commit();

  const description = await admin.describeGroup('billing');
  t.is(description.state, 'stable');
  t.is(description.members.length, 2);
  t.is(description.partitions.length, 6);
  t.true(description.partitions.every((p) => p.lag === 0 && p.committedOffset === p.logEndOffset), 'everything committed');
  t.deepEqual((await admin.listGroups()).map((g) => g.groupId), ['billing']);

  for (const m of members) await m.close();
  await producer.send(TOPIC, Array.from({ length: 60 }, (_, i) => ({ key: `late${i}`, value: `late${i}` })));
  const resumed = client.consumer({ groupId: 'billing', autoOffsetReset: 'earliest', maxWaitMs: 50 });
  await resumed.subscribe([TOPIC]);
  const later: ConsumerRecord[] = [];
  await drain([resumed], later, () => later.length >= 60, 60_000);
  t.true(later.every((r) => Buffer.from(r.value ?? []).toString().startsWith('late')), 'the new member starts at the committed offsets, not at the log start');
  await resumed.close();
  await t.throwsAsync(admin.describeGroup('nobody'), { message: /./ });

  const plan = await admin.planOffsetReset('billing', TOPIC, 'earliest');
  t.true(plan.every((e) => e.newOffset === 0));
  await admin.resetOffsets('billing', TOPIC, 'earliest');
  t.true((await admin.fetchOffsets('billing')).every((o) => o.offset === 0));
  await producer.close();
  admin.close();
  await client.close();
});
