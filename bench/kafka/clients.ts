/**
 * One producer run and one consumer run per client — Brook's SDK over NATS, and kafkajs,
 * @platformatic/kafka and kcat through the Kafka listeners — each over its own topic, so every
 * client reads what it wrote. Producers keep `inFlight` sends of `chunk` records going; consumers
 * are timed from their first record to their last (a Kafka consumer group first waits out its
 * join, which is not throughput) and, for kcat, over the whole process.
 */
import { Kafka, logLevel } from 'kafkajs';
import { Consumer, MessagesStreamModes, Producer, ProduceAcks } from '@platformatic/kafka';
import type { KafkaCluster } from '../../test/helpers/kafka-cluster.js';
import { run } from '../../test/helpers/kafka-cluster.js';

export interface Run { client: string; records: number; ms: number }

async function pipelined(records: number, chunk: number, inFlight: number, send: (n: number) => Promise<unknown>): Promise<number> {
  const start = performance.now();
  const pending: Array<Promise<unknown>> = [];
  for (let i = 0; i < records; i += chunk) {
    pending.push(send(Math.min(chunk, records - i)));
    if (pending.length >= inFlight) await pending.shift();
  }
  await Promise.all(pending);
  return performance.now() - start;
}

export interface Shape { records: number; bytes: number; chunk: number; inFlight: number }

export async function produceSdk(cluster: KafkaCluster, topic: string, s: Shape): Promise<Run> {
  const producer = cluster.client.producer({ acks: 'all', lingerMs: 5 });
  const value = Buffer.alloc(s.bytes, 120);
  const ms = await pipelined(s.records, s.chunk, s.inFlight, (n) => producer.send(topic, Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value }))));
  await producer.close();
  return { client: 'Brook SDK', records: s.records, ms };
}

export async function produceKafkajs(cluster: KafkaCluster, topic: string, s: Shape): Promise<Run> {
  const kafka = new Kafka({ brokers: cluster.bootstrap.split(','), clientId: 'bench', logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 5 });
  await producer.connect();
  const value = Buffer.alloc(s.bytes, 120);
  const ms = await pipelined(s.records, s.chunk, s.inFlight, (n) => producer.send({ topic, acks: -1, messages: Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value })) }));
  await producer.disconnect();
  return { client: 'kafkajs (idempotent)', records: s.records, ms };
}

export async function producePlatformatic(cluster: KafkaCluster, topic: string, s: Shape): Promise<Run> {
  // Not idempotent: @platformatic/kafka 1.35 gives concurrent sends to one partition the same base sequence, so the
  // broker (Brook, as Kafka) keeps the first and answers the others as duplicates — records lost on the client's side.
  const producer = new Producer({ clientId: 'bench', bootstrapBrokers: cluster.bootstrap.split(','), acks: ProduceAcks.ALL });
  const value = Buffer.alloc(s.bytes, 120);
  const ms = await pipelined(s.records, s.chunk, s.inFlight, (n) => producer.send({ messages: Array.from({ length: n }, (_, i) => ({ topic, key: Buffer.from(`k${i}`), value })) }));
  await producer.close();
  return { client: '@platformatic/kafka', records: s.records, ms };
}

export async function produceKcat(cluster: KafkaCluster, topic: string, s: Shape): Promise<Run> {
  const line = 'x'.repeat(s.bytes);
  const input = Array.from({ length: s.records }, () => line).join('\n') + '\n';
  const start = performance.now();
  const done = await run('kcat', ['-b', cluster.bootstrap, '-P', '-t', topic, '-X', 'acks=all', '-X', 'enable.idempotence=true'], input, 600_000);
  if (done.code !== 0) throw new Error(`kcat -P: ${done.stderr}`);
  return { client: 'kcat -P (idempotent, whole process)', records: s.records, ms: performance.now() - start };
}

export async function consumeSdk(cluster: KafkaCluster, topic: string, records: number, partitions: number): Promise<Run> {
  const consumer = cluster.client.consumer({});
  await consumer.assign(Array.from({ length: partitions }, (_, p) => ({ topic, partition: p, offset: 'earliest' as const })));
  let seen = 0;
  let first = 0;
  while (seen < records) {
    const batch = await consumer.poll({ timeoutMs: 1000, maxRecords: 5000 });
    if (batch.length > 0 && first === 0) first = performance.now();
    seen += batch.length;
  }
  const ms = performance.now() - first;
  await consumer.close();
  return { client: 'Brook SDK', records, ms };
}

export async function consumeKafkajs(cluster: KafkaCluster, topic: string, records: number): Promise<Run> {
  const kafka = new Kafka({ brokers: cluster.bootstrap.split(','), clientId: 'bench', logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `bench-${topic}`, maxBytes: 50 * 1024 * 1024 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let seen = 0;
  let first = 0;
  const done = new Promise<number>((resolve) => {
    void consumer.run({ eachBatch: async ({ batch }) => {
      if (first === 0) first = performance.now();
      seen += batch.messages.length;
      if (seen >= records) resolve(performance.now() - first);
    } });
  });
  const ms = await done;
  await consumer.disconnect();
  return { client: 'kafkajs (group, eachBatch)', records, ms };
}

export async function consumePlatformatic(cluster: KafkaCluster, topic: string, records: number): Promise<Run> {
  const consumer = new Consumer({ groupId: `bench-${topic}`, clientId: 'bench', bootstrapBrokers: cluster.bootstrap.split(',') });
  const stream = await consumer.consume({ topics: [topic], mode: MessagesStreamModes.EARLIEST, autocommit: 1000 });
  let seen = 0;
  let first = 0;
  const ms = await new Promise<number>((resolve, reject) => {
    stream.on('error', reject);
    const progress = setInterval(() => console.error(`    @platformatic/kafka consumer: ${seen} records`), 5000);
    stream.on('data', () => {
      if (seen + 1 === records) clearInterval(progress);
      if (first === 0) first = performance.now();
      if (++seen === records) resolve(performance.now() - first);
    });
  });
  await stream.close();
  await consumer.close();
  return { client: '@platformatic/kafka (group)', records, ms };
}

export async function consumeKcat(cluster: KafkaCluster, topic: string, records: number): Promise<Run> {
  const start = performance.now();
  const done = await run('kcat', ['-b', cluster.bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%o\n'], undefined, 600_000);
  const lines = done.stdout.split('\n').filter((l) => l !== '').length;
  if (lines !== records) throw new Error(`kcat -C read ${lines} of ${records}`);
  return { client: 'kcat -C (whole process)', records, ms: performance.now() - start };
}
