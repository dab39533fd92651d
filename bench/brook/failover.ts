// Workload d: failover gap. A producer sends at a steady rate, one send of `recordsPerSend`
// records per partition every `intervalMs`, each addressed to its partition; after `warmupMs` a
// node is killed with SIGKILL: the leader of the first partition not led by the controller quorum's
// leader (`victim: 'partition-leader'`: only partition leadership moves), or the controller leader
// itself (`'controller-leader'`: its partitions' new leaders wait for a new controller to elect them);
// the partition watched is the first the victim leads. The gap is
// the longest time between two successful acks of that partition's sends; the dip is the lowest
// acked rate over 250 ms buckets after the kill against the mean before it. Each round records
// whether the node killed was the controller leader. Between rounds the node is restarted and the
// ISR refilled.
import type { TopicInfo } from '../../runtime/sdk/index.js';
import type { Payloads } from '../lib/payload.js';
import { RecordBatches } from './record-batches.js';
import { eventually } from '../../test/helpers/brook-processes.js';
import { restartNode, sleep, waitFullIsr } from './cluster.js';
import type { BrookCluster } from './cluster.js';

export type FailoverVictim = 'partition-leader' | 'controller-leader';

export interface FailoverOptions { topic: string; partitions: number; payloads: Payloads; recordsPerSend: number; intervalMs: number; warmupMs: number; afterKillMs: number;
  victim?: FailoverVictim }

export interface FailoverRound {
  round: number;
  killedNode: number;
  /** The killed node led the controller quorum when it was killed. */
  controllerLeader: boolean;
  /** The partition whose acks are watched: the first the killed node led. */
  partition: number;
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
  const { topic, partitions, payloads, recordsPerSend, intervalMs } = options;
  let info = await waitFullIsr(cluster, topic, 3, 120_000);
  const { controllerId } = await cluster.admin.metadata([topic]);
  const pick = (i: TopicInfo): number | undefined => options.victim === 'controller-leader'
    ? (i.partitions.some((p) => p.leader === controllerId) ? controllerId : undefined)
    : i.partitions.find((p) => p.leader !== controllerId)?.leader;
  if (pick(info) === undefined) {
    // A node restarted by an earlier round comes back leading nothing; the preferred leaders spread leadership again.
    await cluster.admin.electLeaders(topic);
    info = await eventually(async () => { const i = await cluster.admin.describeTopic(topic); return pick(i) === undefined ? undefined : i; },
      30_000, `a ${options.victim ?? 'partition-leader'} to kill in ${topic}`);
  }
  const victim = pick(info) as number;
  const watched = (info.partitions.find((p) => p.leader === victim) as TopicInfo['partitions'][number]).partition;
  const producer = cluster.client.producer({ acks: 'all', lingerMs: 0, requestTimeoutMs: 1_000, deliveryTimeoutMs: 60_000, retryBackoffMs: 20, retryBackoffMaxMs: 200 });
  const batches = new RecordBatches(payloads, recordsPerSend);
  const watchedAcks: number[] = [];
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
        pending.push(producer.send(topic, batches.take(), { partition: p }).then(() => {
          const now = performance.now();
          if (p === watched) watchedAcks.push(now);
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
  watchedAcks.sort((a, b) => a - b);
  let gapMs = 0;
  for (let i = 1; i < watchedAcks.length; i++) gapMs = Math.max(gapMs, (watchedAcks[i] as number) - (watchedAcks[i - 1] as number));
  const killBucket = Math.floor(options.warmupMs / bucketMs);
  const endBucket = Math.floor((options.warmupMs + options.afterKillMs) / bucketMs);
  const steady = buckets.slice(2, killBucket).map((n) => n ?? 0);
  const afterKill = Array.from({ length: endBucket - killBucket }, (_, i) => buckets[killBucket + i] ?? 0);
  const result: FailoverRound = { round, killedNode: victim, controllerLeader: victim === controllerId, partition: watched,
    newLeader: after?.partitions.find((p) => p.partition === watched)?.leader ?? -1, gapMs,
    steadyRecordsPerSec: (steady.reduce((a, b) => a + b, 0) / Math.max(1, steady.length)) * (1000 / bucketMs),
    lowestBucketRecordsPerSec: Math.min(...afterKill) * (1000 / bucketMs), acked: watchedAcks.length, failedSends };
  if (firstError !== undefined) result.firstError = firstError;
  return result;
}
