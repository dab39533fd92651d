// Markdown tables for the Brook figures (printed by main.ts and compare.ts, pasted into RESULTS.md).
import { markdownTable } from '../lib/table.js';
import type { Cell } from '../lib/table.js';
import type { BrookFigures, SecurityRun } from './main.js';

export function brookTable(figures: BrookFigures): string {
  const rows: Cell[][] = [];
  for (const size of figures.sizes) {
    const b = size.recordBytes;
    if (size.produce) rows.push([b, 'a. produce, SDK acks=all idempotent', size.produce.records, size.produce.seconds.toFixed(2), size.produce.recordsPerSec, size.produce.mbPerSec.toFixed(1), '', '']);
    if (size.consume) rows.push([b, 'b. consume, 1 consumer x 6 partitions', size.consume.records, size.consume.seconds.toFixed(2), size.consume.recordsPerSec, size.consume.mbPerSec.toFixed(1), '', '']);
    const l = size.latency;
    if (l) rows.push([b, `c. ack latency at ${l.targetRatePerSec}/s offered`, l.sends * l.recordsPerSend, (l.sends * l.recordsPerSend / l.offeredRatePerSec).toFixed(2), l.offeredRatePerSec, ((l.offeredRatePerSec * b) / 1e6).toFixed(1), l.p50Ms.toFixed(2), l.p99Ms.toFixed(2)]);
    for (const [workload, error] of Object.entries(size.errors)) rows.push([b, `${workload}: FAILED`, '', '', '', '', '', error.slice(0, 120)]);
  }
  return markdownTable(['Record size (B)', 'Workload', 'Records', 'Seconds', 'Records/s', 'MB/s', 'Ack p50 (ms)', 'Ack p99 (ms)'], rows);
}

export function failoverTable(figures: BrookFigures): string {
  const rows: Cell[][] = (figures.failover ?? []).map((r) => [r.round, r.killedNode, r.controllerLeader ? 'yes' : 'no', r.partition, r.newLeader, r.gapMs.toFixed(0),
    Math.round(r.steadyRecordsPerSec), Math.round(r.lowestBucketRecordsPerSec), r.acked, r.failedSends, r.firstError?.slice(0, 80) ?? '']);
  return markdownTable(['Round', 'Killed node', 'Controller leader', 'Partition', 'New leader', 'Ack gap (ms)', 'Steady rec/s', 'Lowest 250 ms bucket rec/s', 'Sends acked', 'Failed sends', 'First error'], rows);
}

/** One row per mode, round and record size, then the median produce rate of each mode against `off`. */
export function securityTable(runs: SecurityRun[]): string {
  const rows: Cell[][] = [];
  for (const run of runs) {
    for (const size of run.sizes) {
      const l = size.latency;
      rows.push([run.mode, run.round, size.recordBytes, size.produce?.recordsPerSec ?? 'n/a', size.produce?.mbPerSec.toFixed(1) ?? 'n/a',
        size.consume?.recordsPerSec ?? 'n/a', l?.p50Ms.toFixed(2) ?? 'n/a', l?.p99Ms.toFixed(2) ?? 'n/a', Object.keys(size.errors).join(',')]);
    }
  }
  const table = markdownTable(['Security', 'Round', 'Record size (B)', 'a. produce rec/s', 'a. MB/s', 'b. consume rec/s', 'c. ack p50 (ms)', 'c. ack p99 (ms)', 'Failed'], rows);
  const median = (values: number[]): number => { const v = [...values].sort((x, y) => x - y); return v.length === 0 ? Number.NaN : (v[(v.length - 1) >> 1] as number); };
  const summary: Cell[][] = [];
  const modes = [...new Set(runs.map((r) => r.mode))];
  const sizes = [...new Set(runs.flatMap((r) => r.sizes.map((s) => s.recordBytes)))];
  for (const size of sizes) {
    const rate = (mode: string): number => median(runs.filter((r) => r.mode === mode).flatMap((r) => r.sizes.filter((s) => s.recordBytes === size && s.produce).map((s) => s.produce?.recordsPerSec as number)));
    for (const mode of modes) summary.push([size, mode, Math.round(rate(mode)), modes.includes('off') ? (rate(mode) / rate('off')).toFixed(2) : '']);
  }
  return `${table}\n\n${markdownTable(['Record size (B)', 'Security', 'Median produce rec/s', 'vs off'], summary)}`;
}
