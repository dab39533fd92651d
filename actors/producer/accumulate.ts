/**
 * The record accumulator: an SDK `send` is checked, partitioned record by record (explicit
 * partition, murmur2 of the key, or sticky) and appended to per-partition open batches; a batch
 * closes when the next record would pass batchBytes, when it is lingerMs old, or on flush/close.
 * Closing encodes it once (the bytes are resent unchanged on retries).
 */
import { assert } from '../assert.js';
import { deliver, type Fx } from '../kit/fx.js';
import { partitionsWithLeader, wantTopic } from '../client/metadata.js';
import { keyPartition } from '../client/murmur2.js';
import { encodeRecords, recordBodySize, type RecordInput } from '../client/record-codec.js';
import { CODEC_IDS, compressRecords, isCompression, type Compression } from '../client/compression.js';
import { onBatchClosed, stickyPartition } from '../client/sticky.js';
import type { Batch, ErrorInfo, PartitionQueue, PendingSend, ProducerCommand, ProducerContext, ProducerRecord, SendResult } from './types.js';
import { fresh, isOwned, own } from '../kit/draft.js';
import { ownQueue, ownSend } from './draft.js';
import { idAdd, idDelete, idValues } from '../kit/id-map.js';

/** Per-record overhead on top of the encoded size: room for the timestamp delta and batch framing. */
const RECORD_SLACK_BYTES = 8;

export function queueKey(topic: string, partition: number): string { return `${topic}/${partition}`; }

export function estimateBytes(record: ProducerRecord): number {
  return recordBodySize(record) + RECORD_SLACK_BYTES;
}

function refusal(ctx: ProducerContext, command: ProducerCommand & { type: 'send' }, bytes: number): SendResult | undefined {
  assert(bytes >= 0, 'a send\'s size estimate');
  assert(ctx.bufferedBytes <= ctx.config.bufferBytesMax, 'buffered bytes within the buffer');
  if (ctx.closed || ctx.closing !== undefined) return { ok: false, code: 'CLIENT_CLOSED', message: 'the producer is closing' };
  if (command.records.length === 0) return { ok: false, code: 'INVALID_REQUEST', message: 'no records' };
  if (command.topic.length === 0) return { ok: false, code: 'INVALID_TOPIC', message: 'empty topic name' };
  for (const r of command.records) {
    if (r.timestamp !== undefined && !(Number.isSafeInteger(r.timestamp) && r.timestamp >= 0)) {
      return { ok: false, code: 'INVALID_REQUEST', message: `timestamp ${r.timestamp} is not a non-negative integer` };
    }
  }
  if (ctx.bufferedBytes + bytes > ctx.config.bufferBytesMax) {
    return { ok: false, code: 'BUFFER_FULL', message: `${ctx.bufferedBytes} + ${bytes} > ${ctx.config.bufferBytesMax} bytes buffered` };
  }
  return undefined;
}

/** A `send` from the SDK: refused at once, or buffered until its topic's metadata is known. */
export function onSend(ctx: ProducerContext, fx: Fx, command: ProducerCommand & { type: 'send' }): void {
  let bytes = 0;
  for (const r of command.records) bytes += estimateBytes(r);
  const refused = refusal(ctx, command, bytes);
  if (refused) return deliver(fx, command.requestId, refused);
  assert(ctx.bufferedBytes + bytes <= ctx.config.bufferBytesMax, 'an accepted send fits the buffer');
  const n = command.records.length;
  assert(n > 0 && ctx.sends.lastId <= ctx.arrivals, 'an accepted send has records, and arrives after every pending one');
  const send: PendingSend = { requestId: command.requestId, arrival: ++ctx.arrivals, topic: command.topic, partition: command.partition,
    records: command.records, bytes, sinceMs: ctx.nowMs, waiting: true, partitions: new Array<number>(n).fill(-1),
    offsets: new Array<number>(n).fill(-1), unsettled: n, error: undefined };
  idAdd(own(ctx, 'sends'), send.arrival, fresh(send));
  ctx.bufferedBytes += bytes;
  wantTopic(own(ctx, 'metadata'), command.topic);
  if (ctx.metadata.topics.has(command.topic)) accumulate(ctx, fx, send);
}

/** Moves every waiting send whose topic is now known into batches. */
export function accumulateWaiting(ctx: ProducerContext, fx: Fx): void {
  for (const send of idValues(ctx.sends)) {
    if (send.waiting && ctx.metadata.topics.has(send.topic)) accumulate(ctx, fx, ownSend(ctx, send.arrival));
  }
}

/** Moves an owned waiting send's records into batches. */
function accumulate(ctx: ProducerContext, fx: Fx, send: PendingSend): void {
  const topic = ctx.metadata.topics.get(send.topic);
  assert(topic !== undefined && send.waiting, 'accumulate a waiting send of a known topic');
  assert(isOwned(send), 'the step owns the send it accumulates');
  const count = topic.partitions.length;
  if (count === 0 || (send.partition !== undefined && (send.partition < 0 || send.partition >= count))) {
    return failWaiting(ctx, fx, send, { code: 'UNKNOWN_TOPIC_OR_PARTITION', message: `${send.topic} has ${count} partitions, not ${String(send.partition)}` });
  }
  send.waiting = false;
  const wallMs = ctx.nowMs + ctx.wallOffsetMs;
  const partitions = send.partitions.slice();
  // Consecutive records nearly always go to one partition (sticky, explicit, or a repeated key):
  // its queue is looked up once per run of them, not once per record.
  let q: PartitionQueue | undefined;
  for (let i = 0; i < send.records.length; i++) {
    const r = send.records[i] as ProducerRecord;
    const record: RecordInput = r.timestamp === undefined ? { ...r, timestamp: wallMs } : r as RecordInput;
    const partition = choosePartition(ctx, send, record, count);
    partitions[i] = partition;
    if (q === undefined || q.partition !== partition) q = queueFor(ctx, send.topic, partition);
    append(ctx, q, send.arrival, i, record, estimateBytes(r));
  }
  send.partitions = partitions;
}

function choosePartition(ctx: ProducerContext, send: PendingSend, record: RecordInput, count: number): number {
  assert(count > 0, 'a topic with partitions');
  assert(send.partition === undefined || (send.partition >= 0 && send.partition < count), 'an explicit partition exists');
  if (send.partition !== undefined) return send.partition;
  if (record.key !== undefined && record.key !== null) return keyPartition(record.key, count);
  const choice = stickyPartition(ctx.sticky, send.topic, count, () => partitionsWithLeader(ctx.metadata, send.topic), ctx.prng);
  ctx.prng = choice.prng;
  ctx.sticky = choice.sticky;
  return choice.partition;
}

/** The queue of `topic`/`partition`, owned by this step (made when there is none yet). */
export function queueFor(ctx: ProducerContext, topic: string, partition: number): PartitionQueue {
  assert(partition >= 0 && topic.length > 0, 'a topic-partition');
  const key = queueKey(topic, partition);
  if (ctx.queues.has(key)) return ownQueue(ctx, key);
  const q: PartitionQueue = fresh({ topic, partition, open: undefined, ready: [], inFlight: [], nextSequence: 0, nextOrdinal: 0, retryAtMs: -Infinity,
    failures: 0, acknowledgedProducerId: -1, gapProducerId: -1, heardFrom: undefined });
  own(ctx, 'queues').set(key, q);
  assert(ctx.queues.get(key) === q, 'the new queue is in place');
  return q;
}

/** Adds a record to the open batch of an owned queue (one per record: the owned check is the fast path). */
function append(ctx: ProducerContext, q: PartitionQueue, arrival: number, index: number, record: RecordInput, bytes: number): void {
  if (q.open !== undefined && q.open.bytes + bytes > ctx.config.batchBytes) closeBatch(ctx, q);
  if (q.open === undefined) q.open = newBatch(ctx, q);
  let b = q.open;
  if (!isOwned(b)) {
    b = own(q, 'open');
    own(b, 'records');
    own(b, 'slices');
  }
  b.records.push(record);
  b.bytes += bytes;
  assert(isOwned(b) && isOwned(b.records), 'the open batch is the step\'s own');
  assert(b.slices.length > 0 || b.records.length === 1, 'a batch\'s records are covered by its slices');
  const last = b.slices[b.slices.length - 1];
  if (last !== undefined && last.arrival === arrival && last.first + last.count === index) {
    // A slice made in this step is the step's own: it grows in place instead of being copied per record.
    if (isOwned(last)) last.count++;
    else b.slices[b.slices.length - 1] = fresh({ ...last, count: last.count + 1 });
  } else {
    b.slices.push(fresh({ arrival, first: index, count: 1 }));
  }
}

function newBatch(ctx: ProducerContext, q: PartitionQueue): Batch {
  return fresh({ id: ctx.nextBatchId++, topic: q.topic, partition: q.partition, records: fresh([]), slices: fresh([]), bytes: 0, createdMs: ctx.nowMs,
    deliveryDeadlineMs: ctx.nowMs + ctx.config.deliveryTimeoutMs, encoded: undefined, producerId: -1, producerEpoch: -1,
    baseSequence: -1, ordinal: -1, attempts: 0, corr: undefined, deadlineMs: Infinity, sentAtMs: -1, sentLeaderId: -1, sentLeaderEpoch: -1, sentBehind: false, holdBehind: false, lastError: undefined });
}

/** The producer's compression, else the topic's compression.type ('producer' or unset: none). */
function batchCompression(ctx: ProducerContext, topic: string): Compression {
  if (ctx.config.compression !== undefined) return ctx.config.compression;
  const configured = ctx.metadata.topics.get(topic)?.configs['compression.type'];
  return isCompression(configured) ? configured : 'none';
}

/** A codec this client lacks leaves the batch uncompressed: consumers read either. */
function compressed(records: Uint8Array, compression: Compression, firstTimestamp: number, maxTimestamp: number): NonNullable<Batch['encoded']> {
  const result = compressRecords(compression, records);
  if (!result.ok) return { records, firstTimestamp, maxTimestamp, attributes: 0 };
  return { records: result.bytes, firstTimestamp, maxTimestamp, attributes: CODEC_IDS[compression] };
}

/** Closes the open batch of an owned queue: encoded (compressed as the producer or topic says) and queued to send; unkeyed records move to another partition. */
export function closeBatch(ctx: ProducerContext, q: PartitionQueue): void {
  assert(q.open !== undefined && q.open.records.length > 0, 'close a non-empty open batch');
  const b = own(q, 'open');
  const firstTimestamp = (b.records[0] as RecordInput).timestamp;
  let maxTimestamp = firstTimestamp;
  for (const r of b.records) if (r.timestamp > maxTimestamp) maxTimestamp = r.timestamp;
  b.encoded = compressed(encodeRecords(b.records, firstTimestamp), batchCompression(ctx, q.topic), firstTimestamp, maxTimestamp);
  q.open = undefined;
  own(q, 'ready').push(b);
  assert(q.open === undefined && b.encoded !== undefined, 'a closed batch is encoded and no longer open');
  ctx.sticky = onBatchClosed(ctx.sticky, q.topic, q.partition);
}

/** Closes open batches that lingered long enough (all of them when `all`: flush and close). */
export function closeDue(ctx: ProducerContext, all: boolean): void {
  for (const [key, q] of ctx.queues) {
    if (q.open === undefined) continue;
    const idlePipe = ctx.config.adaptiveLinger && q.inFlight.length === 0 && q.ready.length === 0;
    if (all || idlePipe || ctx.nowMs - q.open.createdMs >= ctx.config.lingerMs) closeBatch(ctx, ownQueue(ctx, key));
  }
}

function failWaiting(ctx: ProducerContext, fx: Fx, send: PendingSend, error: ErrorInfo): void {
  assert(send.waiting, 'only a waiting send fails whole');
  idDelete(own(ctx, 'sends'), send.arrival);
  ctx.bufferedBytes -= send.bytes;
  deliver(fx, send.requestId, { ok: false, code: error.code, message: error.message } satisfies SendResult);
}

/** Sends that waited for metadata longer than deliveryTimeoutMs fail. */
export function expireWaiting(ctx: ProducerContext, fx: Fx): void {
  assert(ctx.config.deliveryTimeoutMs > 0, 'a delivery timeout');
  for (const send of idValues(ctx.sends)) {
    if (!send.waiting || ctx.nowMs - send.sinceMs < ctx.config.deliveryTimeoutMs) continue;
    assert(send.unsettled === send.records.length, 'a waiting send has no record in a batch yet');
    const missing = ctx.metadata.missing.has(send.topic) || ctx.metadata.fetchedAtMs > -Infinity;
    failWaiting(ctx, fx, send, missing
      ? { code: 'UNKNOWN_TOPIC_OR_PARTITION', message: `topic ${send.topic} not in metadata after ${ctx.config.deliveryTimeoutMs} ms` }
      : { code: 'REQUEST_TIMED_OUT', message: `no metadata after ${ctx.config.deliveryTimeoutMs} ms` });
  }
}
