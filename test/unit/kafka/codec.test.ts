// Goal: the listener's schema-driven codec speaks what real clients speak. Requests encoded by the
// clients' own encoders (kafkajs for non-flexible versions, @platformatic/kafka for flexible ones)
// decode to the fields they carry; responses encoded by the listener decode in those clients'
// own response decoders; a produced batch passes the RecordBatch v2 checks and its records read
// back through Brook's record codec.
// Method: no broker; bytes go from one side's codec to the other's.
import test from 'ava';
import { createRequire } from 'node:module';
import { apiVersionsV3, fetchV12, joinGroupV6, metadataV9, offsetFetchV8, Reader as PltReader } from '@platformatic/kafka';
import { decodeMessage, encodeMessage, type Message } from '../../../runtime/kafka/protocol/codec.js';
import { readRequestHeader, skipHeaderTags, writeResponseHeader } from '../../../runtime/kafka/protocol/header.js';
import { Reader } from '../../../runtime/kafka/protocol/reader.js';
import { inRange, type ApiSchema } from '../../../runtime/kafka/protocol/schema.js';
import { Writer } from '../../../runtime/kafka/protocol/writer.js';
import { apiVersions, fetch, findCoordinator, joinGroup, metadata, offsetFetch, produce } from '../../../runtime/kafka/schemas/index.js';
import { batchHeader, parseProducedBatch } from '../../../runtime/kafka/record-batch.js';
import { decodeRecords, encodeRecords } from '../../../actors/client/record-codec.js';

const require = createRequire(import.meta.url);
type KjsRequest = { apiKey: number; apiVersion: number; encode: () => Promise<{ buffer: Buffer }> };
const kjsFrame = require('kafkajs/src/protocol/request') as (r: { correlationId: number; clientId: string; request: KjsRequest }) => Promise<{ buffer: Buffer }>;
const kjs = (path: string): ((args: unknown) => KjsRequest) => require(`kafkajs/src/protocol/requests/${path}/request`) as (args: unknown) => KjsRequest;
const kjsResponse = (path: string): { decode: (b: Buffer) => Promise<Message> } => require(`kafkajs/src/protocol/requests/${path}/response`) as { decode: (b: Buffer) => Promise<Message> };

/** A request frame (without its size) decoded as the listener does. */
function decodeFrame(frame: Buffer, schema: ApiSchema): { version: number; body: Message } {
  const r = new Reader(frame);
  const header = readRequestHeader(r);
  if (inRange(schema.request.flexibleVersions, header.apiVersion)) skipHeaderTags(r);
  const body = decodeMessage(schema.request, header.apiVersion, r);
  if (r.remaining !== 0) throw new Error(`${r.remaining} bytes left over`);
  return { version: header.apiVersion, body };
}

async function fromKafkajs(request: KjsRequest, schema: ApiSchema): Promise<{ version: number; body: Message }> {
  const framed = (await kjsFrame({ correlationId: 7, clientId: 'oracle', request })).buffer;
  return decodeFrame(framed.subarray(4), schema);
}

/** A response body as the listener encodes it (after the header). */
function responseBody(schema: ApiSchema, version: number, body: Message): Buffer {
  const w = new Writer();
  encodeMessage(schema.response, version, body, w);
  return w.toBuffer();
}

test('kafkajs requests decode: Metadata v6, Produce v7 (with its batch), Fetch v11, JoinGroup v5', async (t) => {
  const meta = await fromKafkajs(kjs('metadata/v6')({ topics: ['a', 'b'], allowAutoTopicCreation: false }), metadata);
  t.deepEqual(meta.body['topics'], [{ topicId: '00000000000000000000000000000000', name: 'a' }, { topicId: '00000000000000000000000000000000', name: 'b' }]);
  t.is(meta.body['allowAutoTopicCreation'], false);

  const produced = await fromKafkajs(kjs('produce/v7')({ acks: -1, timeout: 3000, topicData: [{ topic: 't', partitions: [{ partition: 2,
    messages: [{ key: 'k', value: 'v', headers: { h: 'x' }, timestamp: 1_000 }, { key: null, value: null, timestamp: 1_005 }] }] }] }), produce);
  t.is(produced.version, 7);
  const data = (produced.body['topicData'] as Array<{ name: string; partitionData: Array<{ index: number; records: Buffer }> }>)[0];
  t.is(data?.name, 't');
  const batch = parseProducedBatch(data?.partitionData[0]?.records as Buffer);
  if (!batch.ok) return t.fail(batch.message);
  t.is(batch.batch.recordCount, 2);
  t.is(batch.batch.maxTimestamp, 1_005, 'the true maximum timestamp');
  const records = decodeRecords(batch.batch.records, 0, batch.batch.firstTimestamp, 2);
  if (!records.ok) return t.fail(records.message);
  t.deepEqual(records.records.map((r) => [r.key && Buffer.from(r.key).toString(), r.value && Buffer.from(r.value).toString(), r.timestamp]), [['k', 'v', 1_000], [null, null, 1_005]]);
  t.deepEqual(records.records[0]?.headers.map((h) => [h.key, Buffer.from(h.value as Uint8Array).toString()]), [['h', 'x']]);

  const fetched = await fromKafkajs(kjs('fetch/v11')({ replicaId: -1, maxWaitTime: 500, minBytes: 1, maxBytes: 1000,
    topics: [{ topic: 'f', partitions: [{ partition: 0, fetchOffset: '42', maxBytes: 100 }] }] }), fetch);
  t.like((fetched.body['topics'] as Message[])[0], { topic: 'f', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 42, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 100 }] });
  t.is(fetched.body['maxWaitMs'], 500);

  const joined = await fromKafkajs(kjs('joinGroup/v5')({ groupId: 'g', sessionTimeout: 30_000, rebalanceTimeout: 60_000, memberId: '', protocolType: 'consumer',
    groupProtocols: [{ name: 'RoundRobinAssigner', metadata: Buffer.from([1, 2]) }] }), joinGroup);
  t.like(joined.body, { groupId: 'g', sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 60_000, memberId: '', groupInstanceId: null, protocolType: 'consumer' });
  t.deepEqual((joined.body['protocols'] as Array<{ name: string; metadata: Buffer }>).map((p) => [p.name, [...p.metadata]]), [['RoundRobinAssigner', [1, 2]]]);
});

test('responses decode in kafkajs: Metadata v6, Produce v7, Fetch v11 with a rebuilt batch, FindCoordinator v2, ApiVersions v2', async (t) => {
  const meta = await kjsResponse('metadata/v6').decode(responseBody(metadata, 6, { throttleTimeMs: 0, brokers: [{ nodeId: 1, host: 'h', port: 9, rack: null }],
    clusterId: 'c', controllerId: 1, topics: [{ errorCode: 0, name: 't', isInternal: false, partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 1,
      replicaNodes: [1], isrNodes: [1], offlineReplicas: [] }] }] }));
  t.like(meta, { clusterId: 'c', controllerId: 1, brokers: [{ nodeId: 1, host: 'h', port: 9, rack: null }] });
  t.is((meta['topicMetadata'] as Array<{ topic: string }>)[0]?.topic, 't');

  const prod = await kjsResponse('produce/v7').decode(responseBody(produce, 7, { responses: [{ name: 't', partitionResponses: [{ index: 0, errorCode: 0,
    baseOffset: 5, logAppendTimeMs: -1, logStartOffset: 0 }] }], throttleTimeMs: 0 }));
  t.is((prod['topics'] as Array<{ partitions: Array<{ baseOffset: string }> }>)[0]?.partitions[0]?.baseOffset, '5');

  // An SDK batch (no client CRC) gets its header and CRC-32C rebuilt; kafkajs checks and decodes it.
  const records = encodeRecords([{ key: Buffer.from('k'), value: Buffer.from('v'), timestamp: 2_000 }, { value: Buffer.from('w'), timestamp: 2_001 }], 2_000);
  const stored = { baseOffset: 10, lastOffset: 11, leaderEpoch: 3, recordCount: 2, firstTimestamp: 2_000, maxTimestamp: 2_001, producerId: -1, producerEpoch: -1,
    baseSequence: -1, records };
  const fetched = await kjsResponse('fetch/v11').decode(responseBody(fetch, 11, { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses: [{ topic: 't',
    partitions: [{ partitionIndex: 0, errorCode: 0, highWatermark: 12, lastStableOffset: 12, logStartOffset: 0, abortedTransactions: null,
      preferredReadReplica: -1, records: [batchHeader(stored), Buffer.from(records)] }] }] }));
  const messages = (fetched['responses'] as Array<{ partitions: Array<{ messages: Array<{ offset: string; key: Buffer | null; value: Buffer }> }> }>)[0]?.partitions[0]?.messages;
  t.deepEqual(messages?.map((m) => [m.offset, m.key?.toString() ?? null, m.value.toString()]), [['10', 'k', 'v'], ['11', null, 'w']]);
  // The rebuilt batch passes the listener's own produce checks (the CRC is right).
  const rebuilt = parseProducedBatch(Buffer.concat([batchHeader(stored), Buffer.from(records)]));
  t.true(rebuilt.ok);

  const coord = await kjsResponse('findCoordinator/v2').decode(responseBody(findCoordinator, 2, { throttleTimeMs: 0, errorCode: 0, errorMessage: null, nodeId: 2, host: 'x', port: 7 }));
  t.like(coord, { coordinator: { nodeId: 2, host: 'x', port: 7 } });

  const versions = await kjsResponse('apiVersions/v2').decode(responseBody(apiVersions, 2, { errorCode: 0, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 3 }], throttleTimeMs: 0 }));
  t.deepEqual(versions['apiVersions'], [{ apiKey: 18, minVersion: 0, maxVersion: 3 }]);
});

function pltFrame(apiKey: number, version: number, body: { buffers: Buffer[] }, flexibleHeader: boolean): Buffer {
  const w = new Writer();
  const clientId = Buffer.from('plt');
  w.int16(apiKey).int16(version).int32(9).int16(clientId.byteLength).raw(clientId);
  if (flexibleHeader) w.uvarint(0);
  for (const b of body.buffers) w.raw(b);
  return w.toBuffer();
}

function pltParse<T>(schema: ApiSchema, version: number, body: Message, parse: (c: number, k: number, v: number, r: PltReader) => T): T {
  const w = new Writer();
  writeResponseHeader(w, 9, inRange(schema.response.flexibleVersions, version), schema.apiKey);
  encodeMessage(schema.response, version, body, w);
  const reader = PltReader.from(w.toBuffer());
  reader.readInt32();
  if (inRange(schema.response.flexibleVersions, version) && schema.apiKey !== 18) reader.readTaggedFields();
  return parse(9, schema.apiKey, version, reader);
}

test('flexible versions round trip with @platformatic/kafka: ApiVersions v3, Metadata v9, Fetch v12, JoinGroup v6, OffsetFetch v8', (t) => {
  const av = decodeFrame(pltFrame(18, 3, apiVersionsV3.createRequest('plt', '1.0'), true), apiVersions);
  t.like(av.body, { clientSoftwareName: 'plt', clientSoftwareVersion: '1.0' });
  const avReply = pltParse(apiVersions, 3, { errorCode: 0, apiKeys: [{ apiKey: 3, minVersion: 4, maxVersion: 9 }], throttleTimeMs: 0 }, apiVersionsV3.parseResponse);
  t.deepEqual(avReply.apiKeys.map((k) => [k.apiKey, k.minVersion, k.maxVersion]), [[3, 4, 9]]);

  const meta = decodeFrame(pltFrame(3, 9, metadataV9.createRequest(['a'], true, false), true), metadata);
  t.deepEqual((meta.body['topics'] as Array<{ name: string }>).map((x) => x.name), ['a']);
  const metaReply = pltParse(metadata, 9, { throttleTimeMs: 0, brokers: [{ nodeId: 1, host: 'h', port: 9, rack: null }], clusterId: 'c', controllerId: 1,
    topics: [{ errorCode: 0, name: 'a', isInternal: false, partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 1, leaderEpoch: 4, replicaNodes: [1],
      isrNodes: [1], offlineReplicas: [] }] }] }, metadataV9.parseResponse);
  t.is(metaReply.topics[0]?.partitions[0]?.leaderEpoch, 4);

  const fetched = decodeFrame(pltFrame(1, 12, fetchV12.createRequest(500, 1, 1000, 0, 0, -1, [{ topicId: 'f', partitions: [{ partition: 1,
    currentLeaderEpoch: 2, fetchOffset: 9n, lastFetchedEpoch: -1, partitionMaxBytes: 100 }] }], [], ''), true), fetch);
  t.like((fetched.body['topics'] as Message[])[0], { topic: 'f', partitions: [{ partition: 1, currentLeaderEpoch: 2, fetchOffset: 9, partitionMaxBytes: 100 }] });

  const join = decodeFrame(pltFrame(11, 6, joinGroupV6.createRequest('g', 10_000, 20_000, '', null, 'consumer', [{ name: 'roundrobin', metadata: Buffer.from([5]) }]), true), joinGroup);
  t.like(join.body, { groupId: 'g', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 20_000, protocolType: 'consumer' });
  const joinReply = pltParse(joinGroup, 6, { throttleTimeMs: 0, errorCode: 0, generationId: 3, protocolName: 'roundrobin', leader: 'm1', memberId: 'm1',
    members: [{ memberId: 'm1', groupInstanceId: null, metadata: Buffer.from([5]) }] }, joinGroupV6.parseResponse);
  t.like(joinReply, { generationId: 3, protocolName: 'roundrobin', leader: 'm1', memberId: 'm1' });

  const of = decodeFrame(pltFrame(9, 8, offsetFetchV8.createRequest([{ groupId: 'g', memberEpoch: -1, topics: [{ name: 't', partitionIndexes: [0, 1] }] }], false), true), offsetFetch);
  t.deepEqual(of.body['groups'], [{ groupId: 'g', topics: [{ name: 't', partitionIndexes: [0, 1] }] }]);
  const ofReply = pltParse(offsetFetch, 8, { throttleTimeMs: 0, groups: [{ groupId: 'g', errorCode: 0, topics: [{ name: 't', partitions: [
    { partitionIndex: 0, committedOffset: 5, committedLeaderEpoch: -1, metadata: '', errorCode: 0 }] }] }] }, offsetFetchV8.parseResponse);
  t.is(ofReply.groups[0]?.topics[0]?.partitions[0]?.committedOffset, 5n);
});

test('produced batches that break Kafka\'s rules are refused with Kafka\'s codes', async (t) => {
  const framed = await fromKafkajs(kjs('produce/v7')({ acks: 1, timeout: 1000, topicData: [{ topic: 't', partitions: [{ partition: 0,
    messages: [{ key: 'k', value: 'v', timestamp: 1_000 }] }] }] }), produce);
  const good = ((framed.body['topicData'] as Array<{ partitionData: Array<{ records: Buffer }> }>)[0]?.partitionData[0]?.records as Buffer);
  t.true(parseProducedBatch(good).ok);
  const mutate = (f: (b: Buffer) => void): Buffer => { const b = Buffer.from(good); f(b); return b; };
  const code = (b: Buffer): string => { const r = parseProducedBatch(b); return r.ok ? 'OK' : r.code; };
  t.is(code(mutate((b) => { b.writeUInt8(b.readUInt8(b.length - 1) ^ 1, b.length - 1); })), 'CORRUPT_MESSAGE', 'CRC mismatch');
  t.is(code(mutate((b) => { b.writeInt8(1, 16); })), 'CORRUPT_MESSAGE', 'magic 1');
  t.is(code(Buffer.concat([good, good])), 'CORRUPT_MESSAGE', 'two batches in one partition');
  t.is(code(good.subarray(0, 40)), 'CORRUPT_MESSAGE', 'shorter than a header');
  t.is(code(good.subarray(0, good.length - 1)), 'CORRUPT_MESSAGE', 'batch length disagrees');
  // Header fields under the CRC: change them, then fix the CRC, so only the rule is broken.
  const { crc32c } = require('@node-rs/crc32') as { crc32c: (b: Buffer) => number };
  const recrc = (f: (b: Buffer) => void): Buffer => mutate((b) => { f(b); b.writeUInt32BE(crc32c(b.subarray(21)), 17); });
  t.is(code(recrc((b) => { b.writeInt16BE(0x20, 21); })), 'INVALID_RECORD', 'a control batch');
  t.is(code(recrc((b) => { b.writeInt16BE(0x10, 21); })), 'INVALID_TXN_STATE', 'a transactional batch');
  t.is(code(recrc((b) => { b.writeInt16BE(0x7, 21); })), 'UNSUPPORTED_COMPRESSION_TYPE');
  t.is(code(recrc((b) => { b.writeInt32BE(5, 23); })), 'INVALID_RECORD', 'lastOffsetDelta + 1 != recordsCount');
  t.is(code(recrc((b) => { b.writeBigInt64BE(7n, 43); b.writeInt32BE(-1, 53); })), 'INVALID_RECORD', 'a producer id without a sequence');
});
