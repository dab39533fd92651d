// Goal: kafkajs 2.2.4 works against Brook unchanged — admin (cluster, create/delete topics,
// metadata, offsets, offsets by time), producers (idempotent, acks -1/1/0, gzip, headers,
// explicit timestamps), consumer groups with eachMessage and commits that a restarted member
// resumes from, a producer and a consumer running in parallel in one process — and its records
// cross to Brook's SDK and to kcat byte for byte, keys on the partitions Brook's murmur2 picks.
// Method: three `brook node join --kafka` processes over a real nats-server; kafkajs in this
// process, the SDK over NATS, kcat as a process.
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { CompressionTypes, Kafka, logLevel, type Consumer } from 'kafkajs';
import { KafkaCluster } from '../helpers/kafka-cluster.js';
import { eventually } from '../helpers/brook-processes.js';
import { keyPartition } from '../../actors/client/murmur2.js';

let cluster: KafkaCluster;
let kafka: Kafka;

test.before(async () => {
  cluster = await KafkaCluster.start('kjs', 3);
  kafka = new Kafka({ brokers: cluster.bootstrap.split(','), clientId: 'kafkajs-test', logLevel: logLevel.NOTHING });
});
test.after.always(async () => { await cluster?.stop(); });

test.serial('admin: cluster, create, metadata, offsets, offsets by time, delete', async (t) => {
  const admin = kafka.admin();
  await admin.connect();
  const described = await admin.describeCluster();
  t.deepEqual(described.brokers.map((b) => b.port).sort(), [...cluster.ports.values()].sort());
  t.true(described.brokers.some((b) => b.nodeId === described.controller));
  t.true(await admin.createTopics({ topics: [{ topic: 'adm', numPartitions: 3 }], waitForLeaders: true }));
  t.false(await admin.createTopics({ topics: [{ topic: 'adm', numPartitions: 3 }] }).catch(() => false), 'a second create is refused or reports nothing created');
  t.true((await admin.listTopics()).includes('adm'));
  const meta = await admin.fetchTopicMetadata({ topics: ['adm'] });
  t.is(meta.topics[0]?.name, 'adm');
  t.deepEqual(meta.topics[0]?.partitions.map((p) => p.partitionId).sort(), [0, 1, 2]);
  const brokerIds = described.brokers.map((b) => b.nodeId);
  t.true(meta.topics[0]?.partitions.every((p) => brokerIds.includes(p.leader) && p.replicas.length === 3 && p.isr.length === 3), 'leaders are brokers; three replicas in sync');
  const producer = kafka.producer();
  await producer.connect();
  const before = Date.now();
  await producer.send({ topic: 'adm', messages: [{ value: 'a', partition: 0 }, { value: 'b', partition: 0 }, { value: 'c', partition: 2 }] });
  await producer.disconnect();
  const offsets = await admin.fetchTopicOffsets('adm');
  t.deepEqual(offsets.map((o) => [o.partition, o.high, o.low]).sort(), [[0, '2', '0'], [1, '0', '0'], [2, '1', '0']]);
  const byTime = await admin.fetchTopicOffsetsByTimestamp('adm', before - 1000);
  t.deepEqual(byTime.filter((o) => o.partition !== 1).map((o) => [o.partition, o.offset]).sort(), [[0, '0'], [2, '0']]);
  await admin.deleteTopics({ topics: ['adm'] });
  await eventually(async () => (!(await admin.listTopics()).includes('adm') ? true : undefined), 20_000, 'adm deleted');
  await admin.disconnect();
});

test.serial('producers: idempotent, acks -1, 1 and 0, gzip, headers and explicit timestamps read back intact', async (t) => {
  await cluster.admin.createTopic('prod', { partitions: 1, replicationFactor: 3 });
  await cluster.waitLeaders('prod', 1);
  const idempotent = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  const plain = kafka.producer();
  await idempotent.connect();
  await plain.connect();
  // A recent timestamp: retention (7 days) deletes a batch whose newest record is older, however new the write.
  const stamp = Date.now() - 60_000;
  await idempotent.send({ topic: 'prod', acks: -1, messages: [{ key: 'k1', value: 'idem', headers: { h: 'x' }, timestamp: String(stamp) }] });
  await plain.send({ topic: 'prod', acks: 1, compression: CompressionTypes.GZIP, messages: [{ key: 'k2', value: 'gzip-1' }, { key: 'k3', value: 'gzip-2' }] });
  await plain.send({ topic: 'prod', acks: 0, messages: [{ key: 'k4', value: 'acks0' }] });
  await idempotent.send({ topic: 'prod', acks: -1, messages: [{ key: null, value: null }] });
  await idempotent.disconnect();
  await plain.disconnect();
  const consumer = kafka.consumer({ groupId: 'prod-reader' });
  const got: Array<{ offset: string; key: string | null; value: string | null; headers: string; timestamp: string }> = [];
  await consumer.connect();
  await consumer.subscribe({ topics: ['prod'], fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => {
    got.push({ offset: message.offset, key: message.key?.toString() ?? null, value: message.value?.toString() ?? null,
      headers: JSON.stringify(Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]))), timestamp: message.timestamp });
  } });
  await eventually(async () => (got.length >= 5 ? true : undefined), 30_000, 'five records');
  await consumer.disconnect();
  t.deepEqual(got.map((r) => [r.offset, r.key, r.value]), [['0', 'k1', 'idem'], ['1', 'k2', 'gzip-1'], ['2', 'k3', 'gzip-2'], ['3', 'k4', 'acks0'], ['4', null, null]]);
  t.is(got[0]?.headers, '{"h":"x"}');
  t.is(got[0]?.timestamp, String(stamp));
});

async function drain(consumer: Consumer, topic: string, seen: string[]): Promise<void> {
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({ eachMessage: async ({ partition, message }) => { seen.push(`${partition}:${message.offset}:${message.value?.toString() ?? ''}`); } });
}

test.serial('a consumer group with eachMessage: members split the topic, commit, and a restarted member resumes from its commits', async (t) => {
  await cluster.admin.createTopic('grp', { partitions: 4, replicationFactor: 3 });
  await cluster.waitLeaders('grp', 4);
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  await producer.send({ topic: 'grp', messages: Array.from({ length: 80 }, (_, i) => ({ key: `k${i}`, value: `first-${i}` })) });
  const seenA: string[] = [];
  const seenB: string[] = [];
  const a = kafka.consumer({ groupId: 'kjs-g', sessionTimeout: 10_000, heartbeatInterval: 500 });
  const b = kafka.consumer({ groupId: 'kjs-g', sessionTimeout: 10_000, heartbeatInterval: 500 });
  await a.connect();
  await b.connect();
  await drain(a, 'grp', seenA);
  await drain(b, 'grp', seenB);
  await eventually(async () => (new Set([...seenA, ...seenB].map((s) => s.split(':')[2])).size === 80 ? true : undefined), 60_000, 'all 80 first records');
  const partitions = (seen: string[]): Set<string> => new Set(seen.map((s) => s.split(':')[0] as string));
  t.true(partitions(seenA).size > 0 && partitions(seenB).size > 0, `both members consumed (${[...partitions(seenA)]} / ${[...partitions(seenB)]})`);
  await a.disconnect();
  await b.disconnect();
  const admin = kafka.admin();
  await admin.connect();
  const committed = await admin.fetchOffsets({ groupId: 'kjs-g', topics: ['grp'] });
  const ends = await admin.fetchTopicOffsets('grp');
  t.deepEqual(committed[0]?.partitions.map((p) => [p.partition, p.offset]).sort(), ends.map((e) => [e.partition, e.high]).sort(), 'commits reached the log ends');
  await producer.send({ topic: 'grp', messages: Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: `second-${i}` })) });
  const seenC: string[] = [];
  const c = kafka.consumer({ groupId: 'kjs-g', sessionTimeout: 10_000, heartbeatInterval: 500 });
  await c.connect();
  await drain(c, 'grp', seenC);
  await eventually(async () => (seenC.length >= 20 ? true : undefined), 60_000, 'the 20 new records');
  await c.disconnect();
  t.deepEqual(seenC.filter((s) => s.includes(':first-')), [], 'nothing before the commits is read again');
  t.is(new Set(seenC.map((s) => s.split(':')[2])).size, 20);
  await producer.disconnect();
  await admin.disconnect();
});

test.serial('records cross between kafkajs, the SDK and kcat byte for byte, keys on the same partitions', async (t) => {
  await cluster.admin.createTopic('xj', { partitions: 6, replicationFactor: 3 });
  await cluster.waitLeaders('xj', 6);
  const keys = Array.from({ length: 20 }, (_, i) => `key-${i * 31}`);
  const values = new Map(keys.map((k) => [k, randomBytes(64)]));
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: 'xj', messages: keys.map((k) => ({ key: k, value: values.get(k) as Buffer, headers: { from: 'kafkajs' } })) });
  await producer.disconnect();
  const sdkProducer = cluster.client.producer({ acks: 'all' });
  await sdkProducer.send('xj', keys.map((k) => ({ key: `sdk-${k}`, value: values.get(k) as Buffer })));
  await sdkProducer.close();
  // The SDK reads kafkajs's records.
  const consumer = cluster.client.consumer({});
  await consumer.assign(Array.from({ length: 6 }, (_, p) => ({ topic: 'xj', partition: p, offset: 'earliest' as const })));
  const bySdk = new Map<string, { partition: number; value: string }>();
  const deadline = Date.now() + 20_000;
  while (bySdk.size < keys.length * 2 && Date.now() < deadline) {
    for (const r of await consumer.poll({ timeoutMs: 500 })) bySdk.set(Buffer.from(r.key as Uint8Array).toString(), { partition: r.partition, value: Buffer.from(r.value as Uint8Array).toString('hex') });
  }
  await consumer.close();
  for (const k of keys) {
    t.deepEqual(bySdk.get(k), { partition: keyPartition(Buffer.from(k), 6), value: (values.get(k) as Buffer).toString('hex') }, `kafkajs's ${k}`);
  }
  // kafkajs reads the SDK's records.
  const kjs = kafka.consumer({ groupId: 'xj-reader' });
  const byKafkajs = new Map<string, { partition: number; value: string }>();
  await kjs.connect();
  await kjs.subscribe({ topics: ['xj'], fromBeginning: true });
  await kjs.run({ eachMessage: async ({ partition, message }) => { byKafkajs.set(message.key?.toString() ?? '', { partition, value: message.value?.toString('hex') ?? '' }); } });
  await eventually(async () => (byKafkajs.size >= keys.length * 2 ? true : undefined), 30_000, 'kafkajs reading everything');
  await kjs.disconnect();
  for (const k of keys) {
    t.deepEqual(byKafkajs.get(`sdk-${k}`), { partition: keyPartition(Buffer.from(`sdk-${k}`), 6), value: (values.get(k) as Buffer).toString('hex') }, `the SDK's ${k}`);
  }
  // kcat reads kafkajs's records with their header.
  const consumed = await cluster.kcat(['-C', '-t', 'xj', '-o', 'beginning', '-e', '-q', '-f', '%p %k %h\n']);
  const lines = new Set(consumed.stdout.trim().split('\n'));
  for (const k of keys) t.true(lines.has(`${keyPartition(Buffer.from(k), 6)} ${k} from=kafkajs`), `kcat reads kafkajs's ${k}`);
});

test.serial('a producer and a consumer running in parallel in one process: every record consumed once', async (t) => {
  await cluster.admin.createTopic('par', { partitions: 3, replicationFactor: 3 });
  await cluster.waitLeaders('par', 3);
  const counts = new Map<string, number>();
  const consumer = kafka.consumer({ groupId: 'par-g', sessionTimeout: 10_000, heartbeatInterval: 500 });
  await consumer.connect();
  await consumer.subscribe({ topics: ['par'], fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => {
    const v = message.value?.toString() ?? '';
    counts.set(v, (counts.get(v) ?? 0) + 1);
  } });
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  const sent: string[] = [];
  // The consumer fetches while these sends are in flight: both share this process's event loop.
  for (let b = 0; b < 30; b++) {
    const values = Array.from({ length: 10 }, (_, i) => `p-${b}-${i}`);
    await producer.send({ topic: 'par', acks: -1, messages: values.map((value, i) => ({ key: `k${i}`, value })) });
    sent.push(...values);
  }
  await producer.disconnect();
  await eventually(async () => (sent.every((v) => counts.has(v)) ? true : undefined), 60_000, 'every produced record consumed');
  t.is(counts.size, 300);
  await consumer.disconnect();
  t.deepEqual([...counts.entries()].filter(([, n]) => n !== 1), [], 'no record consumed twice');
  t.deepEqual([...counts.keys()].filter((v) => !sent.includes(v)), [], 'nothing consumed that was not produced');
});
