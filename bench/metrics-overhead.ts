// What the metrics cost on the produce path: workload a of bench/brook (one idempotent acks=all
// producer, 100 B records, 1,000 per send, 16 sends in flight) against three node processes,
// alternately with metrics off (no --http) and on (`--http 127.0.0.1:PORT`, every node scraped once
// a second like a Prometheus server would), in ABBA order so that drift on a shared machine
// falls on both sides. Prints every round and the medians. First, the metering transport alone:
// the time one produce request and its reply spend in the wrapper, against the bare transport.
//   npx tsx bench/metrics-overhead.ts [--records 500000] [--pairs 3] [--record-bytes 100]
import { parseArgs } from 'node:util';
import { commandVersion, describeMachine, formatMachine } from './lib/machine.js';
import { createTopicReady, makePayloads, startBrookCluster, stopBrookCluster } from './brook/cluster.js';
import { produceThroughput } from './brook/produce.js';
import { freePorts } from './lib/ports.js';
import { BrookMetrics } from '../runtime/http/metrics-registry.js';
import { MeteredTransport } from '../runtime/http/metered-transport.js';
import type { Envelope } from '../transport/envelope.js';
import type { EnvelopeHandler, Transport } from '../transport/transport.js';

interface Round { mode: 'off' | 'on'; recordsPerSec: number; scrapes: number }

const { values } = parseArgs({ options: { records: { type: 'string' }, pairs: { type: 'string' }, 'record-bytes': { type: 'string' } } });
const records = Number(values.records ?? 500_000);
const pairs = Number(values.pairs ?? 3);
const recordBytes = Number(values['record-bytes'] ?? 100);

/** Scrapes every node's /metrics once a second until stopped; counts the answers. */
function scrapeEverySecond(ports: number[]): { stop(): number } {
  const urls = ports.map((port) => `http://127.0.0.1:${port}`);
  let scrapes = 0;
  const timer = setInterval(() => {
    for (const url of urls) void fetch(`${url}/metrics`).then(async (r) => { await r.text(); if (r.ok) scrapes++; }, () => undefined);
  }, 1000);
  return { stop: () => { clearInterval(timer); return scrapes; } };
}

async function round(mode: Round['mode'], index: number): Promise<Round> {
  const ports = await freePorts(3);
  const cluster = await startBrookCluster({ voters: [1, 2, 3], name: `overhead-${index}`,
    ...(mode === 'on' ? { nodeArgs: (id: number) => ['--http', `127.0.0.1:${ports[id - 1] ?? 0}`] } : {}) });
  try {
    await createTopicReady(cluster, 'bench', { partitions: 6, replicationFactor: 3, minInsync: 2 });
    const scraper = mode === 'on' ? scrapeEverySecond(ports) : undefined;
    const figures = await produceThroughput(cluster.client, { topic: 'bench', records, payloads: makePayloads(recordBytes), chunk: 1000, inFlightChunks: 16, lingerMs: 5, batchBytes: 256 * 1024 });
    const scrapes = scraper?.stop() ?? 0;
    if (figures.failedSends > 0) throw new Error(`${figures.failedSends} failed sends: ${figures.firstError ?? ''}`);
    return { mode, recordsPerSec: figures.recordsPerSec, scrapes };
  } finally {
    await stopBrookCluster(cluster);
  }
}

/** Nanoseconds per produce request + reply through `transport` (a no-op inner transport underneath). */
function perRequestNs(wrap: (inner: Transport) => Transport, pairs: number): number {
  let handler: EnvelopeHandler = () => {};
  const inner: Transport = { send: () => {}, listen: (_a, h) => { handler = h; }, unlisten: () => {}, close: async () => {} };
  const transport = wrap(inner);
  transport.listen('c/produce/orders/0/1', () => {});
  const body = { acks: -1, timeoutMs: 30_000, batch: { recordCount: 1000, records: new Uint8Array(100_000) } };
  const reply = { code: 'OK', baseOffset: 0, logStartOffset: 0 };
  const started = process.hrtime.bigint();
  for (let i = 0; i < pairs; i++) {
    const request: Envelope = { to: 'c/produce/orders/0/1', from: 'client/p-1', type: 'produce', corr: i, body };
    handler(request);
    transport.send({ to: 'client/p-1', from: 'n/repl/orders/0/1', type: 'produceReply', corr: i, body: reply });
  }
  return Number(process.hrtime.bigint() - started) / pairs;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

// Every bench cluster adds an exit hook (bench/brook/cluster.ts); many rounds in one process add many.
process.setMaxListeners(100);
const machine = describeMachine({ 'nats-server': commandVersion('nats-server', ['--version']).replace(/^nats-server:\s*/, '') });
console.log(`Machine: ${formatMachine(machine)}; ${new Date().toISOString()}`);
const metered = (inner: Transport): Transport => new MeteredTransport(inner, new BrookMetrics(), { nowMs: () => performance.now(), topicsMax: 1000, isrSize: () => undefined });
for (let warm = 0; warm < 2; warm++) { perRequestNs((t) => t, 100_000); perRequestNs(metered, 100_000); }
const bareNs = median([1, 2, 3].map(() => perRequestNs((t) => t, 200_000)));
const meteredNs = median([1, 2, 3].map(() => perRequestNs(metered, 200_000)));
console.log(`metering alone: ${(meteredNs - bareNs).toFixed(0)} ns per produce request and reply (bare ${bareNs.toFixed(0)} ns, metered ${meteredNs.toFixed(0)} ns)`);
console.log(`${records} records of ${recordBytes} B per round, ${pairs} ABBA pairs of rounds`);
const rounds: Round[] = [];
for (let pair = 0; pair < pairs; pair++) {
  const order: Array<Round['mode']> = pair % 2 === 0 ? ['off', 'on'] : ['on', 'off'];
  for (const mode of order) {
    const r = await round(mode, rounds.length);
    rounds.push(r);
    console.log(`round ${rounds.length}: metrics ${r.mode.padEnd(3)} ${Math.round(r.recordsPerSec).toLocaleString('en-US')} records/s${r.mode === 'on' ? ` (${r.scrapes} scrapes)` : ''}`);
  }
}
const off = median(rounds.filter((r) => r.mode === 'off').map((r) => r.recordsPerSec));
const on = median(rounds.filter((r) => r.mode === 'on').map((r) => r.recordsPerSec));
console.log(`median off ${Math.round(off).toLocaleString('en-US')} records/s, on ${Math.round(on).toLocaleString('en-US')} records/s: on/off ${(on / off * 100).toFixed(1)} %`);
process.exit(0);
