// Goal: @platformatic/kafka (a client that speaks only flexible protocol versions: ApiVersions v3,
// Metadata v9, Produce v9, Fetch v12, JoinGroup v6, OffsetFetch v8 with several groups, …)
// works against Brook unchanged: admin, an idempotent producer, a consumer group that commits, and
// the group's offsets and description as its admin reads them.
// Method: three `brook node join --kafka` processes over a real nats-server; the client in this
// process; kcat reads what it wrote.
import test from 'ava';
import { Admin, Consumer, MessagesStreamModes, Producer, stringDeserializers, stringSerializers } from '@platformatic/kafka';
import { KafkaCluster } from '../helpers/kafka-cluster.js';
import { eventually } from '../helpers/brook-processes.js';

let cluster: KafkaCluster;

test.before(async () => { cluster = await KafkaCluster.start('plt', 3); });
test.after.always(async () => { await cluster?.stop(); });

test.serial('admin, idempotent producer, consumer group with commits, group offsets and description', async (t) => {
  const bootstrapBrokers = cluster.bootstrap.split(',');
  const admin = new Admin({ clientId: 'plt-admin', bootstrapBrokers });
  await admin.createTopics({ topics: ['plt'], partitions: 3, replicas: 3 });
  t.true((await admin.listTopics()).includes('plt'));
  await cluster.waitLeaders('plt', 3);

  const producer = new Producer({ clientId: 'plt-producer', bootstrapBrokers, serializers: stringSerializers, idempotent: true });
  const messages = Array.from({ length: 30 }, (_, i) => ({ topic: 'plt', key: `k${i}`, value: `v${i}`, headers: new Map([['n', String(i)]]) }));
  await producer.send({ messages });
  await producer.close();

  const consumer = new Consumer({ groupId: 'plt-g', clientId: 'plt-consumer', bootstrapBrokers, deserializers: stringDeserializers,
    sessionTimeout: 10_000, heartbeatInterval: 500 });
  const stream = await consumer.consume({ topics: ['plt'], mode: MessagesStreamModes.EARLIEST, autocommit: 100 });
  const seen = new Map<string, string>();
  stream.on('data', (message: { key: string; value: string; headers: Map<string, string> }) => {
    seen.set(message.key, `${message.value}|${String(message.headers.get('n'))}`);
  });
  await eventually(async () => (seen.size === 30 ? true : undefined), 60_000, 'thirty records');
  t.deepEqual([...seen.entries()].sort(), messages.map((m, i) => [m.key, `${m.value}|${i}`] as [string, string]).sort());
  await new Promise((r) => setTimeout(r, 500)); // one autocommit interval
  const described = await admin.describeGroups({ groups: ['plt-g'] });
  t.is(described.get('plt-g')?.members.size, 1, 'the consumer is the group\'s one member');
  await stream.close();
  await consumer.close();

  const offsets = await admin.listConsumerGroupOffsets({ groups: ['plt-g'] });
  const committed = offsets[0]?.topics.find((x) => x.name === 'plt')?.partitions.map((p) => Number(p.committedOffset)).reduce((a, b) => a + b, 0);
  t.is(committed, 30, 'the commits cover every record');

  const consumed = await cluster.kcat(['-C', '-t', 'plt', '-o', 'beginning', '-e', '-q', '-f', '%k=%s\n']);
  t.is(new Set(consumed.stdout.trim().split('\n')).size, 30, 'kcat reads what @platformatic/kafka wrote');
  await admin.deleteTopics({ topics: ['plt'] });
  await admin.close();
});
