// Workload c: ack latency at a fixed offered rate. A 1 ms timer loop issues the sends that are due
// (10 records per send, so 1,000 sends/s for 10,000 records/s); latency = send resolved - send
// issued. A fixed rate shows queueing delay that a closed loop would hide.
import type { BrookClient, ProducerRecordInput } from '../../runtime/sdk/index.js';
import { summarizeLatency } from '../lib/stats.js';
import type { LatencySummary } from '../lib/stats.js';

export interface LatencyOptions { topic: string; payload: Uint8Array; ratePerSec: number; durationSec: number; recordsPerSend: number; lingerMs: number; batchBytes?: number; adaptiveLinger?: boolean }

export interface LatencyFigures extends LatencySummary {
  recordBytes: number;
  targetRatePerSec: number;
  offeredRatePerSec: number;
  recordsPerSend: number;
  sends: number;
  failed: number;
  firstError?: string;
}

export async function measureAckLatency(client: BrookClient, options: LatencyOptions): Promise<LatencyFigures> {
  const { topic, payload, ratePerSec, durationSec, recordsPerSend } = options;
  const producer = client.producer({ acks: 'all', lingerMs: options.lingerMs, adaptiveLinger: options.adaptiveLinger ?? false, requestTimeoutMs: 10_000, deliveryTimeoutMs: 30_000,
    ...(options.batchBytes === undefined ? {} : { batchBytes: options.batchBytes }) });
  const batch: ProducerRecordInput[] = Array.from({ length: recordsPerSend }, () => ({ value: payload }));
  const totalSends = Math.round((ratePerSec * durationSec) / recordsPerSend);
  const samplesMs = new Float64Array(totalSends);
  let sampled = 0;
  let failed = 0;
  let sends = 0;
  let firstError: string | undefined;
  const pending: Array<Promise<void>> = [];
  try {
    const started = process.hrtime.bigint();
    await new Promise<void>((resolve) => {
      const tick = (): void => {
        const elapsedSec = Number(process.hrtime.bigint() - started) / 1e9;
        const due = Math.min(totalSends, Math.floor((elapsedSec * ratePerSec) / recordsPerSend));
        while (sends < due) {
          const sentAt = process.hrtime.bigint();
          pending.push(producer.send(topic, batch).then(() => { samplesMs[sampled++] = Number(process.hrtime.bigint() - sentAt) / 1e6; },
            (error: unknown) => { failed++; firstError ??= String(error); }));
          sends++;
        }
        if (sends < totalSends) setTimeout(tick, 1); else resolve();
      };
      tick();
    });
    const sendingSec = Number(process.hrtime.bigint() - started) / 1e9;
    await Promise.all(pending);
    const figures: LatencyFigures = { ...summarizeLatency(samplesMs, sampled), recordBytes: payload.length, targetRatePerSec: ratePerSec,
      offeredRatePerSec: (totalSends * recordsPerSend) / sendingSec, recordsPerSend, sends, failed };
    if (firstError !== undefined) figures.firstError = firstError;
    return figures;
  } finally {
    await producer.close().catch(() => undefined);
  }
}
