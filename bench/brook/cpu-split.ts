// Workloads a and b (produce with 256 KiB batches, then one consumer of all partitions) with the
// CPU and minor page faults of every process over each: which process a saturated machine spends
// its cores in.
//   npx tsx bench/brook/cpu-split.ts [--records 300000] [--size 1024]
import { parseArgs } from 'node:util';
import { cpuByRole, cpuSplit, faultRates, faultsByRole } from '../lib/process-cpu.js';
import { createTopicReady, makePayloads, startBrookCluster, stopBrookCluster } from './cluster.js';
import { consumeAll } from './consume.js';
import { produceThroughput } from './produce.js';

const { values } = parseArgs({ options: { records: { type: 'string', default: '300000' }, size: { type: 'string', default: '1024' } } });
const records = Number(values.records);
const size = Number(values.size);
if (!Number.isInteger(records) || records <= 0 || !Number.isInteger(size) || size <= 0) throw new Error('--records and --size are positive integers');

const cluster = await startBrookCluster({ voters: [1, 2, 3] });
try {
  await createTopicReady(cluster, 'cpu-split', { partitions: 6, replicationFactor: 3, minInsync: 2 });
  let before = cpuByRole();
  let faults = faultsByRole();
  let started = Date.now();
  const produced = await produceThroughput(cluster.client, { topic: 'cpu-split', records, payloads: makePayloads(size), chunk: 1000, inFlightChunks: 16, lingerMs: 5, batchBytes: 256 * 1024 });
  console.log(`produce ${Math.round(produced.recordsPerSec)} records/s, failed sends ${produced.failedSends}; cpu ${cpuSplit(before, Date.now() - started).line}`);
  console.log(`  minor page faults: ${faultRates(faults, Date.now() - started)}`);
  before = cpuByRole();
  faults = faultsByRole();
  started = Date.now();
  const consumed = await consumeAll(cluster.client, { topic: 'cpu-split', partitions: 6, records, recordBytes: size, maxRecords: 5000, stallTimeoutMs: 30_000 });
  console.log(`consume ${Math.round(consumed.recordsPerSec)} records/s; cpu ${cpuSplit(before, Date.now() - started).line}`);
  console.log(`  minor page faults: ${faultRates(faults, Date.now() - started)}`);
} finally {
  await stopBrookCluster(cluster);
}
