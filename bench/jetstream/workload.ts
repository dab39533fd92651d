// The JetStream workloads for one record size: ack latency at a fixed rate (d, run first), produce
// with the JetStream client (a), produce with core publishes counting PubAcks (b), read
// everything back (c). Each produce starts from a freshly created stream, so no run pays for the
// previous run's data, and each checks the stream really holds what was acknowledged.
import type { NatsConnection } from '@nats-io/transport-node';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { Throughput } from '../lib/stats.js';
import { consumeAll } from './consume.js';
import { measureAckLatency } from './latency.js';
import type { LatencyFigures } from './latency.js';
import { produceWithCorePublish, produceWithJetStreamClient } from './produce.js';
import { makePayloads, recreateStream, storedCount } from './stream.js';

const settleMs = 2_000;

export interface WorkloadSettings {
  records: number;
  replicas: number;
  inFlightJs: number;
  inFlightCore: number;
  consumeBatchRecords: number;
  latencyRatePerSec: number;
  latencyDurationSec: number;
  /** Seconds at the latency rate before the measured window, summarised apart (LatencyFigures.warmup). */
  latencyWarmupSec: number;
  stallTimeoutMs: number;
}

export interface SizeFigures {
  recordBytes: number;
  produceJsClient: Throughput;
  produceCorePublish: Throughput;
  consumeOrdered: Throughput;
  ackLatency: LatencyFigures;
}

export interface Clients {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
}

export async function runSizeWorkloads(clients: Clients, recordBytes: number, settings: WorkloadSettings,
    log: (line: string) => void): Promise<SizeFigures> {
  const { nc, js, jsm } = clients;
  const payloads = makePayloads(recordBytes);
  const { records, stallTimeoutMs } = settings;

  // Latency first, on an empty stream after a pause, so that neither the bulk data of a, b and c
  // nor the server deleting it afterwards sits in the measured window.
  await recreateStream(jsm, settings.replicas);
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  log(`  [${recordBytes} B] d. ack latency at ${settings.latencyRatePerSec}/s for ${settings.latencyDurationSec} s after a ${settings.latencyWarmupSec} s warm-up`);
  const ackLatency = await measureAckLatency(js, {
    payloads, ratePerSec: settings.latencyRatePerSec, durationSec: settings.latencyDurationSec, ackTimeoutMs: stallTimeoutMs, warmupSec: settings.latencyWarmupSec,
  });
  log(`  [${recordBytes} B] d. p50 ${ackLatency.p50Ms.toFixed(2)} ms, p99 ${ackLatency.p99Ms.toFixed(2)} ms; warm-up p99 ${ackLatency.warmup.p99Ms.toFixed(2)} ms, max ${ackLatency.warmup.maxMs.toFixed(2)} ms`);

  await recreateStream(jsm, settings.replicas);
  log(`  [${recordBytes} B] a. js.publish x ${records}, ${settings.inFlightJs} in flight`);
  const produceJsClient = await produceWithJetStreamClient(js, { records, payloads, inFlightMax: settings.inFlightJs, stallTimeoutMs });
  await expectStored(jsm, records, 'js.publish');

  await recreateStream(jsm, settings.replicas);
  log(`  [${recordBytes} B] b. core publish + PubAck x ${records}, ${settings.inFlightCore} in flight`);
  const produceCorePublish = await produceWithCorePublish(nc, { records, payloads, inFlightMax: settings.inFlightCore, stallTimeoutMs });
  await expectStored(jsm, records, 'core publish');

  log(`  [${recordBytes} B] c. ordered consumer reads ${records}, batches of ${settings.consumeBatchRecords}`);
  const consumeOrdered = await consumeAll(js, { records, recordBytes, batchRecords: settings.consumeBatchRecords, stallTimeoutMs });

  await recreateStream(jsm, settings.replicas); // Leave no bulk data behind between sizes.
  return { recordBytes, produceJsClient, produceCorePublish, consumeOrdered, ackLatency };
}

async function expectStored(jsm: JetStreamManager, expected: number, workload: string): Promise<void> {
  const stored = await storedCount(jsm);
  if (stored !== expected) throw new Error(`${workload}: stream holds ${stored} records, ${expected} were acknowledged`);
}
