// Goal: a Produce sent to a node that does not lead the partition is refused with
// NOT_LEADER_OR_FOLLOWER (6), and a kafkajs producer whose metadata went stale when leadership
// moved gets that answer, refreshes and writes to the new leader. A kafkajs idempotent producer (acks=all) writing through a kill -9 of a partition leader
// loses nothing it was told was written and duplicates nothing, checked record by record; the
// Metadata every surviving node gives is the same (one controller view, the new leaders), and so is
// the coordinator FindCoordinator names for a group.
// Method: three `brook node join --kafka` processes over a real nats-server, RF 3, min ISR 2;
// raw Produce requests; leadership moved with a reassignment and a preferred leader election;
// kafkajs sends 60 batches of 20 unique values, the leader of partition 0 is killed after the
// 20th; Brook's SDK then reads every partition to its end.
import test from 'ava';
import { Kafka, logLevel } from 'kafkajs';
import { KafkaCluster, run } from '../helpers/kafka-cluster.js';
import { eventually } from '../helpers/brook-processes.js';
import { WireClient } from '../helpers/kafka-wire.js';
import { findCoordinator, produce } from '../../runtime/kafka/schemas/index.js';
import { recordBatch } from '../helpers/kafka-wire.js';

let cluster: KafkaCluster;

test.before(async () => { cluster = await KafkaCluster.start('failover', 3); });
test.after.always(async () => { await cluster?.stop(); });

test.serial('FindCoordinator on every node names the same coordinator', async (t) => {
  // Before any node is killed: the offsets topic is created only while all its replicas' nodes are up (Kafka's offsets.topic.replication.factor).
  const answers = await Promise.all([...cluster.processes.nodes.values()].map(async (n) => {
    const wire = await WireClient.open(cluster.ports.get(n.id) as number);
    try {
      for (let attempt = 0; ; attempt++) {
        const reply = await wire.request(findCoordinator, 2, { key: 'same-everywhere', keyType: 0 });
        if (reply['errorCode'] === 0 || attempt > 50) return `${String(reply['errorCode'])}:${String(reply['nodeId'])}:${String(reply['port'])}`;
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally { wire.close(); }
  }));
  t.is(answers.length, 3);
  t.is(new Set(answers).size, 1, answers.join(' / '));
  t.true(answers[0]?.startsWith('0:'), answers.join(' / '));
});

test.serial('a Produce to a node that does not lead the partition gets NOT_LEADER_OR_FOLLOWER (6); a kafkajs producer with stale metadata recovers to the new leader', async (t) => {
  await cluster.admin.createTopic('nl', { partitions: 1, replicationFactor: 3 });
  await cluster.waitLeaders('nl', 1);
  const { leader, replicas } = (await cluster.admin.describeTopic('nl')).partitions[0] as { leader: number; replicas: number[] };
  const other = replicas.find((r) => r !== leader) as number;
  const produceTo = async (node: number, value: string): Promise<number> => {
    const wire = await WireClient.open(cluster.ports.get(node) as number);
    try {
      const reply = await wire.request(produce, 7, { transactionalId: null, acks: -1, timeoutMs: 10_000,
        topicData: [{ name: 'nl', partitionData: [{ index: 0, records: await recordBatch([value]) }] }] });
      return (reply['responses'] as Array<{ partitionResponses: Array<{ errorCode: number }> }>)[0]?.partitionResponses[0]?.errorCode as number;
    } finally { wire.close(); }
  };
  t.is(await produceTo(other, 'refused'), 6, `node ${other} does not lead nl/0 (node ${leader} does)`);
  // The new partition's leader may still answer LEADER_NOT_AVAILABLE (5, retriable) for a moment.
  const written = await eventually(async () => { const code = await produceTo(leader, 'wire'); return code === 5 ? undefined : code; }, 30_000, 'a write at the leader');
  t.is(written, 0, 'the same request to the leader is written');

  const refusals: string[] = [];
  const kafka = new Kafka({ brokers: cluster.bootstrap.split(','), clientId: 'nl', logLevel: logLevel.ERROR,
    logCreator: () => ({ log }) => { if (/not the leader/i.test(String(log.message))) refusals.push(String(log.message)); },
    retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 2000 } });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: 'nl', acks: -1, messages: [{ value: 'before' }] });
  // Move leadership to `other`: it becomes the preferred replica, then the preferred leader.
  await cluster.admin.alterPartitionReassignment('nl', 0, [other, ...replicas.filter((r) => r !== other)]);
  await eventually(async () => {
    const p = (await cluster.admin.describeTopic('nl')).partitions[0];
    if (p?.replicas[0] !== other) return undefined;
    if (p.leader !== other) await cluster.admin.electLeaders('nl', [0]);
    return p.leader === other ? true : undefined;
  }, 30_000, `node ${other} leading nl/0`);
  await cluster.waitLeaders('nl', 1, other);
  // The producer still believes the old leader: its send is refused there, and it recovers.
  await producer.send({ topic: 'nl', acks: -1, messages: [{ value: 'after' }] });
  await producer.disconnect();
  t.true(refusals.length > 0, 'kafkajs was answered NOT_LEADER_OR_FOLLOWER by the old leader');
  const consumed = await cluster.kcat(['-C', '-t', 'nl', '-o', 'beginning', '-e', '-q', '-f', '%s\n']);
  t.deepEqual(consumed.stdout.trim().split('\n'), ['wire', 'before', 'after'], 'each record once; the refused one nowhere');
});

test.serial('an idempotent kafkajs producer through kill -9 of a partition leader: no loss, no duplicate', async (t) => {
  await cluster.admin.createTopic('fo', { partitions: 3, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } });
  await eventually(async () => ((await cluster.admin.describeTopic('fo')).partitions.every((p) => p.leader > 0 && p.isr.length === 3) ? true : undefined), 30_000, 'ISRs');
  // Every node's listener knows the topic's leaders before the first send. Otherwise a node that has
  // not applied the new topic yet answers the first produce LEADER_NOT_AVAILABLE, and kafkajs 2.2.4
  // retries such a send by sending the partitions that did succeed again under their next
  // sequence numbers: a duplicate the broker cannot tell from new records (a client defect).
  await cluster.waitLeaders('fo', 3);
  const victim = (await cluster.admin.describeTopic('fo')).partitions[0]?.leader as number;
  const kafka = new Kafka({ brokers: cluster.bootstrap.split(','), clientId: 'fo', logLevel: logLevel.NOTHING,
    retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 2000 } });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const acknowledged = new Set<string>();
  const failed = new Set<string>();
  for (let b = 0; b < 60; b++) {
    if (b === 20) await cluster.processes.kill9(victim);
    const values = Array.from({ length: 20 }, (_, i) => `v-${b}-${i}`);
    try {
      await producer.send({ topic: 'fo', acks: -1, messages: values.map((v, i) => ({ key: `k${(b * 20 + i) % 97}`, value: v })) });
      for (const v of values) acknowledged.add(v);
    } catch {
      for (const v of values) failed.add(v);
    }
  }
  await producer.disconnect();
  t.log(`killed node ${victim}; acknowledged ${acknowledged.size}, failed ${failed.size}`);
  t.true(acknowledged.size >= 1000, 'most batches were acknowledged despite the failover');

  const ends = await eventually(async () => {
    const offsets = await cluster.admin.listOffsets('fo', 'latest');
    return offsets.length === 3 ? offsets : undefined;
  }, 30_000, 'log ends');
  const consumer = cluster.client.consumer({});
  await consumer.assign([0, 1, 2].map((p) => ({ topic: 'fo', partition: p, offset: 'earliest' as const })));
  const counts = new Map<string, number>();
  const positions = new Map<number, number>();
  const deadline = Date.now() + 30_000;
  while (ends.some((e) => (positions.get(e.partition) ?? 0) < e.offset) && Date.now() < deadline) {
    for (const r of await consumer.poll({ timeoutMs: 500 })) {
      const v = Buffer.from(r.value as Uint8Array).toString();
      counts.set(v, (counts.get(v) ?? 0) + 1);
      positions.set(r.partition, r.offset + 1);
    }
  }
  await consumer.close();
  const lost = [...acknowledged].filter((v) => counts.get(v) !== 1).map((v) => `${v}×${counts.get(v) ?? 0}`);
  const duplicated = [...counts.entries()].filter(([, n]) => n > 1).map(([v]) => v);
  t.deepEqual(lost, [], 'every acknowledged record is in the log exactly once');
  t.deepEqual(duplicated, [], 'no record is in the log twice');

  // Every surviving node gives the same Metadata: the same brokers, controller choice aside, and the same leaders.
  const views = await Promise.all([...cluster.ports.entries()].filter(([id]) => id !== victim).map(async ([, p]) => {
    type Listed = { brokers: Array<{ id: number }>; topics: Array<{ partitions: Array<{ partition: number; leader: number }> }> };
    // kcat gives up on a node that is slow to answer (the machine is shared): ask again.
    const meta = await eventually(async () => {
      const listed = await run('kcat', ['-b', `127.0.0.1:${p}`, '-L', '-J', '-t', 'fo', '-m', '10']);
      return listed.code === 0 && listed.stdout.trim() !== '' ? JSON.parse(listed.stdout) as Listed : undefined;
    }, 60_000, `kcat -L against port ${p}`);
    return JSON.stringify({ brokers: meta.brokers.map((x) => x.id).sort(), leaders: meta.topics[0]?.partitions.map((x) => [x.partition, x.leader]) });
  }));
  t.is(new Set(views).size, 1, `identical metadata from every live node: ${views.join(' / ')}`);
  t.false(views[0]?.includes(`${victim}]`) ?? true, 'the killed node leads nothing');
});
