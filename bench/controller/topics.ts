/**
 * Topic-creation latency: `Admin.createTopic` round trips (request to `c/admin/leader` until the
 * committed reply), one at a time and then from 16 concurrent workers over the same admin client.
 * Each create is decided on the leader, replicated to a majority of the three controller replicas
 * (each fsyncs), applied, and only then answered.
 */
import { summarizeLatency, type LatencySummary } from '../lib/stats.js';
import type { BenchCluster } from './cluster.js';

export interface CreatePhase {
  label: string;
  topics: number;
  partitions: number;
  /** Whole-phase wall time and rate; a subset row (one topic shape of a mixed phase) has none of its own. */
  seconds: number;
  createsPerSec: number;
  subset: boolean;
  latency: LatencySummary;
}

interface Shape { partitions: number; replicationFactor: number }

/** Every `wideEvery`-th topic is 6 partitions, the rest 1; all RF 3. Interleaved so drift hits both. */
export async function sequentialCreates(cluster: BenchCluster, count: number, wideEvery: number): Promise<CreatePhase[]> {
  const narrow = new Float64Array(count);
  const wide = new Float64Array(count);
  let narrowCount = 0;
  let wideCount = 0;
  const startMs = performance.now();
  for (let i = 0; i < count; i++) {
    const shape: Shape = i % wideEvery === wideEvery - 1 ? { partitions: 6, replicationFactor: 3 } : { partitions: 1, replicationFactor: 3 };
    const sentMs = performance.now();
    await cluster.admin.createTopic(`seq-${String(i).padStart(4, '0')}`, shape);
    const tookMs = performance.now() - sentMs;
    if (shape.partitions === 6) wide[wideCount++] = tookMs; else narrow[narrowCount++] = tookMs;
  }
  const seconds = (performance.now() - startMs) / 1000;
  const phase = (label: string, partitions: number, samples: Float64Array, n: number, subset: boolean): CreatePhase =>
    ({ label, topics: n, partitions, seconds, createsPerSec: count / seconds, subset, latency: summarizeLatency(samples, n) });
  const all = new Float64Array(count);
  all.set(narrow.subarray(0, narrowCount), 0);
  all.set(wide.subarray(0, wideCount), narrowCount);
  return [
    phase('sequential, 1 partition RF 3', 1, narrow, narrowCount, true),
    phase('sequential, 6 partitions RF 3', 6, wide, wideCount, true),
    phase('sequential, all (mixed)', 0, all, count, false),
  ];
}

/** `workers` loops share `count` topic names; throughput counts the whole phase's wall time. */
export async function concurrentCreates(cluster: BenchCluster, count: number, workers: number): Promise<CreatePhase> {
  const samples = new Float64Array(count);
  let next = 0;
  const startMs = performance.now();
  const worker = async (): Promise<void> => {
    for (let i = next++; i < count; i = next++) {
      const sentMs = performance.now();
      await cluster.admin.createTopic(`par-${String(i).padStart(4, '0')}`, { partitions: 1, replicationFactor: 3 });
      samples[i] = performance.now() - sentMs;
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
  const seconds = (performance.now() - startMs) / 1000;
  return { label: `${workers}-way concurrent, 1 partition RF 3`, topics: count, partitions: 1, seconds, createsPerSec: count / seconds, subset: false, latency: summarizeLatency(samples, count) };
}

/**
 * Deletes the bench topics (16 at a time) and waits until the metadata no longer lists them, so
 * the failover rounds run without hundreds of idle partition replicas ticking on two cores.
 */
export async function deleteTopics(cluster: BenchCluster, prefixes: readonly string[], workers = 16): Promise<number> {
  const names = (await cluster.admin.listTopics()).filter((name) => prefixes.some((p) => name.startsWith(p)));
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < names.length; i = next++) await cluster.admin.deleteTopic(names[i] as string);
  };
  await Promise.all(Array.from({ length: workers }, worker));
  return names.length;
}
