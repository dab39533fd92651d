// Workload e: memory per idle partition replica. A single-node cluster (voters 1) hosts `topics`
// topics of `partitionsPerTopic` RF 1 partitions; the node process RSS (VmRSS) is read before and
// after, each time after a settle pause, and the difference is divided by the replica count.
// Creation is bounded by `creationBudgetMs`: topics not created by then are left out (reported).
import fs from 'node:fs';
import { sleep, startBrookCluster, stopBrookCluster, waitFullIsr } from './cluster.js';

export interface IdleMemoryOptions { topics: number; partitionsPerTopic: number; creationBudgetMs: number; settleMs: number; log: (line: string) => void }

export interface IdleMemoryFigures {
  replicas: number;
  requestedReplicas: number;
  rssBeforeKiB: number;
  rssAfterKiB: number;
  kibPerReplica: number;
  /**
   * The lowest and highest per-replica figure over the settle window: with thousands of idle
   * replicas V8 lets garbage pile up for a minute or more before a full collection, so RSS is a
   * sawtooth and the last sample (the figure) lands anywhere on it.
   */
  kibPerReplicaMin: number;
  kibPerReplicaMax: number;
  creationSeconds: number;
  /** createTopic calls answered 'exists' (an admin retry after a late reply); counted as created. */
  retriedCreates: number;
  note?: string;
}

export function vmRssKiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]);
}

export async function measureIdleMemory(options: IdleMemoryOptions): Promise<IdleMemoryFigures> {
  const cluster = await startBrookCluster({ voters: [1], name: 'idle' });
  try {
    const pid = cluster.processes.nodes.get(1)?.child.pid as number;
    await sleep(options.settleMs);
    const rssBeforeKiB = vmRssKiB(pid);
    const started = performance.now();
    let replicas = 0;
    let note: string | undefined;
    let retriedCreates = 0;
    for (let t = 0; t < options.topics; t++) {
      if (performance.now() - started > options.creationBudgetMs) { note = `creation budget of ${options.creationBudgetMs / 1000} s spent after ${t} topics`; break; }
      const name = `idle-${t}`;
      try {
        await cluster.admin.createTopic(name, { partitions: options.partitionsPerTopic, replicationFactor: 1, configs: { 'min.insync.replicas': '1' } })
          .catch((error: unknown) => {
            // The admin retries a createTopic whose reply is late; the retry then finds the topic
            // its first attempt made. That is success for this bench (recorded in `retriedCreates`).
            if (!/exists/.test(String(error))) throw error;
            retriedCreates++;
          });
        await waitFullIsr(cluster, name, 1, Math.max(30_000, options.creationBudgetMs));
      } catch (error) {
        note = `topic ${name} failed: ${String(error)}`;
        break;
      }
      replicas += options.partitionsPerTopic;
      options.log(`  e. ${replicas} replicas, ${((performance.now() - started) / 1000).toFixed(1)} s, RSS ${vmRssKiB(pid)} KiB`);
    }
    const creationSeconds = (performance.now() - started) / 1000;
    // RSS is sampled every second of the settle pause: V8 gives heap back only some seconds after
    // the burst of creation garbage, so the trend is logged and the last sample is the figure.
    const samples: number[] = [];
    for (let waited = 0; waited < options.settleMs; waited += 1000) {
      await sleep(Math.min(1000, options.settleMs - waited));
      samples.push(vmRssKiB(pid));
    }
    options.log(`  e. RSS while idle, once a second: ${samples.join(', ')} KiB`);
    const rssAfterKiB = samples[samples.length - 1] as number;
    const perReplica = (rssKiB: number): number => (replicas === 0 ? Number.NaN : (rssKiB - rssBeforeKiB) / replicas);
    const figures: IdleMemoryFigures = { replicas, requestedReplicas: options.topics * options.partitionsPerTopic, rssBeforeKiB, rssAfterKiB,
      kibPerReplica: perReplica(rssAfterKiB), kibPerReplicaMin: perReplica(Math.min(...samples)), kibPerReplicaMax: perReplica(Math.max(...samples)),
      creationSeconds, retriedCreates };
    if (note !== undefined) figures.note = note;
    return figures;
  } finally {
    await stopBrookCluster(cluster);
  }
}
