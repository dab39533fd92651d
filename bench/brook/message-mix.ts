// Which messages a cluster sends: every envelope that crosses nats-server, counted by type and by who
// sends it to whom (the first two segments of its from and to addresses), first while the cluster is
// idle and then while a producer offers records at the rate given. An observer subscribed to every
// subject of the cluster decodes each copy it gets, so this bench adds a reader of its own and its CPU
// figures are not the cluster's: bench/brook/rates.ts measures those. What it shows is the shape: how
// many messages one acknowledgement costs, and how much is heartbeats and long polls.
//   npx tsx bench/brook/message-mix.ts [--idle-seconds 10] [--rate 10000] [--size 100] [--seconds 6]
import { parseArgs } from 'node:util';
import { CLIENT_PREFIX } from '../../actors/kit/addresses.js';
import { connectNats } from '../../transport/nats-connect.js';
import { decodeEnvelope } from '../../transport/codec.js';
import { clusterSubject } from '../../transport/subject.js';
import { markdownTable } from '../lib/table.js';
import { createTopicReady, makePayloads, sleep, startBrookCluster, stopBrookCluster } from './cluster.js';
import { measureAckLatency } from './latency.js';

const CLUSTER = 'mix';
const TOPIC = 'mix';

/** Where an address sits: its first two segments (`n/repl`, `c/produce`), or `client` for any client's inbox. */
function side(address: string): string {
  return address.startsWith(`${CLIENT_PREFIX}/`) ? CLIENT_PREFIX : address.split('/').slice(0, 2).join('/');
}

/** `type from-side -> to-side`: a message kind and the sides it crosses between. */
function kindOf(data: Uint8Array): string {
  const envelope = decodeEnvelope(data);
  return `${envelope.type} ${side(envelope.from)} -> ${side(envelope.to)}`;
}

function mixTable(counts: Map<string, number>, seconds: number): string {
  const rows = [...counts].sort((a, b) => b[1] - a[1]);
  const total = rows.reduce((n, [, c]) => n + c, 0);
  return markdownTable(['message', 'per second'], [...rows.map(([kind, c]) => [kind, (c / seconds).toFixed(1)]), ['all', (total / seconds).toFixed(1)]]);
}

async function cli(): Promise<void> {
  const { values } = parseArgs({ options: {
    'idle-seconds': { type: 'string', default: '10' }, rate: { type: 'string', default: '10000' }, size: { type: 'string', default: '100' }, seconds: { type: 'string', default: '6' },
  } });
  const idleSeconds = Number(values['idle-seconds']);
  const rate = Number(values.rate);
  const size = Number(values.size);
  const seconds = Number(values.seconds);
  if (!(idleSeconds > 0) || !Number.isInteger(rate) || rate <= 0 || !Number.isInteger(size) || size <= 0 || !(seconds > 0)) {
    throw new Error('--idle-seconds, --seconds > 0; --rate, --size positive integers');
  }
  const cluster = await startBrookCluster({ voters: [1, 2, 3], name: CLUSTER });
  const observer = await connectNats({ servers: cluster.nats.url, name: 'mix-observer' });
  let counts = new Map<string, number>();
  observer.subscribe(`${clusterSubject(CLUSTER)}.>`, { callback: (_error, msg) => {
    const kind = kindOf(msg.data);
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  } });
  try {
    await createTopicReady(cluster, TOPIC, { partitions: 6, replicationFactor: 3, minInsync: 2 });
    await sleep(3000); // the topic's first fetches and elections settle
    counts = new Map();
    let started = performance.now();
    await sleep(idleSeconds * 1000);
    console.log(`Idle, one topic of 6 partitions (RF 3), ${idleSeconds} s:\n\n${mixTable(counts, (performance.now() - started) / 1000)}\n`);
    counts = new Map();
    started = performance.now();
    const figures = await measureAckLatency(cluster.client, { topic: TOPIC, payloads: makePayloads(size), ratePerSec: rate, durationSec: seconds, recordsPerSend: 10, lingerMs: 5 });
    console.log(`${rate} records/s of ${size} B (10 per send, lingerMs 5), ${seconds} s; ack p50 ${figures.p50Ms.toFixed(1)} ms, p99 ${figures.p99Ms.toFixed(1)} ms:\n\n${mixTable(counts, (performance.now() - started) / 1000)}`);
  } finally {
    await observer.close();
    await stopBrookCluster(cluster);
  }
}

cli().then(() => process.exit(0), (error: unknown) => { console.error(error); process.exit(1); });
