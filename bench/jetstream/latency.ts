// Ack latency at a fixed offered rate: a paced loop (bench/lib/paced.ts) sends each record when it is
// due, and each PubAck records (ack time - send time). A fixed rate, unlike a
// closed loop, shows queueing delay instead of hiding it. The first `warmupSec` run at the same rate
// and are summarised apart, as Brook's workload c does (bench/brook/latency.ts).
import type { JetStreamClient } from '@nats-io/jetstream';
import { WarmupSamples } from '../lib/stats.js';
import type { LatencySummary } from '../lib/stats.js';
import type { Payloads } from '../lib/payload.js';
import { subjects } from './stream.js';
import { paced } from '../lib/paced.js';

export interface LatencyOptions {
  payloads: Payloads;
  ratePerSec: number;
  durationSec: number;
  /** Per-publish timeout; a timed-out publish counts as failed, not as a sample. */
  ackTimeoutMs: number;
  /** Seconds sent at the same rate before `durationSec`, summarised apart (default 0: none). */
  warmupSec?: number;
}

export interface LatencyFigures extends LatencySummary {
  recordBytes: number;
  targetRatePerSec: number;
  /** Records sent divided by the sending window; below target means the sender fell behind. */
  offeredRatePerSec: number;
  sent: number;
  failed: number;
  /** The warm-up's samples (count 0 without one). */
  warmup: LatencySummary;
  warmupSec: number;
}

/** Workload d. The run is bounded: it sends ratePerSec × durationSec records, then drains. */
export async function measureAckLatency(js: JetStreamClient, options: LatencyOptions): Promise<LatencyFigures> {
  const { payloads, ratePerSec, durationSec, ackTimeoutMs } = options;
  if (!(ratePerSec > 0 && durationSec > 0)) throw new RangeError('rate and duration must be positive');
  const warmupSec = options.warmupSec ?? 0;
  const total = Math.round(ratePerSec * (warmupSec + durationSec));
  const samples = new WarmupSamples(warmupSec, total);
  let settled = 0;
  let failed = 0;
  let sent = 0;
  let allSettled: () => void = () => {};
  const drained = new Promise<void>((resolve) => { allSettled = resolve; });
  const onSettled = (): void => { settled++; if (settled === total) allSettled(); };
  const sendingSec = await paced(total, ratePerSec, (sentAtSec) => {
    const sentAt = process.hrtime.bigint();
    js.publish(subjects[sent % subjects.length] ?? 'bench.p0', payloads.at(sent), { timeout: ackTimeoutMs }).then(() => {
      samples.add(sentAtSec, Number(process.hrtime.bigint() - sentAt) / 1e6);
      onSettled();
    }, () => { failed++; onSettled(); });
    sent++;
  });
  await drained; // Bounded: every publish settles by ackTimeoutMs.
  const { steady, warmup } = samples.summary();
  return {
    ...steady, recordBytes: payloads.recordBytes, targetRatePerSec: ratePerSec,
    offeredRatePerSec: total / sendingSec, sent, failed, warmup, warmupSec,
  };
}
