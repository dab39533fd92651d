// Markdown tables for the Brook figures (printed by main.ts and compare.ts, pasted into RESULTS.md).
import { markdownTable } from '../lib/table.js';
import type { Cell } from '../lib/table.js';
import type { BrookFigures } from './main.js';

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
  const rows: Cell[][] = (figures.failover ?? []).map((r) => [r.round, r.killedNode, r.newLeader, r.gapMs.toFixed(0),
    Math.round(r.steadyRecordsPerSec), Math.round(r.lowestBucketRecordsPerSec), r.acked, r.failedSends, r.firstError?.slice(0, 80) ?? '']);
  return markdownTable(['Round', 'Killed node', 'New p0 leader', 'p0 ack gap (ms)', 'Steady rec/s', 'Lowest 250 ms bucket rec/s', 'p0 sends acked', 'Failed sends', 'First error'], rows);
}
