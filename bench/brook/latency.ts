// Workload c: ack latency at a fixed offered rate. A paced loop (bench/lib/paced.ts) issues each send when it is
// due (10 records per send, so 1,000 sends/s for 10,000 records/s); latency = send resolved - send
// issued. A fixed rate shows queueing delay that a closed loop would hide. The first `warmupSec`
// run at the same rate and are summarised apart (`warmup`), as a benchmark harness's warm-up
// phase does: the headline percentiles are the steady state, the cold start is shown beside them.
import type { BrookClient } from '../../runtime/sdk/index.js';
import type { Payloads } from '../lib/payload.js';
import { RecordBatches } from './record-batches.js';
import { WarmupSamples } from '../lib/stats.js';
import type { LatencySummary } from '../lib/stats.js';
import { paced } from '../lib/paced.js';

export interface LatencyOptions { topic: string; payloads: Payloads; ratePerSec: number; durationSec: number; recordsPerSend: number; lingerMs: number; batchBytes?: number; adaptiveLinger?: boolean;
  /** Seconds sent at the same rate before `durationSec`, summarised apart (default 0: none). */
  warmupSec?: number }

export interface LatencyFigures extends LatencySummary {
  recordBytes: number;
  targetRatePerSec: number;
  offeredRatePerSec: number;
  recordsPerSend: number;
  sends: number;
  failed: number;
  firstError?: string;
  /** The warm-up's samples (count 0 without one). */
  warmup: LatencySummary;
  warmupSec: number;
}

export async function measureAckLatency(client: BrookClient, options: LatencyOptions): Promise<LatencyFigures> {
  const { topic, payloads, ratePerSec, durationSec, recordsPerSend } = options;
  const producer = client.producer({ acks: 'all', lingerMs: options.lingerMs, adaptiveLinger: options.adaptiveLinger ?? false, requestTimeoutMs: 10_000, deliveryTimeoutMs: 30_000,
    ...(options.batchBytes === undefined ? {} : { batchBytes: options.batchBytes }) });
  const batches = new RecordBatches(payloads, recordsPerSend);
  const warmupSec = options.warmupSec ?? 0;
  const totalSends = Math.round((ratePerSec * (warmupSec + durationSec)) / recordsPerSend);
  const samples = new WarmupSamples(warmupSec, totalSends);
  let failed = 0;
  let sends = 0;
  let firstError: string | undefined;
  const pending: Array<Promise<void>> = [];
  try {
    const sendingSec = await paced(totalSends, ratePerSec / recordsPerSend, (sentAtSec) => {
      const sentAt = process.hrtime.bigint();
      pending.push(producer.send(topic, batches.take()).then(() => { samples.add(sentAtSec, Number(process.hrtime.bigint() - sentAt) / 1e6); },
        (error: unknown) => { failed++; firstError ??= String(error); }));
      sends++;
    });
    await Promise.all(pending);
    const { steady, warmup } = samples.summary();
    const figures: LatencyFigures = { ...steady, recordBytes: payloads.recordBytes, targetRatePerSec: ratePerSec,
      offeredRatePerSec: (totalSends * recordsPerSend) / sendingSec, recordsPerSend, sends, failed, warmup, warmupSec };
    if (firstError !== undefined) figures.firstError = firstError;
    return figures;
  } finally {
    await producer.close().catch(() => undefined);
  }
}
