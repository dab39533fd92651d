// Kafka clients against Brook next to Brook's own SDK, in one run: producer and consumer
// throughput of kafkajs, @platformatic/kafka and kcat through the Kafka listeners, and of the SDK
// over NATS, on the same cluster (3 `brook node join --kafka` processes, nats-server, RF 3,
// acks=all, min ISR 2). Every client writes its own topic and reads it back.
//   npx tsx bench/kafka.ts [--records 50000] [--bytes 1024] [--partitions 6] [--clients sdk,kafkajs,platformatic,kcat] [--record]
// --record appends the report to bench/RESULTS.md.
import fs from 'node:fs/promises';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { commandVersion, describeMachine, formatMachine } from './lib/machine.js';
import { formatNumber, markdownTable } from './lib/table.js';
import { KafkaCluster } from '../test/helpers/kafka-cluster.js';
import { eventually } from '../test/helpers/brook-processes.js';
import { consumeKafkajs, consumeKcat, consumePlatformatic, consumeSdk, produceKafkajs, produceKcat, producePlatformatic, produceSdk, type Run, type Shape } from './kafka/clients.js';

const { values } = parseArgs({ options: { records: { type: 'string', default: '50000' }, bytes: { type: 'string', default: '1024' },
  partitions: { type: 'string', default: '6' }, clients: { type: 'string', default: 'sdk,kafkajs,platformatic,kcat' }, record: { type: 'boolean', default: false } } });
const shape: Shape = { records: Number(values.records), bytes: Number(values.bytes), chunk: 500, inFlight: 8 };
const partitions = Number(values.partitions);
const machine = describeMachine({ 'nats-server': commandVersion('nats-server', ['--version']), kcat: commandVersion('dpkg-query', ['-W', '-f=${Version}', 'kcat']) });

const cluster = await KafkaCluster.start('kbench', 3);
const producers: Run[] = [];
const consumers: Run[] = [];
try {
  const clients: Array<[string, (topic: string) => Promise<Run>, (topic: string) => Promise<Run>]> = [
    ['sdk', (t) => produceSdk(cluster, t, shape), (t) => consumeSdk(cluster, t, shape.records, partitions)],
    ['kafkajs', (t) => produceKafkajs(cluster, t, shape), (t) => consumeKafkajs(cluster, t, shape.records)],
    ['platformatic', (t) => producePlatformatic(cluster, t, shape), (t) => consumePlatformatic(cluster, t, shape.records)],
    ['kcat', (t) => produceKcat(cluster, t, shape), (t) => consumeKcat(cluster, t, shape.records)],
  ];
  for (const [name, produce, consume] of clients.filter(([n]) => values.clients.split(',').includes(n))) {
    const topic = `bench-${name}`;
    await cluster.admin.createTopic(topic, { partitions, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } });
    await eventually(async () => ((await cluster.admin.describeTopic(topic)).partitions.every((p) => p.leader > 0 && p.isr.length === 3) ? true : undefined), 30_000, topic);
    const p = await produce(topic);
    console.error(`  ${p.client}: produced ${p.records} in ${Math.round(p.ms)} ms`);
    producers.push(p);
    const c = await consume(topic);
    console.error(`  ${c.client}: consumed ${c.records} in ${Math.round(c.ms)} ms`);
    consumers.push(c);
  }
} finally {
  await cluster.stop();
}

const row = (r: Run): Array<string | number> => [r.client, r.records, Math.round(r.ms), r.records / (r.ms / 1000), (r.records * shape.bytes) / (r.ms / 1000) / 2 ** 20];
const header = ['client', 'records', 'ms', 'records/s', 'MiB/s'];
const report = [
  `## Kafka clients against Brook (\`bench/kafka.ts\`)`,
  '',
  `- Command: \`npx tsx bench/kafka.ts --records ${shape.records} --bytes ${shape.bytes} --partitions ${partitions}${values.record ? ' --record' : ''}\``,
  `- Date: ${new Date().toISOString()}; load average at end ${formatNumber(os.loadavg()[0] ?? 0, 2)}`,
  `- Machine: ${formatMachine(machine)} — 2 shared vCPUs: other jobs share the cores, and the clients run on the same machine as nats-server and the nodes.`,
  `- Setup: nats-server + 3 \`brook node join --kafka\` processes on loopback; each client writes ${formatNumber(shape.records)} records of ${shape.bytes} B`,
  `  (keys \`k<i>\`) to its own ${partitions}-partition topic, RF 3, min ISR 2, acks=all, ${shape.chunk} records per send with ${shape.inFlight} sends in flight`,
  '  (kcat: one process reading the lines from stdin), then reads the topic back. The SDK speaks to the nodes over NATS; the Kafka clients through',
  '  the nodes\' Kafka listeners. Consumers are timed first record → last (group joins excluded); kcat over its whole process.',
  '',
  'Produce:',
  '',
  markdownTable(header, producers.map(row)),
  '',
  'Consume:',
  '',
  markdownTable(header, consumers.map(row)),
  '',
].join('\n');
process.stdout.write(report + '\n');
if (values.record) await fs.appendFile(new URL('./RESULTS.md', import.meta.url), '\n' + report);
