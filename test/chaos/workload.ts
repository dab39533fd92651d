/**
 * The chaos workload: idempotent acks=all SDK producers sending one record at a time at a steady
 * rate, round-robin over the partitions, each send recorded in a Jepsen-shaped history (invoke,
 * then ok / fail / info); an optional live consumer recording its polls; and the final reads that
 * read every partition back to its high watermark once the cluster is healed.
 * Values are unique per producer (`p<i>:<seq>`), so the checker can follow every write.
 */
import { connect, type BrookClient, type Producer, type Consumer } from '../../runtime/sdk/index.js';
import { HistoryRecorder, partitionKey, type PolledRecord } from '../../runtime/sim/checks/history.js';
import type { Admin } from '../../runtime/sdk/admin.js';

/** Codes after which a send certainly did not happen; anything else may have (`info`). As runtime/sim/workload.ts judges them. */
const DEFINITE_FAILURES = new Set(['MESSAGE_TOO_LARGE', 'CORRUPT_MESSAGE', 'INVALID_REQUEST', 'UNKNOWN_TOPIC_OR_PARTITION', 'INVALID_PRODUCER_EPOCH', 'BUFFER_FULL', 'CLIENT_CLOSED']);

export interface WorkloadOptions {
  natsUrls: string;
  cluster: string;
  topic: string;
  partitions: number;
  producers: number;
  /** Sends per second, per producer. */
  sendsPerSecond: number;
  liveConsumer: boolean;
  /** Cap on one producer's unsettled sends: beyond it ticks are skipped rather than queued without bound. */
  inFlightMax?: number;
}

export interface SendOutcome { atMs: number; partition: number; ok: boolean; code?: string }
/** A send that failed, with what the SDK's error said: its code, message and the partition it named. */
export interface FailedSend { atMs: number; definite: boolean; code: string; message: string; topic?: string; partition?: number }

const FAILED_SENDS_KEPT = 50;

const decoder = new TextDecoder();

export class ChaosWorkload {
  readonly recorder = new HistoryRecorder(() => Date.now() - this.startMs);
  /** Every completion, in order: acks for the rate and gap figures, codes for fail/info. */
  readonly outcomes: SendOutcome[] = [];
  readonly failCodes = new Map<string, number>();
  readonly failedSends: FailedSend[] = [];
  readonly infoCodes = new Map<string, number>();
  skippedTicks = 0;
  polled = 0;
  private readonly clients: BrookClient[] = [];
  private readonly producers: Producer[] = [];
  private readonly pending = new Set<Promise<void>>();
  private readonly timers: NodeJS.Timeout[] = [];
  private consumer: Consumer | undefined;
  private consuming: Promise<void> | undefined;
  private stopped = false;

  constructor(readonly options: WorkloadOptions, readonly startMs: number) {}

  async start(): Promise<void> {
    const o = this.options;
    for (let i = 0; i < o.producers; i++) {
      const client = await connect({ nats: o.natsUrls, cluster: o.cluster, clientId: `chaos-p${i}` });
      this.clients.push(client);
      // Retries are safe (idempotent); the delivery timeout bounds a send stuck behind a long outage.
      const producer = client.producer({ acks: 'all', idempotent: true, lingerMs: 2, requestTimeoutMs: 1_500, deliveryTimeoutMs: 30_000, retryBackoffMs: 20, retryBackoffMaxMs: 250 });
      this.producers.push(producer);
      this.startProducer(i, producer);
    }
    if (o.liveConsumer) await this.startConsumer();
  }

  /** Stops new sends and the live consumer; waits for every send in flight to settle. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    await Promise.all([...this.pending]);
    await this.consuming;
  }

  async close(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.recorder.closeOpen();
    await Promise.all(this.producers.map((p) => p.close().catch(() => undefined)));
    await this.consumer?.close().catch(() => undefined);
    await Promise.all(this.clients.map((c) => c.close().catch(() => undefined)));
  }

  get acked(): number { return this.outcomes.filter((o) => o.ok).length; }

  private startProducer(index: number, producer: Producer): void {
    const o = this.options;
    let seq = 0;
    let inFlight = 0;
    const process = `p${index}`;
    const tick = (): void => {
      if (this.stopped) return;
      if (inFlight >= (o.inFlightMax ?? 2_000)) { this.skippedTicks++; return; }
      const value = `${process}:${seq}`;
      const partition = (seq + index) % o.partitions;
      seq++;
      const sent = { topic: o.topic, value, idempotent: true, acks: 'all' as const };
      const op = this.recorder.invoke(process, 'send', sent);
      inFlight++;
      const settled = producer.send(o.topic, [{ key: process, value }], { partition }).then(([meta]) => {
        this.recorder.complete(op, 'ok', { ...sent, partition: meta?.partition as number, offset: meta?.offset as number });
        this.outcomes.push({ atMs: Date.now() - this.startMs, partition, ok: true });
      }, (error: unknown) => {
        const code = String((error as { code?: unknown }).code ?? 'UNKNOWN');
        const definite = DEFINITE_FAILURES.has(code);
        this.recorder.complete(op, definite ? 'fail' : 'info', sent);
        const counts = definite ? this.failCodes : this.infoCodes;
        counts.set(code, (counts.get(code) ?? 0) + 1);
        const detail = (error as { detail?: { topic?: string; partition?: number } }).detail ?? {};
        if (this.failedSends.length < FAILED_SENDS_KEPT) {
          this.failedSends.push({ atMs: Date.now() - this.startMs, definite, code, message: String((error as Error).message), ...detail });
        }
        this.outcomes.push({ atMs: Date.now() - this.startMs, partition, ok: false, code });
      }).finally(() => { inFlight--; this.pending.delete(settled); });
      this.pending.add(settled);
    };
    this.timers.push(setInterval(tick, 1000 / o.sendsPerSecond));
  }

  private async startConsumer(): Promise<void> {
    const o = this.options;
    const client = await connect({ nats: o.natsUrls, cluster: o.cluster, clientId: 'chaos-c0' });
    this.clients.push(client);
    const consumer = client.consumer({ autoOffsetReset: 'earliest', maxWaitMs: 100, requestTimeoutMs: 1_500 });
    this.consumer = consumer;
    const partitions = Array.from({ length: o.partitions }, (_, partition) => ({ topic: o.topic, partition }));
    const assigned = this.recorder.invoke('c0', 'assign', partitions);
    await consumer.assign(partitions.map((p) => ({ ...p, offset: 'earliest' as const })));
    this.recorder.complete(assigned, 'ok', partitions);
    this.consuming = (async () => {
      while (!this.stopped) {
        const op = this.recorder.invoke('c0', 'poll', []);
        try {
          const records = await consumer.poll({ maxRecords: 500, timeoutMs: 200 });
          const polled: PolledRecord[] = records.map((r) => ({ topic: r.topic, partition: r.partition, offset: r.offset, value: r.value ? decoder.decode(r.value) : '' }));
          this.polled += polled.length;
          this.recorder.complete(op, 'ok', polled);
        } catch {
          this.recorder.complete(op, 'info', []);
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    })();
  }
}

/**
 * Reads every partition from the earliest offset up to its high watermark with a fresh consumer.
 * Returns undefined when the cluster does not serve the whole log within `timeoutMs`.
 */
export async function finalReads(admin: Admin, natsUrls: string, cluster: string, topic: string, timeoutMs: number): Promise<Map<string, Array<{ offset: number; value: string }>> | undefined> {
  const deadline = Date.now() + timeoutMs;
  const ends = new Map((await admin.listOffsets(topic, 'latest')).map((e) => [e.partition, e.offset]));
  const client = await connect({ nats: natsUrls, cluster, clientId: 'chaos-final' });
  const consumer = client.consumer({ autoOffsetReset: 'earliest', maxWaitMs: 100, requestTimeoutMs: 2_000 });
  try {
    const reads = new Map<string, Array<{ offset: number; value: string }>>();
    const next = new Map<number, number>();
    for (const p of ends.keys()) { reads.set(partitionKey(topic, p), []); next.set(p, 0); }
    await consumer.assign([...ends.keys()].map((partition) => ({ topic, partition, offset: 'earliest' as const })));
    const done = (): boolean => [...ends].every(([p, end]) => (next.get(p) ?? 0) >= end);
    while (!done()) {
      if (Date.now() > deadline) return undefined;
      const records = await consumer.poll({ maxRecords: 2_000, timeoutMs: 300 }).catch(() => []);
      for (const r of records) {
        reads.get(partitionKey(r.topic, r.partition))?.push({ offset: r.offset, value: r.value ? decoder.decode(r.value) : '' });
        next.set(r.partition, Math.max(next.get(r.partition) ?? 0, r.offset + 1));
      }
    }
    return reads;
  } finally {
    await consumer.close().catch(() => undefined);
    await client.close().catch(() => undefined);
  }
}
