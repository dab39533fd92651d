// Consume throughput: read the whole BENCH stream back with an ordered pull consumer, which the
// client refills in batches of `batchRecords` (the closest JetStream analogue of a Kafka fetch).
import type { JetStreamClient } from '@nats-io/jetstream';
import { throughput } from '../lib/stats.js';
import type { Throughput } from '../lib/stats.js';
import { streamName } from './stream.js';

export interface ConsumeOptions {
  /** Records the stream holds; the read stops after exactly this many. */
  records: number;
  recordBytes: number;
  batchRecords: number;
  stallTimeoutMs: number;
}

/** Workload c. Fails if a record has the wrong size or no record arrives for `stallTimeoutMs`. */
export async function consumeAll(js: JetStreamClient, options: ConsumeOptions): Promise<Throughput> {
  const { records, recordBytes, batchRecords, stallTimeoutMs } = options;
  if (!(Number.isInteger(records) && records > 0)) throw new RangeError('records > 0');
  if (!(Number.isInteger(batchRecords) && batchRecords > 0)) throw new RangeError('batchRecords > 0');
  const consumer = await js.consumers.get(streamName); // No name: an ordered consumer.
  let received = 0;
  let badSizes = 0;
  let receivedAtLastCheck = 0;
  const started = process.hrtime.bigint();
  let finish: (error?: Error) => void = () => {};
  const done = new Promise<void>((resolve, reject) => {
    finish = (error) => (error ? reject(error) : resolve());
  });
  const messages = await consumer.consume({
    max_messages: batchRecords,
    callback: (msg) => {
      if (msg.data.length !== recordBytes) badSizes++;
      received++;
      if (received === records) finish();
    },
  });
  const watchdog = setInterval(() => {
    if (received === receivedAtLastCheck) finish(new Error(`consume stalled at ${received} of ${records}`));
    receivedAtLastCheck = received;
  }, stallTimeoutMs);
  try {
    await done;
  } finally {
    clearInterval(watchdog);
    await messages.close().catch(() => undefined);
  }
  const elapsedNs = process.hrtime.bigint() - started;
  if (badSizes > 0) throw new Error(`${badSizes} records had a size other than ${recordBytes}`);
  return throughput(records, recordBytes, elapsedNs);
}
