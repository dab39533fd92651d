// Workload b: one consumer assigned every partition of the topic from earliest polls until it
// has read `records` records. A run of empty polls longer than `stallTimeoutMs` fails the run.
import type { BrookClient } from '../../runtime/sdk/index.js';
import { throughput } from '../lib/stats.js';
import type { Throughput } from '../lib/stats.js';

export interface ConsumeOptions { topic: string; partitions: number; records: number; recordBytes: number; maxRecords: number; stallTimeoutMs: number }

export async function consumeAll(client: BrookClient, options: ConsumeOptions): Promise<Throughput> {
  const consumer = client.consumer({});
  try {
    await consumer.assign(Array.from({ length: options.partitions }, (_, partition) => ({ topic: options.topic, partition, offset: 'earliest' as const })));
    let read = 0;
    let lastProgress = performance.now();
    const started = process.hrtime.bigint();
    while (read < options.records) {
      const batch = await consumer.poll({ maxRecords: options.maxRecords, timeoutMs: 1000 });
      for (const record of batch) {
        if ((record.value?.length ?? 0) !== options.recordBytes) throw new Error(`record of ${record.value?.length} bytes at ${record.partition}/${record.offset}`);
      }
      read += batch.length;
      if (batch.length > 0) lastProgress = performance.now();
      else if (performance.now() - lastProgress > options.stallTimeoutMs) throw new Error(`consume stalled at ${read} of ${options.records} records`);
    }
    const elapsed = process.hrtime.bigint() - started;
    if (read !== options.records) throw new Error(`read ${read} records, expected ${options.records}`);
    return throughput(read, options.recordBytes, elapsed);
  } finally {
    await consumer.close().catch(() => undefined);
  }
}
