/**
 * Compression: 1 KiB text-like records (JSON-ish lines drawn from a vocabulary by a seeded PRNG,
 * so they compress like application logs and events, not like repeated bytes) produced to one
 * topic per codec on a one-node cluster (a real `brook node join` process over a real
 * nats-server, RF 1, acks=all, 64 KiB batches), then read back with one consumer. Per codec:
 * produce and consume throughput, the records bytes the leader stores (and sends to each
 * follower and consumer), and the growth of the node's LevelDB directory (LevelDB compresses its
 * tables with Snappy itself, so uncompressed batches shrink there too). Never asserts.
 *
 *   npx tsx bench/compression.ts [--records 50000] [--codecs none,lz4,zstd,gzip,snappy]
 */
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { isCompression, type Compression } from '../actors/client/compression.js';
import { commandVersion, describeMachine, formatMachine } from './lib/machine.js';
import { markdownTable } from './lib/table.js';
import { startBrookCluster, stopBrookCluster } from './brook/cluster.js';
import { findNatsServer } from '../test/helpers/nats-server.js';
import { fetchAddress } from '../actors/kit/addresses.js';
import { realClock } from '../runtime/clock.js';
import { Rpc } from '../runtime/rpc.js';
import { clientInternals } from '../runtime/sdk/connect.js';

const { values } = parseArgs({ options: { records: { type: 'string', default: '50000' }, codecs: { type: 'string', default: 'none,lz4,zstd,gzip,snappy' } } });
const total = Number(values.records);
const codecs = values.codecs.split(',').map((c) => c.trim());
if (!Number.isInteger(total) || total < 1) throw new RangeError(`--records must be a positive integer, got '${values.records}'`);
if (!codecs.every(isCompression)) throw new RangeError(`--codecs takes none,gzip,snappy,lz4,zstd, got '${values.codecs}'`);

const WORDS = ['order', 'user', 'created', 'shipped', 'widget', 'gadget', 'invoice', 'payment', 'accepted', 'region', 'eu-west', 'us-east',
  'status', 'pending', 'total', 'currency', 'EUR', 'USD', 'quantity', 'sku', 'customer', 'address', 'street', 'city', 'note', 'gift'];

/** 1 KiB of text-like JSON; `state` is a Mulberry32 state, so every run makes the same records. */
function textRecord(state: { s: number }): Buffer {
  const next = (): number => { state.s = (state.s + 0x6d2b79f5) >>> 0; let z = Math.imul(state.s ^ (state.s >>> 15), state.s | 1); z ^= z + Math.imul(z ^ (z >>> 7), z | 61); return ((z ^ (z >>> 14)) >>> 0) / 2 ** 32; };
  let text = `{"id":${Math.floor(next() * 1e9)},"at":${1_700_000_000_000 + Math.floor(next() * 1e9)},"fields":{`;
  while (text.length < 1000) text += `"${WORDS[Math.floor(next() * WORDS.length)]}":"${WORDS[Math.floor(next() * WORDS.length)]}-${Math.floor(next() * 1000)}",`;
  return Buffer.from((text.slice(0, 1021) + '"}}').padEnd(1024, ' '));
}

/** The records bytes the leader stores for `topic`/0 (what it sends to every follower and consumer), read through fetch. */
async function storedBytes(topic: string, end: number): Promise<number> {
  const rpc = new Rpc(clientInternals(cluster.client).transport, realClock, `client/${cluster.client.clientId}-sizes`, { timeoutMsDefault: 5000 });
  let bytes = 0;
  try {
    for (let offset = 0; offset < end;) {
      const reply = (await rpc.request(fetchAddress(topic, 0, 1), 'fetch', { replicaId: -1, fetchOffset: offset, lastFetchedEpoch: -1, maxWaitMs: 0, minBytes: 0,
        bytesMax: 8 << 20 })).body as { batches: Array<{ lastOffset: number; records: Uint8Array }> };
      for (const b of reply.batches) bytes += b.records.byteLength;
      offset = (reply.batches.at(-1)?.lastOffset ?? end) + 1;
    }
  } finally {
    rpc.close();
  }
  return bytes;
}

function dirBytes(dir: string): number { return Number(execFileSync('du', ['-sb', dir], { encoding: 'utf8' }).split('\t')[0]); }

const cluster = await startBrookCluster({ voters: [1], name: 'compression' });
const rows: Array<Array<string | number>> = [];
try {
  const state = { s: 42 };
  const payloads = Array.from({ length: 2000 }, () => textRecord(state));
  const dataDir = cluster.processes.nodes.get(1)?.dataDir as string;
  for (const codec of codecs as Compression[]) {
    const topic = `bench-${codec}`;
    await cluster.admin.createTopic(topic, { partitions: 1, replicationFactor: 1 });
    const diskBefore = dirBytes(dataDir);
    const producer = cluster.client.producer({ acks: 'all', compression: codec, lingerMs: 5, batchBytes: 64 * 1024 });
    const started = performance.now();
    const inFlight: Array<Promise<unknown>> = [];
    for (let sent = 0; sent < total; sent += 500) {
      inFlight.push(producer.send(topic, Array.from({ length: Math.min(500, total - sent) }, (_, i) => ({ value: payloads[(sent + i) % payloads.length] as Buffer }))));
      if (inFlight.length >= 8) await inFlight.shift();
    }
    await Promise.all(inFlight);
    const produceSeconds = (performance.now() - started) / 1000;
    await producer.close();
    const consumer = cluster.client.consumer({ fetchBytesMax: 8 * 1024 * 1024 });
    await consumer.assign([{ topic, partition: 0, offset: 'earliest' }]);
    const readStart = performance.now();
    let read = 0;
    while (read < total) read += (await consumer.poll({ maxRecords: 5000, timeoutMs: 2000 })).length;
    const consumeSeconds = (performance.now() - readStart) / 1000;
    await consumer.close();
    await new Promise((r) => setTimeout(r, 1000)); // Let LevelDB finish writing its log before measuring.
    const diskDelta = Math.max(1, dirBytes(dataDir) - diskBefore);
    const stored = await storedBytes(topic, total);
    const mib = (total * 1024) / 2 ** 20;
    rows.push([codec, Math.round(total / produceSeconds), (mib / produceSeconds).toFixed(1), Math.round(total / consumeSeconds),
      (stored / 2 ** 20).toFixed(1), (mib / (stored / 2 ** 20)).toFixed(2), (diskDelta / 2 ** 20).toFixed(1)]);
    console.log(`${codec}: produced ${total} in ${produceSeconds.toFixed(2)} s, read in ${consumeSeconds.toFixed(2)} s, data dir +${(diskDelta / 2 ** 20).toFixed(1)} MiB`);
  }
} finally {
  await stopBrookCluster(cluster);
}
console.log(`\n${total} records of 1 KiB (${((total * 1024) / 2 ** 20).toFixed(1)} MiB of values) per codec; ${formatMachine(describeMachine({ 'nats-server': commandVersion(findNatsServer(), ['--version']) }))}\n`);
console.log(markdownTable(['codec', 'produce rec/s', 'produce MiB/s', 'consume rec/s', 'batches stored MiB', 'values / stored', 'data dir growth MiB'], rows));
