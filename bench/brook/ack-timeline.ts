// The ack latency of workload c over time: every send's latency kept with the moment it was issued, then
// p50 / p90 / max per window. A run's percentiles cannot tell a steady queue from bursts every few seconds
// (flushes, compactions, full collections on the nodes); this view can, and the moments of the bursts are
// what to set beside the nodes' LevelDB LOGs or GC traces. `--before SIZE:RECORDS` first produces and consumes
// RECORDS of SIZE bytes on another topic, as the compare run's workloads a and b do before the next size's latency
// workload, so its conditions (a cluster with that much behind it) can be seen window by window. `--cpu` prints under
// each window the CPU and minor page faults of every process of the run over that stretch of wall time (saturated
// cores and fault storms are what the cold start is made of). Never asserts.
//   npx tsx bench/brook/ack-timeline.ts [--size 1024] [--rate 10000] [--seconds 30] [--window-ms 250] [--skip-seconds 5]
//     [--linger-ms 5] [--records-per-send 10] [--burst-ms 40] [--before 100:1000000] [--cpu]
import { parseArgs } from 'node:util';
import { RecordBatches } from './record-batches.js';
import { createTopicReady, makePayloads, sleep, startBrookCluster, stopBrookCluster } from './cluster.js';
import { consumeAll } from './consume.js';
import { produceThroughput } from './produce.js';
import { paced } from '../lib/paced.js';
import { cpuByRole, cpuSplit, faultRates, faultsByRole } from '../lib/process-cpu.js';
import { summarizeLatency } from '../lib/stats.js';

const { values } = parseArgs({ options: {
  size: { type: 'string', default: '1024' }, rate: { type: 'string', default: '10000' }, seconds: { type: 'string', default: '30' },
  'window-ms': { type: 'string', default: '250' }, 'skip-seconds': { type: 'string', default: '5' }, 'linger-ms': { type: 'string', default: '5' },
  'records-per-send': { type: 'string', default: '10' }, 'burst-ms': { type: 'string', default: '40' }, before: { type: 'string' }, cpu: { type: 'boolean' },
} });
const [size, rate, seconds, windowMs, skipSec, lingerMs, perSend, burstMs] = [values.size, values.rate, values.seconds, values['window-ms'],
  values['skip-seconds'], values['linger-ms'], values['records-per-send'], values['burst-ms']].map(Number) as [number, number, number, number, number, number, number, number];
if (![size, rate, seconds, windowMs, perSend].every((n) => Number.isInteger(n) && n > 0) || !(skipSec >= 0 && skipSec < seconds) || !(lingerMs >= 0) || !(burstMs > 0)) {
  throw new Error('--size, --rate, --seconds, --window-ms, --records-per-send: positive integers; 0 <= --skip-seconds < --seconds; --linger-ms >= 0; --burst-ms > 0');
}

const before = values.before?.split(':').map(Number);
if (before !== undefined && !(before.length === 2 && before.every((n) => Number.isInteger(n) && n > 0))) throw new Error('--before SIZE:RECORDS, both positive integers');

const sends = Math.round((rate * seconds) / perSend);
const issuedAtSec = new Float64Array(sends);
const latencyMs = new Float64Array(sends);
const cluster = await startBrookCluster({ voters: [1, 2, 3] });
try {
  const shape = { partitions: 6, replicationFactor: 3, minInsync: 2 };
  if (before !== undefined) {
    const [beforeSize, beforeRecords] = before as [number, number];
    await createTopicReady(cluster, 'before', shape);
    // As bench/brook/main.ts runs workloads a and b.
    const produced = await produceThroughput(cluster.client, { topic: 'before', records: beforeRecords, payloads: makePayloads(beforeSize), chunk: 1000, inFlightChunks: 16, lingerMs: 5, batchBytes: 256 * 1024 });
    const consumed = await consumeAll(cluster.client, { topic: 'before', partitions: shape.partitions, records: beforeRecords, recordBytes: beforeSize, maxRecords: 5000, stallTimeoutMs: 30_000 });
    console.log(`before: produced ${beforeRecords} records of ${beforeSize} B at ${Math.round(produced.recordsPerSec)}/s (failed sends ${produced.failedSends}), consumed at ${Math.round(consumed.recordsPerSec)}/s`);
  }
  await createTopicReady(cluster, 'timeline', shape);
  if (before === undefined) await sleep(2_000); // After --before the workload starts at once, as the compare run's does.
  const producer = cluster.client.producer({ acks: 'all', lingerMs, requestTimeoutMs: 10_000, deliveryTimeoutMs: 30_000 });
  const batches = new RecordBatches(makePayloads(size), perSend);
  const pending: Array<Promise<void>> = [];
  let failed = 0;
  let issued = 0;
  const startedAtMs = Date.now();
  // Per window of wall time from the first send: CPU and faults of every process, read from /proc.
  const cpuWindows: string[] = [];
  let cpuAt = startedAtMs;
  let cpuBefore = values.cpu === true ? cpuByRole() : new Map<string, number>();
  let faultsBefore = values.cpu === true ? faultsByRole() : new Map<string, number>();
  const cpuTimer = values.cpu !== true ? undefined : setInterval(() => {
    const now = Date.now();
    cpuWindows.push(`cpu ${cpuSplit(cpuBefore, now - cpuAt).line} | faults ${faultRates(faultsBefore, now - cpuAt)}`);
    [cpuAt, cpuBefore, faultsBefore] = [now, cpuByRole(), faultsByRole()];
  }, windowMs);
  await paced(sends, rate / perSend, (atSec) => {
    const i = issued++;
    const sentAt = process.hrtime.bigint();
    issuedAtSec[i] = atSec;
    pending.push(producer.send('timeline', batches.take()).then(() => { latencyMs[i] = Number(process.hrtime.bigint() - sentAt) / 1e6; }, () => { failed++; latencyMs[i] = Number.NaN; }));
  });
  await Promise.all(pending);
  clearInterval(cpuTimer);
  await producer.close();

  const steady = Float64Array.from(latencyMs.filter((ms, i) => (issuedAtSec[i] ?? 0) >= skipSec && !Number.isNaN(ms)));
  const s = summarizeLatency(steady, steady.length);
  console.log(`${size} B at ${rate} records/s, ${perSend} per send, lingerMs ${lingerMs}, ${seconds} s from ${new Date(startedAtMs).toISOString()}; failed sends ${failed}`);
  console.log(`after the first ${skipSec} s: p50 ${s.p50Ms.toFixed(1)} ms, p90 ${s.p90Ms.toFixed(1)}, p99 ${s.p99Ms.toFixed(1)}, p999 ${s.p999Ms.toFixed(1)}, max ${s.maxMs.toFixed(1)}`);
  const byWindow = new Map<number, number[]>();
  for (let i = 0; i < sends; i++) {
    const ms = latencyMs[i] ?? Number.NaN;
    if (Number.isNaN(ms)) continue;
    const w = Math.floor(((issuedAtSec[i] ?? 0) * 1000) / windowMs);
    const list = byWindow.get(w);
    if (list) list.push(ms); else byWindow.set(w, [ms]);
  }
  let bursts = 0;
  for (const [w, list] of [...byWindow].sort((a, b) => a[0] - b[0])) {
    const inWindow = Float64Array.from(list);
    const f = summarizeLatency(inWindow, inWindow.length);
    if ((w * windowMs) / 1000 >= skipSec && f.maxMs > burstMs) bursts++;
    // The wall-clock moment of each window, to set beside a node's LevelDB LOG or GC trace.
    const at = new Date(startedAtMs + w * windowMs).toISOString().slice(11, 23);
    console.log(`${((w * windowMs) / 1000).toFixed(2).padStart(6)} s ${at}  n ${String(f.count).padStart(4)}  p50 ${f.p50Ms.toFixed(1).padStart(6)}  p90 ${f.p90Ms.toFixed(1).padStart(6)}  max ${f.maxMs.toFixed(1).padStart(6)} ${'#'.repeat(Math.min(60, Math.round(f.maxMs / 5)))}`);
    const cpu = cpuWindows[w];
    if (cpu !== undefined) console.log(`          ${cpu}`);
  }
  console.log(`windows after the first ${skipSec} s whose largest ack passed ${burstMs} ms: ${bursts}`);
} finally {
  await stopBrookCluster(cluster);
}
