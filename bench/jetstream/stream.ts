// The one stream every JetStream workload writes to: six subjects stand in for six partitions.
// Note for ratios: a JetStream stream is ONE Raft group, so its six subjects share one leader and
// one log, unlike six Kafka/Brook partitions that each have their own leader.
import type { JetStreamManager } from '@nats-io/jetstream';
import { DiscardPolicy, RetentionPolicy, StorageType } from '@nats-io/jetstream';

export const streamName = 'BENCH';
export const partitionCount = 6;
export const subjects: readonly string[] = Array.from({ length: partitionCount }, (_, p) => `bench.p${p}`);

/** Deletes any earlier BENCH stream and creates an empty one, retrying while the cluster settles. */
export async function recreateStream(jsm: JetStreamManager, replicas: number): Promise<void> {
  const attemptsMax = 20;
  let lastError: unknown = undefined;
  for (let attempt = 1; attempt <= attemptsMax; attempt++) {
    try {
      await jsm.streams.delete(streamName).catch(() => false); // Absent on the first run.
      await jsm.streams.add({
        name: streamName, subjects: [...subjects], num_replicas: replicas, storage: StorageType.File,
        retention: RetentionPolicy.Limits, discard: DiscardPolicy.Old,
      });
      await waitForStreamLeader(jsm);
      return;
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
    }
  }
  throw new Error(`could not create stream ${streamName}: ${String(lastError)}`);
}

async function waitForStreamLeader(jsm: JetStreamManager): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const info = await jsm.streams.info(streamName);
    if (info.cluster?.leader && (info.cluster.replicas ?? []).every((peer) => peer.current)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`stream ${streamName} has no settled leader`);
}

/** Messages the stream holds now (asserts workloads were really persisted, not just sent). */
export async function storedCount(jsm: JetStreamManager): Promise<number> {
  const info = await jsm.streams.info(streamName);
  return info.state.messages;
}

export { makePayloads } from '../lib/payload.js';
