// Workload d: failover gap. A producer sends at a steady rate, one send of `recordsPerSend`
// records per partition every `intervalMs`, each addressed to its partition; after `warmupMs` the
// node leading partition 0 is killed with SIGKILL. The gap is the longest time between two
// successful acks of partition-0 sends; the dip is the lowest acked rate over 250 ms buckets after
// the kill against the mean before it. Between rounds the node is restarted and the ISR refilled.
import type { ProducerRecordInput } from '../../runtime/sdk/index.js';
import { restartNode, sleep, waitFullIsr } from './cluster.js';
import type { BrookCluster } from './cluster.js';

export interface FailoverOptions { topic: string; partitions: number; payload: Uint8Array; recordsPerSend: number; intervalMs: number; warmupMs: number; afterKillMs: number }

export interface FailoverRound {
  round: number;
  killedNode: number;
  newLeader: number;
  gapMs: number;
  steadyRecordsPerSec: number;
  lowestBucketRecordsPerSec: number;
  acked: number;
  failedSends: number;
  firstError?: string;
}

const bucketMs = 250;

export async function failoverRound(cluster: BrookCluster, options: FailoverOptions, round: number): Promise<FailoverRound> {
  const { topic, partitions, payload, recordsPerSend, intervalMs } = options;
  const info = await waitFullIsr(cluster, topic, 3, 120_000);
  const victim = info.partitions[0]?.leader as number;
  const producer = cluster.client.producer({ acks: 'all', lingerMs: 0, requestTimeoutMs: 1_000, deliveryTimeoutMs: 60_000, retryBackoffMs: 20, retryBackoffMaxMs: 200 });
  const batch: ProducerRecordInput[] = Array.from({ length: recordsPerSend }, () => ({ value: payload }));
  const p0Acks: number[] = [];
  const buckets: number[] = [];
  let failedSends = 0;
  let firstError: string | undefined;
  const pending: Array<Promise<void>> = [];
  const started = performance.now();
  const killAt = started + options.warmupMs;
  const stopAt = killAt + options.afterKillMs;
  let killed = false;
  try {
    while (performance.now() < stopAt) {
      if (!killed && performance.now() >= killAt) { killed = true; void cluster.processes.kill9(victim); }
      for (let p = 0; p < partitions; p++) {
        pending.push(producer.send(topic, batch, { partition: p }).then(() => {
          const now = performance.now();
          if (p === 0) p0Acks.push(now);
          const bucket = Math.floor((now - started) / bucketMs);
          buckets[bucket] = (buckets[bucket] ?? 0) + recordsPerSend;
        }, (error: unknown) => { failedSends++; firstError ??= String(error); }));
      }
      await sleep(intervalMs);
    }
    await Promise.all(pending);
  } finally {
    await producer.close().catch(() => undefined);
  }
  const after = await cluster.admin.describeTopic(topic).catch(() => undefined);
  restartNode(cluster, victim);
  p0Acks.sort((a, b) => a - b);
  let gapMs = 0;
  for (let i = 1; i < p0Acks.length; i++) gapMs = Math.max(gapMs, (p0Acks[i] as number) - (p0Acks[i - 1] as number));
  const killBucket = Math.floor(options.warmupMs / bucketMs);
  const endBucket = Math.floor((options.warmupMs + options.afterKillMs) / bucketMs);
  const steady = buckets.slice(2, killBucket).map((n) => n ?? 0);
  const afterKill = Array.from({ length: endBucket - killBucket }, (_, i) => buckets[killBucket + i] ?? 0);
  const result: FailoverRound = { round, killedNode: victim, newLeader: after?.partitions[0]?.leader ?? -1, gapMs,
    steadyRecordsPerSec: (steady.reduce((a, b) => a + b, 0) / Math.max(1, steady.length)) * (1000 / bucketMs),
    lowestBucketRecordsPerSec: Math.min(...afterKill) * (1000 / bucketMs), acked: p0Acks.length, failedSends };
  if (firstError !== undefined) result.firstError = firstError;
  return result;
}
