// Workload a: one idempotent acks=all producer sends N unkeyed records in chunks of `chunk`
// records per `send`, with at most `inFlightChunks` sends outstanding (a closed pipeline), then
// checks with listOffsets that the topic holds exactly N records.
import type { BrookClient } from '../../runtime/sdk/index.js';
import { throughput } from '../lib/stats.js';
import type { Throughput } from '../lib/stats.js';
import type { Payloads } from '../lib/payload.js';
import { RecordBatches } from './record-batches.js';

export interface ProduceOptions {
  topic: string;
  records: number;
  payloads: Payloads;
  chunk: number;
  inFlightChunks: number;
  lingerMs: number;
  batchBytes: number;
}

export interface ProduceFigures extends Throughput { failedSends: number; firstError?: string }

export async function produceThroughput(client: BrookClient, options: ProduceOptions): Promise<ProduceFigures> {
  const { topic, records, payloads, chunk, inFlightChunks } = options;
  const producer = client.producer({ acks: 'all', lingerMs: options.lingerMs, batchBytes: options.batchBytes,
    bufferBytesMax: Math.max(64 * 1024 * 1024, options.batchBytes * 4), requestTimeoutMs: 10_000, deliveryTimeoutMs: 120_000 });
  const batches = new RecordBatches(payloads, chunk);
  let failedSends = 0;
  let firstError: string | undefined;
  try {
    const inFlight = new Set<Promise<void>>();
    const started = process.hrtime.bigint();
    for (let sent = 0; sent < records; sent += chunk) {
      const count = Math.min(chunk, records - sent);
      const done: Promise<void> = producer.send(topic, batches.take(count)).then(() => undefined, (error: unknown) => {
        failedSends++;
        firstError ??= String(error);
      }).finally(() => inFlight.delete(done));
      inFlight.add(done);
      if (inFlight.size >= inFlightChunks) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    const elapsed = process.hrtime.bigint() - started;
    const figures: ProduceFigures = { ...throughput(records, payloads.recordBytes, elapsed), failedSends };
    if (firstError !== undefined) figures.firstError = firstError;
    return figures;
  } finally {
    await producer.close().catch(() => undefined);
  }
}
