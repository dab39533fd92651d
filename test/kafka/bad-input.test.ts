// Goal: bad input on a Kafka connection costs only that connection. Unsupported versions are
// answered as Kafka answers them (ApiVersions: a v0 body with UNSUPPORTED_VERSION and its own
// range; anything else: the connection closes, with a log line); malformed, oversized and unknown
// frames close the connection; a fuzz run of random and mutated real requests leaves the node up,
// a bystander connection answering throughout, and the node's memory bounded.
// Method: one `brook node join --kafka` process over a real nats-server; raw sockets (and
// kafkajs's own request encoders for the fuzz corpus); the node's RSS read from /proc.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { KafkaCluster } from '../helpers/kafka-cluster.js';
import { WireClient } from '../helpers/kafka-wire.js';
import { apiVersions, metadata } from '../../runtime/kafka/schemas/index.js';
import { Writer } from '../../runtime/kafka/protocol/writer.js';

const require = createRequire(import.meta.url);
type KjsRequest = { apiKey: number; apiVersion: number; encode: () => Promise<{ buffer: Buffer }> };
const kjsFrame = require('kafkajs/src/protocol/request') as (r: { correlationId: number; clientId: string; request: KjsRequest }) => Promise<{ buffer: Buffer }>;
const kjs = (path: string): ((args: unknown) => KjsRequest) => require(`kafkajs/src/protocol/requests/${path}/request`) as (args: unknown) => KjsRequest;

let cluster: KafkaCluster;
let port: number;
let bystander: WireClient;

test.before(async () => {
  cluster = await KafkaCluster.start('bad', 1);
  port = cluster.ports.get(1) as number;
  await cluster.admin.createTopic('fz', { partitions: 1, replicationFactor: 1 });
  await cluster.waitLeaders('fz', 1);
  bystander = await WireClient.open(port);
});
test.after.always(async () => { bystander?.close(); await cluster?.stop(); });

async function bystanderAnswers(): Promise<boolean> {
  const reply = await bystander.request(apiVersions, 3, { clientSoftwareName: 'bystander', clientSoftwareVersion: '1' });
  return reply['errorCode'] === 0 && (reply['apiKeys'] as unknown[]).length > 10;
}

function nodeLog(): string { return (cluster.processes.nodes.get(1)?.stderr ?? []).join(''); }

function header(apiKey: number, apiVersion: number, correlationId = 1): Buffer {
  return new Writer().int16(apiKey).int16(apiVersion).int32(correlationId).int16(-1).toBuffer();
}
function framed(payload: Buffer): Buffer { return Buffer.concat([new Writer().int32(payload.byteLength).toBuffer(), payload]); }

test.serial('ApiVersions at a version Brook does not speak: a v0 body with UNSUPPORTED_VERSION and the ApiVersions range; the connection stays', async (t) => {
  const wire = await WireClient.open(port);
  wire.writeRaw(framed(Buffer.concat([header(18, 4, 77), Buffer.from([0, 0])])));
  const frame = await wire.nextFrame();
  t.is(frame.readInt32BE(0), 77, 'correlation id, response header v0');
  t.is(frame.readInt16BE(4), 35, 'UNSUPPORTED_VERSION');
  t.is(frame.readInt32BE(6), 1, 'one api key');
  t.deepEqual([frame.readInt16BE(10), frame.readInt16BE(12), frame.readInt16BE(14)], [18, 0, 3]);
  const reply = await wire.request(apiVersions, 3, { clientSoftwareName: 'a b c', clientSoftwareVersion: '' });
  t.is(reply['errorCode'], 0, 'a newer client steps down and is served; any software name is accepted');
  wire.close();
});

test.serial('other unsupported versions, unknown keys, malformed and oversized frames close that connection only, with a log line', async (t) => {
  const cases: Array<[string, Buffer, string]> = [
    ['Metadata v99', framed(header(3, 99)), 'unsupportedVersion'],
    ['Produce v10', framed(header(0, 10)), 'unsupportedVersion'],
    ['unknown API key 4242', framed(header(4242, 0)), 'unknownApiKey'],
    ['DeleteRecords (not spoken)', framed(header(21, 0)), 'unknownApiKey'],
    ['a frame larger than 100 MiB', new Writer().int32(200 * 1024 * 1024).int32(0).toBuffer(), 'malformedFrame'],
    ['a negative frame size', new Writer().int32(-5).toBuffer(), 'malformedFrame'],
    ['a body cut short', framed(Buffer.concat([header(3, 6), Buffer.from([0, 0, 0, 9, 0, 1])])), 'malformedRequest'],
    ['a client id longer than the frame', framed(new Writer().int16(3).int16(6).int32(1).int16(500).toBuffer()), 'malformedHeader'],
  ];
  for (const [what, bytes, reason] of cases) {
    const wire = await WireClient.open(port);
    wire.writeRaw(bytes);
    t.true(await wire.closedWithin(5000), `${what}: closed`);
    t.true(await bystanderAnswers(), `${what}: the bystander connection still answers`);
    t.regex(nodeLog(), new RegExp(`"kafkaConnectionClosed".*"reason":"${reason}"`), `${what}: logged as ${reason}`);
  }
  const meta = await bystander.request(metadata, 6, { topics: null, allowAutoTopicCreation: false });
  t.true((meta['topics'] as Array<{ name: string }>).some((x) => x.name === 'fz'));
});

function rssKiB(): number {
  const pid = cluster.processes.nodes.get(1)?.child.pid as number;
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
}

/** Real requests, as kafkajs encodes them: the fuzz corpus. */
async function corpus(): Promise<Buffer[]> {
  const requests = [
    kjs('apiVersions/v2')({}),
    kjs('metadata/v6')({ topics: ['fz'], allowAutoTopicCreation: false }),
    kjs('produce/v7')({ acks: 1, timeout: 1000, topicData: [{ topic: 'fz', partitions: [{ partition: 0, messages: [{ key: 'k', value: 'v', headers: { h: 'x' } }] }] }] }),
    kjs('fetch/v11')({ replicaId: -1, maxWaitTime: 10, minBytes: 1, maxBytes: 1000, topics: [{ topic: 'fz', partitions: [{ partition: 0, fetchOffset: '0', maxBytes: 100 }] }] }),
    kjs('listOffsets/v2')({ replicaId: -1, isolationLevel: 0, topics: [{ topic: 'fz', partitions: [{ partition: 0, timestamp: '-1' }] }] }),
    kjs('findCoordinator/v2')({ key: 'fuzz-group', coordinatorType: 0 }),
    kjs('offsetFetch/v4')({ groupId: 'fuzz-group', topics: [{ topic: 'fz', partitions: [{ partition: 0 }] }] }),
    kjs('heartbeat/v3')({ groupId: 'fuzz-group', groupGenerationId: 1, memberId: 'm' }),
  ];
  return await Promise.all(requests.map(async (request, i) => (await kjsFrame({ correlationId: i, clientId: 'fuzz', request })).buffer));
}

test.serial('fuzz: random and mutated real requests leave the node up, the bystander answering, memory bounded', async (t) => {
  const seeds = await corpus();
  let state = 12345;
  const rand = (n: number): number => { state = (Math.imul(state, 1103515245) + 12345) >>> 0; return state % n; };
  const rssBefore = rssKiB();
  let closed = 0;
  for (let i = 0; i < 400; i++) {
    const seed = seeds[rand(seeds.length)] as Buffer;
    let bytes: Buffer;
    switch (rand(4)) {
      case 0: { // flip bytes after the size
        bytes = Buffer.from(seed);
        for (let k = 0; k < 1 + rand(4); k++) { const at = 4 + rand(bytes.length - 4); bytes.writeUInt8(rand(256), at); }
        break;
      }
      case 1: { // cut the body short, the size fixed to match
        const payload = seed.subarray(4, 4 + rand(seed.length - 4));
        bytes = framed(payload);
        break;
      }
      case 2: { // trailing junk and a size that claims it
        const junk = Buffer.alloc(rand(64), rand(256));
        bytes = framed(Buffer.concat([seed.subarray(4), junk]));
        break;
      }
      default: { // noise, sometimes behind a plausible size
        const noise = Buffer.alloc(1 + rand(200));
        for (let k = 0; k < noise.length; k++) noise.writeUInt8(rand(256), k);
        bytes = rand(2) === 0 ? framed(noise) : noise;
      }
    }
    const wire = await WireClient.open(port);
    wire.writeRaw(bytes);
    // Either an answer, a close, or silence (a frame still incomplete): never more than a bounded wait here.
    const outcome = await Promise.race([wire.closedWithin(300).then((c) => (c ? 'closed' : 'open')), wire.nextFrame(300).then(() => 'answered', () => 'open')]);
    if (outcome === 'closed') closed++;
    wire.close();
    if (i % 50 === 49) t.true(await bystanderAnswers(), `bystander answers after ${i + 1} fuzz frames`);
  }
  t.true(closed > 50, `many fuzz frames closed their connection (${closed})`);
  t.true(await bystanderAnswers(), 'the bystander still answers');
  const rssAfter = rssKiB();
  t.log(`node RSS ${Math.round(rssBefore / 1024)} MiB before, ${Math.round(rssAfter / 1024)} MiB after 400 fuzz frames`);
  t.true(rssAfter - rssBefore < 150 * 1024, 'memory stays bounded');
  t.is(cluster.processes.nodes.get(1)?.child.exitCode, null, 'the node is up');
});

test.serial('one connection with 50 pipelined Produce requests gets 50 answers in request order; 100 connections at once are all served', async (t) => {
  const wire = await WireClient.open(port);
  const frames = await Promise.all(Array.from({ length: 50 }, async (_, i) => (await kjsFrame({ correlationId: 1000 + i, clientId: 'pipe',
    request: kjs('produce/v7')({ acks: -1, timeout: 5000, topicData: [{ topic: 'fz', partitions: [{ partition: 0, messages: [{ value: `p${i}` }] }] }] }) })).buffer));
  const answers = Array.from({ length: 50 }, () => wire.nextFrame(20_000));
  wire.writeRaw(Buffer.concat(frames));
  const correlations = (await Promise.all(answers)).map((f) => f.readInt32BE(0));
  t.deepEqual(correlations, Array.from({ length: 50 }, (_, i) => 1000 + i));
  wire.close();
  const clients = await Promise.all(Array.from({ length: 100 }, () => WireClient.open(port)));
  const served = await Promise.all(clients.map(async (c) => {
    const reply = await c.request(metadata, 6, { topics: [{ name: 'fz' }], allowAutoTopicCreation: false });
    c.close();
    return (reply['topics'] as Array<{ errorCode: number }>)[0]?.errorCode === 0;
  }));
  t.is(served.filter(Boolean).length, 100);
});
