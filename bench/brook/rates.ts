// Ack latency at chosen offered rates, with the CPU of every process of the cluster over each run and
// the messages that crossed nats-server (its /varz counters): where the latency of workload c turns
// into a queue, what each record costs, and what each message costs (set beside the machine's
// per-message floor, bench/brook/message-floor.ts).
//   npx tsx bench/brook/rates.ts [--runs 100:500,100:10000,1024:10000] [--seconds 6] [--records-per-send 10]
//     [--linger-ms 5] [--batch-bytes B] [--adaptive] [--warmup-seconds 2] [--profile DIR (node processes under --cpu-prof)]
// Each run first sends --warmup-seconds at its rate; the latency figures are of the --seconds after it,
// the CPU figures of the whole run.
import { parseArgs } from 'node:util';
import { cpuByRole, cpuSplit } from '../lib/process-cpu.js';
import { createTopicReady, makePayloads, sleep, startBrookCluster, stopBrookCluster } from './cluster.js';
import { measureAckLatency } from './latency.js';
import { natsMessageCounts } from '../lib/nats-varz.js';

const { values } = parseArgs({ options: {
  runs: { type: 'string', default: '100:500,100:10000,1024:10000' }, seconds: { type: 'string', default: '6' },
  'records-per-send': { type: 'string', default: '10' }, 'linger-ms': { type: 'string', default: '5' },
  'batch-bytes': { type: 'string' }, adaptive: { type: 'boolean', default: false }, profile: { type: 'string' }, 'warmup-seconds': { type: 'string', default: '2' },
} });
const runs = values.runs.split(',').map((spec) => {
  const [size, rate] = spec.split(':').map(Number);
  if (!Number.isInteger(size) || !Number.isInteger(rate) || size! <= 0 || rate! <= 0) throw new Error(`--runs: ${spec} is not SIZE:RATE`);
  return { size: size!, rate: rate! };
});

const cluster = await startBrookCluster({ voters: [1, 2, 3], profileDir: values.profile, natsMonitor: true });
try {
  for (const [i, { size, rate }] of runs.entries()) {
    const topic = `rates-${i}`;
    await createTopicReady(cluster, topic, { partitions: 6, replicationFactor: 3, minInsync: 2 });
    await sleep(2_000);
    const counts = await natsMessageCounts(cluster.nats.monitorUrl!);
    const before = cpuByRole();
    const started = Date.now();
    const f = await measureAckLatency(cluster.client, { topic, payloads: makePayloads(size), ratePerSec: rate, durationSec: Number(values.seconds), warmupSec: Number(values['warmup-seconds']),
      recordsPerSend: Number(values['records-per-send']), lingerMs: Number(values['linger-ms']), adaptiveLinger: values.adaptive,
      ...(values['batch-bytes'] === undefined ? {} : { batchBytes: Number(values['batch-bytes']) }) });
    const wallMs = Date.now() - started;
    const cpu = cpuSplit(before, wallMs);
    const crossings = (await natsMessageCounts(cluster.nats.monitorUrl!)).inMsgs - counts.inMsgs;
    const perRecordUs = (cpu.totalPercent / 100) * 1e6 / rate;
    console.log(`${size} B at ${rate}/s: ack p50 ${f.p50Ms.toFixed(1)} ms, p99 ${f.p99Ms.toFixed(1)} ms, offered ${Math.round(f.offeredRatePerSec)}/s, failed ${f.failed}${f.firstError === undefined ? '' : ` (first: ${f.firstError})`}; warm-up p99 ${f.warmup.p99Ms.toFixed(1)} ms`);
    console.log(`  cpu over ${(wallMs / 1000).toFixed(1)} s: ${cpu.line} = ${perRecordUs.toFixed(0)} us per record`);
    console.log(`  ${Math.round(crossings / (wallMs / 1000))} messages/s through nats-server: ${((cpu.totalPercent / 100) * wallMs * 1000 / crossings).toFixed(0)} us of CPU per message crossing, all processes`);
  }
} finally {
  await stopBrookCluster(cluster);
}
