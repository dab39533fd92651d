/**
 * Codec and transport figures: envelope pack/unpack rate for a 100 B and a 1 KiB body, then
 * request/reply round trips through runtime/rpc.ts over the memory transport and over a real
 * nats-server (started here, on a free port), one at a time and with 64 in flight.
 * Prints a markdown table; never asserts on timings.
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
import { NatsTransport } from '../transport/nats.js';
import type { Transport } from '../transport/transport.js';
import { commandVersion, describeMachine, formatMachine } from './lib/machine.js';
import { markdownTable, type Cell } from './lib/table.js';

const CODEC_SECONDS = 1.5;
const ROUND_TRIP_SECONDS = 3;

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

async function main(): Promise<void> {
  const machine = describeMachine({ 'nats-server': commandVersion('nats-server', ['--version']) });
  const rows = [...codecRows(100, '100 B'), ...codecRows(1024, '1 KiB'), ...await transportRows()];
  console.log(`Machine: ${formatMachine(machine)}`);
  console.log(`Date: ${new Date().toISOString()}`);
  console.log('');
  console.log(markdownTable(['measurement', 'ops/s', 'MB/s'], rows));
}

await main();
