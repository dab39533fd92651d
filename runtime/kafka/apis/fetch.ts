/**
 * Fetch, sessionless (session id 0): every partition is read with the SDK consumer's `fetch` from
 * its leader's fetch address. First all at once without waiting; if that brings fewer than
 * `minBytes`, the empty partitions are long-polled together until one has data or `maxWaitMs`
 * passes. Stored batches are served as they are: the 61-byte header rebuilt in front of the
 * stored records (record-batch.ts), the whole batch that holds the fetch offset first, and at
 * least one batch even past `maxBytes` (KIP-74). No transactions: LSO = HW, no aborted ones.
 */
import { fetchAddress } from '../../../actors/kit/addresses.js';
import { PARTITION_FETCH_BYTES_MAX, type FetchedBatch } from '../../../actors/client/messages.js';
import type { KafkaBroker, Reply } from '../broker.js';
import { kafkaError } from '../errors.js';
import type { Handler } from '../handler.js';
import type { Message } from '../protocol/codec.js';
import { batchHeader } from '../record-batch.js';

const REPLY_SLACK_MS = 5000;
// A client asking for more per partition than PARTITION_FETCH_BYTES_MAX (@platformatic/kafka asks for
// 10 MiB) gets at most that much per fetch — and still at least one whole batch — then fetches again.

interface PartitionFetch { partition: number; currentLeaderEpoch: number; fetchOffset: number; partitionMaxBytes: number }
interface Slot { topic: string; query: PartitionFetch; to?: string; leaderEpoch?: number; reply?: Reply }

function ask(broker: KafkaBroker, slot: Slot, maxWaitMs: number, minBytes: number): Promise<Reply> {
  const body = { replicaId: -1, fetchOffset: slot.query.fetchOffset, lastFetchedEpoch: -1, leaderEpoch: slot.leaderEpoch, maxWaitMs, minBytes,
    bytesMax: Math.max(1, Math.min(slot.query.partitionMaxBytes, PARTITION_FETCH_BYTES_MAX)) };
  return broker.request(slot.to as string, 'fetch', body, maxWaitMs + REPLY_SLACK_MS);
}

function bytesOf(reply: Reply | undefined): number {
  if (reply?.code !== 'OK' || !Array.isArray(reply['batches'])) return 0;
  let n = 0;
  for (const b of reply['batches'] as FetchedBatch[]) n += b.records.byteLength + 61;
  return n;
}

/** Waits for the first long-poll that brings data (or for all of them to end). */
function firstWithData(polls: Array<Promise<void>>, slots: Slot[]): Promise<void> {
  return new Promise((resolve) => {
    let left = polls.length;
    if (left === 0) resolve();
    for (const poll of polls) {
      void poll.then(() => {
        left--;
        if (left === 0 || slots.some((s) => bytesOf(s.reply) > 0)) resolve();
      });
    }
  });
}

function partitionResponse(slot: Slot, budget: { bytes: number; served: number }): Message {
  const reply = slot.reply ?? { code: 'REQUEST_TIMED_OUT' };
  const base = { partitionIndex: slot.query.partition, abortedTransactions: null, preferredReadReplica: -1 };
  if (reply.code !== 'OK') {
    const logStartOffset = typeof reply['logStartOffset'] === 'number' ? reply['logStartOffset'] : -1;
    return { ...base, errorCode: kafkaError(reply.code), highWatermark: -1, lastStableOffset: -1, logStartOffset, records: null };
  }
  const parts: Buffer[] = [];
  for (const batch of (reply['batches'] as FetchedBatch[] | undefined) ?? []) {
    const size = batch.records.byteLength + 61;
    if (budget.served > 0 && budget.bytes < size) break; // KIP-74: past maxBytes only for the first batch of the response.
    parts.push(batchHeader(batch), Buffer.from(batch.records.buffer, batch.records.byteOffset, batch.records.byteLength));
    budget.bytes -= size;
    budget.served++;
  }
  const hw = reply['hw'] as number;
  return { ...base, errorCode: 0, highWatermark: hw, lastStableOffset: hw, logStartOffset: reply['logStartOffset'], records: parts };
}

export const handleFetch: Handler = async (ctx, request) => {
  const { broker } = ctx;
  const image = broker.image();
  const maxWaitMs = Math.max(0, Math.min(request['maxWaitMs'] as number, 60_000));
  const minBytes = Math.max(0, request['minBytes'] as number);
  const topics = request['topics'] as Array<{ topic: string; partitions: PartitionFetch[] }>;
  const slots: Slot[] = [];
  for (const t of topics) {
    for (const query of t.partitions) {
      const slot: Slot = { topic: t.topic, query };
      slots.push(slot);
      if (image === undefined) { slot.reply = { code: 'NOT_LEADER' }; continue; }
      const route = broker.route(image, t.topic, query.partition);
      if (!route.ok) { slot.reply = { code: route.code }; continue; }
      slot.to = fetchAddress(t.topic, query.partition, route.partition.leader);
      slot.leaderEpoch = query.currentLeaderEpoch >= 0 ? query.currentLeaderEpoch : route.partition.leaderEpoch;
    }
  }
  const routed = slots.filter((s) => s.to !== undefined);
  await Promise.all(routed.map(async (s) => { s.reply = await ask(broker, s, 0, 0); }));
  const total = slots.reduce((n, s) => n + bytesOf(s.reply), 0);
  const failed = slots.some((s) => s.reply?.code !== 'OK');
  if (total < Math.max(1, minBytes) && !failed && maxWaitMs > 0) {
    const idle = routed.filter((s) => bytesOf(s.reply) === 0);
    await firstWithData(idle.map(async (s) => { const reply = await ask(broker, s, maxWaitMs, 1); if (reply.code === 'OK') s.reply = reply; }), idle);
  }
  const budget = { bytes: Math.max(0, request['maxBytes'] as number), served: 0 };
  const responses = topics.map((t) => ({
    topic: t.topic,
    partitions: slots.filter((s) => s.topic === t.topic && t.partitions.includes(s.query)).map((s) => partitionResponse(s, budget)),
  }));
  return { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses };
};
