// Turns JetStream figures into the markdown table printed by main.ts and pasted into RESULTS.md.
import { markdownTable } from '../lib/table.js';
import type { Cell } from '../lib/table.js';
import type { SizeFigures } from './workload.js';

const header = ['Record size (B)', 'Workload', 'Records', 'Seconds', 'Records/s', 'MB/s', 'Ack p50 (ms)', 'Ack p99 (ms)'];

export function figuresTable(sizes: readonly SizeFigures[]): string {
  const rows: Cell[][] = [];
  for (const size of sizes) {
    const b = size.recordBytes;
    for (const [name, figure] of [
      ['a. produce, js.publish (pipelined)', size.produceJsClient],
      ['b. produce, core publish + PubAck count', size.produceCorePublish],
      ['c. consume, ordered pull consumer', size.consumeOrdered],
    ] as const) {
      rows.push([b, name, figure.records, figure.seconds.toFixed(2), figure.recordsPerSec, figure.mbPerSec.toFixed(1), '', '']);
    }
    const latency = size.ackLatency;
    rows.push([b, `d. ack latency at ${latency.targetRatePerSec}/s offered`, latency.sent,
      (latency.sent / latency.offeredRatePerSec).toFixed(2), latency.offeredRatePerSec,
      ((latency.offeredRatePerSec * b) / 1e6).toFixed(1), latency.p50Ms.toFixed(2), latency.p99Ms.toFixed(2)]);
  }
  return markdownTable(header, rows);
}
