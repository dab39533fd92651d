/**
 * Codec and transport figures: envelope pack/unpack rate for a 100 B and a 1 KiB body, then
 * request/reply round trips through runtime/rpc.ts over the memory transport and over a real
 * nats-server (started here, on a free port), one at a time and with 64 in flight, then large
 * envelopes (a fetch reply's shape) streamed one way with 8 outstanding: once as Brook sends them
 * (scattered framing, pieces written from their own buffers) and once as one msgpack buffer
 * published by the NATS client's own `connect` and `publish`, with this process's CPU per MB
 * (sender and receiver both run here). Prints a markdown table; never asserts on timings.
 *
 *   npx tsx bench/transport.ts
 */
import { realClock } from '../runtime/clock.js';
import { clientAddress, produceAddress } from '../actors/kit/addresses.js';
import { Rpc } from '../runtime/rpc.js';
import { startNatsServer } from '../test/helpers/nats-server.js';
import { decodeEnvelope, encodeEnvelope } from '../transport/codec.js';
import type { Envelope } from '../transport/envelope.js';
import { MemoryNetwork } from '../transport/memory.js';
import { connect } from '@nats-io/transport-node';
import { NatsTransport } from '../transport/nats.js';
import { subjectFor } from '../transport/subject.js';
import type { Transport } from '../transport/transport.js';
import { commandVersion, describeMachine, formatMachine } from './lib/machine.js';
import { markdownTable, type Cell } from './lib/table.js';

const CODEC_SECONDS = 1.5;
const ROUND_TRIP_SECONDS = 3;
const STREAM_SECONDS = 3;
const STREAM_OUTSTANDING = 8;
const STREAM_GIVE_UP_MS = 10_000;

function envelopeWithBody(bodyBytes: number): Envelope {
  const batch = new Uint8Array(bodyBytes);
  for (let i = 0; i < batch.length; i++) batch[i] = i & 0xff;
  return { to: produceAddress('orders', 3, 1), from: clientAddress('42'), type: 'produce', corr: 123456, replyTo: clientAddress('42'),
    body: { leaderEpoch: 7, producerId: 99, baseSequence: 1000, recordCount: 10, batch } };
}

/** Runs `fn` in chunks until `seconds` pass; returns operations per second. */
function rate(seconds: number, chunk: number, fn: () => void): number {
  for (let i = 0; i < chunk; i++) fn(); // warm up
  const start = performance.now();
  let ops = 0;
  while (performance.now() - start < seconds * 1000) {
    for (let i = 0; i < chunk; i++) fn();
    ops += chunk;
  }
  return ops / ((performance.now() - start) / 1000);
}

function codecRows(bodyBytes: number, label: string): Cell[][] {
  const envelope = envelopeWithBody(bodyBytes);
  const bytes = encodeEnvelope(envelope);
  const packRate = rate(CODEC_SECONDS, 1000, () => { encodeEnvelope(envelope); });
  const unpackRate = rate(CODEC_SECONDS, 1000, () => { decodeEnvelope(bytes); });
  const mb = (ops: number): number => (ops * bytes.length) / 1e6;
  return [
    [`codec pack, ${label} body (${bytes.length} B envelope)`, packRate, mb(packRate)],
    [`codec unpack, ${label} body (${bytes.length} B envelope)`, unpackRate, mb(unpackRate)],
  ];
}

/** An echo service on `server`; `client` runs `inFlight` request loops for `seconds`. */
async function roundTrips(server: Transport, client: Transport, inFlight: number, settle: () => Promise<void>): Promise<number> {
  server.listen('svc/echo', (request) => {
    server.send({ to: request.replyTo as string, from: 'svc/echo', type: 'echoed', corr: request.corr, body: request.body });
  });
  const rpc = new Rpc(client, realClock, clientAddress(`bench-${inFlight}`), { timeoutMsDefault: 10_000 });
  await settle();
  const body = { n: 1, payload: new Uint8Array(100) };
  const loop = async (untilMs: number): Promise<number> => {
    let count = 0;
    while (performance.now() < untilMs) { await rpc.request('svc/echo', 'echo', body); count++; }
    return count;
  };
  await loop(performance.now() + 300); // warm up
  const start = performance.now();
  const counts = await Promise.all(Array.from({ length: inFlight }, () => loop(start + ROUND_TRIP_SECONDS * 1000)));
  const seconds = (performance.now() - start) / 1000;
  rpc.close();
  server.unlisten('svc/echo');
  return counts.reduce((sum, n) => sum + n, 0) / seconds;
}

async function transportRows(): Promise<Cell[][]> {
  const rows: Cell[][] = [];
  const memory = new MemoryNetwork();
  const memoryServer = memory.endpoint();
  const memoryClient = memory.endpoint();
  for (const inFlight of [1, 64]) {
    rows.push([`round trips, memory, ${inFlight} in flight`, await roundTrips(memoryServer, memoryClient, inFlight, async () => {}), '']);
  }
  const nats = await startNatsServer();
  try {
    const server = await NatsTransport.connect({ servers: nats.url, cluster: 'bench', name: 'bench-server' });
    const client = await NatsTransport.connect({ servers: nats.url, cluster: 'bench', name: 'bench-client' });
    for (const inFlight of [1, 64]) {
      const settle = async (): Promise<void> => { await server.flush(); await client.flush(); };
      rows.push([`round trips, NATS (2 connections), ${inFlight} in flight`, await roundTrips(server, client, inFlight, settle), '']);
    }
    await Promise.all([server.close(), client.close()]);
  } finally {
    await nats.stop();
  }
  return rows;
}

function fetchReplyWith(records: Uint8Array, n: number): Envelope {
  return { to: clientAddress('stream-in'), from: clientAddress('stream-out'), type: 'fetchReply', corr: n,
    body: { code: 'OK', hw: n + 1, logStartOffset: 0, batches: [{ baseOffset: n, lastOffset: n, records, bytes: records.length }] } };
}

/**
 * Streams `bodyBytes` envelopes to a listening NatsTransport for STREAM_SECONDS, at most
 * STREAM_OUTSTANDING unanswered (the receiver's count is the answer): envelopes/s, MB/s and this
 * process's CPU per MB. `publish` sends envelope number `n`.
 */
async function stream(receiver: NatsTransport, bodyBytes: number, publish: (n: number) => void): Promise<Cell[]> {
  let received = 0;
  let wake: (() => void) | undefined;
  receiver.listen(clientAddress('stream-in'), () => { received++; wake?.(); });
  await receiver.flush();
  let sent = 0;
  // Core NATS may drop a message: a stream that stops arriving ends the bench with a line, not a hang.
  const arrival = (): Promise<void> => new Promise<void>((resolve, reject) => {
    const giveUp = setTimeout(() => reject(new Error(`no envelope arrived for ${STREAM_GIVE_UP_MS} ms (${received} of ${sent})`)), STREAM_GIVE_UP_MS);
    wake = () => { clearTimeout(giveUp); resolve(); };
  });
  const run = async (seconds: number): Promise<void> => {
    const until = performance.now() + seconds * 1000;
    while (performance.now() < until) {
      while (sent - received < STREAM_OUTSTANDING) publish(sent++);
      await arrival();
    }
    while (received < sent) await arrival();
  };
  await run(0.5); // warm up
  const before = received;
  const cpu = process.cpuUsage();
  const start = performance.now();
  await run(STREAM_SECONDS);
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  receiver.unlisten(clientAddress('stream-in'));
  const megabytes = ((received - before) * bodyBytes) / 1e6;
  return [(received - before) / seconds, megabytes / seconds, (used.user + used.system) / 1000 / megabytes];
}

async function largeEnvelopeRows(): Promise<Cell[][]> {
  const rows: Cell[][] = [];
  const nats = await startNatsServer();
  try {
    const receiver = await NatsTransport.connect({ servers: nats.url, cluster: 'bench', name: 'bench-receiver' });
    const sender = await NatsTransport.connect({ servers: nats.url, cluster: 'bench', name: 'bench-sender' });
    const plain = await connect({ servers: nats.url, name: 'bench-plain-sender' });
    const subject = subjectFor('bench', clientAddress('stream-in'));
    for (const bodyBytes of [256 * 1024, 4_000_000]) {
      const records = new Uint8Array(bodyBytes);
      for (let i = 0; i < records.length; i++) records[i] = 97 + (i % 26);
      const label = bodyBytes >= 1e6 ? `${bodyBytes / 1e6} MB` : `${bodyBytes / 1024} KiB`;
      // Alternating, so that a slower minute of a shared machine falls on both.
      for (let round = 0; round < 2; round++) {
        rows.push([`one way, ${label} envelopes, Brook's NatsTransport (round ${round + 1})`, ...await stream(receiver, bodyBytes, (n) => sender.send(fetchReplyWith(records, n)))]);
        rows.push([`one way, ${label} envelopes, one msgpack buffer, NATS client publish (round ${round + 1})`, ...await stream(receiver, bodyBytes, (n) => plain.publish(subject, encodeEnvelope(fetchReplyWith(records, n))))]);
      }
    }
    await Promise.all([receiver.close(), sender.close(), plain.close()]);
  } finally {
    await nats.stop();
  }
  return rows;
}

async function main(): Promise<void> {
  const machine = describeMachine({ 'nats-server': commandVersion('nats-server', ['--version']) });
  const rows = [...codecRows(100, '100 B'), ...codecRows(1024, '1 KiB'), ...await transportRows()].map((row) => [...row, '']);
  rows.push(...await largeEnvelopeRows());
  console.log(`Machine: ${formatMachine(machine)}`);
  console.log(`Date: ${new Date().toISOString()}`);
  console.log('');
  console.log(markdownTable(['measurement', 'ops/s', 'MB/s', 'process CPU ms per MB'], rows));
}

await main();
