// Latency summaries for bench/ figures. Samples are kept in a preallocated Float64Array by the
// caller (no per-sample allocation on the hot path); this file only sorts and reads them.

export interface LatencySummary {
  count: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  meanMs: number;
}

/** Nearest-rank percentile of an ascending array; `quantile` is in [0, 1]. */
export function percentile(sortedAscending: Float64Array, quantile: number): number {
  if (!(quantile >= 0 && quantile <= 1)) throw new RangeError(`quantile ${quantile} outside [0, 1]`);
  if (sortedAscending.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil(quantile * sortedAscending.length));
  return sortedAscending[rank - 1] ?? Number.NaN;
}

/** Summarises the first `count` samples (milliseconds). Sorts a copy, so the input is untouched. */
export function summarizeLatency(samplesMs: Float64Array, count: number): LatencySummary {
  if (!(count >= 0 && count <= samplesMs.length)) throw new RangeError(`count ${count} out of range`);
  const sorted = samplesMs.slice(0, count).sort();
  let sum = 0;
  for (let i = 0; i < sorted.length; i++) sum += sorted[i] ?? 0;
  return {
    count,
    p50Ms: percentile(sorted, 0.5),
    p90Ms: percentile(sorted, 0.9),
    p99Ms: percentile(sorted, 0.99),
    p999Ms: percentile(sorted, 0.999),
    maxMs: count === 0 ? Number.NaN : (sorted[count - 1] ?? Number.NaN),
    meanMs: count === 0 ? Number.NaN : sum / count,
  };
}

/**
 * Ack-latency samples of a fixed-rate run that starts with a warm-up: a sample belongs to the
 * warm-up when its send was issued before `warmupSec`. The headline figures are the steady part;
 * the warm-up (JIT compilation, first metadata and connections, a new topic's first writes) is
 * summarised on its own, so a cold start is shown, not mixed into the p99. Preallocated: no
 * allocation per sample on the hot path.
 */
export class WarmupSamples {
  private readonly steady: Float64Array;
  private readonly warm: Float64Array;
  private steadyCount = 0;
  private warmCount = 0;

  constructor(readonly warmupSec: number, capacity: number) {
    if (!(warmupSec >= 0)) throw new RangeError(`warm-up ${warmupSec} s is negative`);
    this.steady = new Float64Array(capacity);
    this.warm = new Float64Array(capacity);
  }

  add(sentAtSec: number, latencyMs: number): void {
    if (sentAtSec < this.warmupSec) this.warm[this.warmCount++] = latencyMs;
    else this.steady[this.steadyCount++] = latencyMs;
  }

  summary(): { steady: LatencySummary; warmup: LatencySummary } {
    return { steady: summarizeLatency(this.steady, this.steadyCount), warmup: summarizeLatency(this.warm, this.warmCount) };
  }
}

export interface Throughput {
  records: number;
  recordBytes: number;
  seconds: number;
  recordsPerSec: number;
  /** Payload bytes only, in MB of 10^6 bytes (headers and protocol overhead are not counted). */
  mbPerSec: number;
}

export function throughput(records: number, recordBytes: number, elapsedNs: bigint): Throughput {
  if (elapsedNs <= 0n) throw new RangeError('elapsed time must be positive');
  const seconds = Number(elapsedNs) / 1e9;
  return {
    records,
    recordBytes,
    seconds,
    recordsPerSec: records / seconds,
    mbPerSec: (records * recordBytes) / 1e6 / seconds,
  };
}
