// Produce throughput against the BENCH stream, two ways: the JetStream client's publish (one
// promise per record, as an application would use it) and raw core publishes with a reply
// subject, whose PubAcks are counted by one subscription (the lowest-overhead acked path).
import type { NatsConnection } from '@nats-io/transport-node';
import { createInbox } from '@nats-io/transport-node';
import type { JetStreamClient } from '@nats-io/jetstream';
import { throughput } from '../lib/stats.js';
import type { Throughput } from '../lib/stats.js';
import type { Payloads } from '../lib/payload.js';
import { subjects } from './stream.js';

export interface ProduceOptions {
  records: number;
  payloads: Payloads;
  /** Publishes awaiting their PubAck at most. */
  inFlightMax: number;
  /** Fail if no ack arrives for this long (a lost ack must not hang the bench). */
  stallTimeoutMs: number;
}

function checkOptions(options: ProduceOptions): void {
  if (!(Number.isInteger(options.records) && options.records > 0)) throw new RangeError('records > 0');
  if (!(Number.isInteger(options.inFlightMax) && options.inFlightMax > 0)) throw new RangeError('inFlightMax > 0');
}

/** Workload a: `js.publish` with at most `inFlightMax` unacknowledged publishes. */
export async function produceWithJetStreamClient(js: JetStreamClient, options: ProduceOptions): Promise<Throughput> {
  checkOptions(options);
  const { records, payloads, inFlightMax, stallTimeoutMs } = options;
  let sent = 0;
  let acked = 0;
  const started = process.hrtime.bigint();
  await new Promise<void>((resolve, reject) => {
    const onAck = (): void => {
      acked++;
      if (acked === records) resolve();
      else launch();
    };
    const launch = (): void => {
      while (sent < records && sent - acked < inFlightMax) {
        const subject = subjects[sent % subjects.length] ?? 'bench.p0';
        sent++;
        js.publish(subject, payloads.at(sent - 1), { timeout: stallTimeoutMs }).then(onAck, reject);
      }
    };
    launch();
  });
  return throughput(records, payloads.recordBytes, process.hrtime.bigint() - started);
}

/** Workload b: core publishes carrying a reply inbox; one subscription counts the PubAcks. */
export async function produceWithCorePublish(nc: NatsConnection, options: ProduceOptions): Promise<Throughput> {
  checkOptions(options);
  const { records, payloads, inFlightMax, stallTimeoutMs } = options;
  const inbox = createInbox();
  let acked = 0;
  let errors = 0;
  let wake: (() => void) | undefined;
  const subscription = nc.subscribe(inbox, {
    callback: (error, msg) => {
      // A PubAck is `{"stream":...}`; anything else (an `{"error":...}` reply) is counted as failed.
      if (error !== null || msg.data[2] !== 0x73) errors++;
      acked++;
      wake?.();
    },
  });
  await nc.flush(); // The subscription must be known to the server before the first publish.
  try {
    const started = process.hrtime.bigint();
    await pumpCorePublishes(nc, inbox, payloads, records, inFlightMax, stallTimeoutMs, () => acked,
      (resume) => { wake = resume; });
    const elapsedNs = process.hrtime.bigint() - started;
    if (errors > 0) throw new Error(`${errors} of ${records} core publishes were rejected by JetStream`);
    return throughput(records, payloads.recordBytes, elapsedNs);
  } finally {
    subscription.unsubscribe();
  }
}

// The hot loop: publish while the window has room, otherwise sleep until an ack (or a stall).
async function pumpCorePublishes(nc: NatsConnection, inbox: string, payloads: Payloads, records: number,
    inFlightMax: number, stallTimeoutMs: number, ackedCount: () => number, setWake: (resume: () => void) => void,
): Promise<void> {
  let sent = 0;
  while (ackedCount() < records) {
    while (sent < records && sent - ackedCount() < inFlightMax) {
      nc.publish(subjects[sent % subjects.length] ?? 'bench.p0', payloads.at(sent), { reply: inbox });
      sent++;
    }
    const ackedBefore = ackedCount();
    const progressed = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), stallTimeoutMs);
      // Wake when a quarter of the window is free, so each refill is a batch, not one publish.
      const threshold = Math.min(records, ackedBefore + Math.max(1, inFlightMax >> 2));
      setWake(() => {
        if (ackedCount() >= threshold) { clearTimeout(timer); resolve(true); }
      });
    });
    if (!progressed && ackedCount() === ackedBefore) {
      throw new Error(`core publish stalled: ${ackedCount()} of ${records} acked, ${sent} sent`);
    }
  }
}
