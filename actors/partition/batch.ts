/**
 * Record batches as the partition log stores them. The broker never decodes `records` (an opaque
 * blob encoded by the client SDK); it checks only the batch header fields that the protocol uses:
 * offsets, epochs, timestamps and the idempotent-producer triple.
 *
 * Stored batch field layout (the log entry value, entry offset = baseOffset): baseOffset ·
 * lastOffset · leaderEpoch (epoch of the leader that assigned the offsets) · recordCount ·
 * firstTimestamp · maxTimestamp · producerId (-1 = not idempotent) · producerEpoch · baseSequence ·
 * records (opaque) · bytes (size estimate used for fetch and retention limits) · attributes? · crc?.
 *
 * The fields are those of Kafka's RecordBatch v2 header and `records` is its records section, so a
 * batch from a Kafka client is stored as it came (possibly compressed: `attributes` bits 0-2, the
 * codecs of actors/client/compression.ts) and served to Kafka clients as it came: its 61-byte
 * header is rebuilt from these fields, and `crc` (the client's CRC-32C, which covers none of the
 * fields the leader assigns) stays valid.
 */
import { assert } from '../assert.js';
import { CODEC_MASK } from '../client/compression.js';

/** The highest compression codec id (zstd, 4), as Kafka has them. */
const CODEC_ID_MAX = 4;

/** The batch a producer sends: everything but the offsets and the leader epoch. */
export interface BatchInput {
  recordCount: number;
  firstTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  records: Uint8Array;
  /** Kafka's batch attributes: bits 0-2 the compression codec of `records`, bit 3 the timestamp type. Absent: 0. */
  attributes?: number;
  /** CRC-32C of a batch as a Kafka client sent it; absent for SDK batches (computed when a Kafka client fetches them). */
  crc?: number;
}

/** A batch as stored: what the producer sent plus the offsets and epoch the leader assigned. */
export interface StoredBatch extends BatchInput {
  baseOffset: number;
  lastOffset: number;
  leaderEpoch: number;
  bytes: number;
}

/** Header bytes counted on top of the records (Kafka's v2 batch header is 61 bytes). */
export const BATCH_OVERHEAD_BYTES = 61;
export const INT32_MAX = 2_147_483_647;
export const PRODUCER_EPOCH_MAX = 32_767;
/** A batch holds at most this many records: far above any real batch, it keeps offsets sane. */
export const RECORD_COUNT_MAX = 1_000_000;
/** Compression codecs of Kafka's attributes bits 0-2: none, gzip, snappy, lz4, zstd. */
export const COMPRESSION_CODEC_MAX = 4;
/** Attribute bits a stored batch may carry: codec and timestamp type (no transactional or control batches). */
const ATTRIBUTES_ALLOWED = 0b1111;

/** The compression codec of a batch's records (0: none). */
export function compressionOf(batch: { attributes?: number }): number { return (batch.attributes ?? 0) & 0b111; }

/** Why a well-typed batch is still inconsistent (CORRUPT_MESSAGE), or undefined when it is fine. */
export function batchDefect(batch: BatchInput): string | undefined {
  if (batch.recordCount < 1 || batch.recordCount > RECORD_COUNT_MAX) return `recordCount ${batch.recordCount} out of range`;
  if (batch.records.byteLength === 0) return 'records are empty';
  if (batch.attributes !== undefined && (batch.attributes & CODEC_MASK) > CODEC_ID_MAX) return `compression codec ${batch.attributes & CODEC_MASK} is unknown`;
  if (batch.firstTimestamp < 0 || batch.maxTimestamp < batch.firstTimestamp) return 'timestamps are inconsistent';
  const attributes = batch.attributes ?? 0;
  if ((attributes & ~ATTRIBUTES_ALLOWED) !== 0 || compressionOf(batch) > COMPRESSION_CODEC_MAX) return `attributes ${attributes} are not allowed`;
  if (batch.crc !== undefined && (batch.crc < 0 || batch.crc > 0xffffffff)) return `crc ${batch.crc} is not a uint32`;
  // Without a producer id the epoch and sequence mean nothing (Kafka clients send 0 or -1 there).
  if (batch.producerId === -1) return undefined;
  if (batch.producerId < 0) return `producerId ${batch.producerId} is negative`;
  if (batch.producerEpoch < 0 || batch.producerEpoch > PRODUCER_EPOCH_MAX) return `producerEpoch ${batch.producerEpoch} out of range`;
  if (batch.baseSequence < 0 || batch.baseSequence > INT32_MAX) return `baseSequence ${batch.baseSequence} out of range`;
  return undefined;
}

/** The last sequence number of an idempotent batch; sequences wrap at INT32_MAX like Kafka's. */
export function lastSequence(baseSequence: number, recordCount: number): number {
  assert(baseSequence >= 0, 'lastSequence of an idempotent batch only');
  assert(recordCount >= 1, 'recordCount >= 1');
  const last = baseSequence + recordCount - 1;
  return last > INT32_MAX ? last - INT32_MAX - 1 : last;
}

/** The leader stamps offsets and its epoch on an accepted batch. */
export function toStoredBatch(batch: BatchInput, baseOffset: number, leaderEpoch: number): StoredBatch {
  assert(batchDefect(batch) === undefined, 'toStoredBatch needs a validated batch');
  assert(Number.isSafeInteger(baseOffset) && baseOffset >= 0, 'baseOffset >= 0');
  return {
    baseOffset, lastOffset: baseOffset + batch.recordCount - 1, leaderEpoch,
    recordCount: batch.recordCount, firstTimestamp: batch.firstTimestamp, maxTimestamp: batch.maxTimestamp,
    producerId: batch.producerId, producerEpoch: batch.producerEpoch, baseSequence: batch.baseSequence,
    records: batch.records, bytes: batch.records.byteLength + BATCH_OVERHEAD_BYTES,
    ...(batch.attributes !== undefined && batch.attributes !== 0 ? { attributes: batch.attributes } : {}),
    ...(batch.crc !== undefined ? { crc: batch.crc } : {}),
  };
}

const INTEGER_FIELDS = ['baseOffset', 'lastOffset', 'leaderEpoch', 'recordCount', 'firstTimestamp', 'maxTimestamp',
  'producerId', 'producerEpoch', 'baseSequence', 'bytes'] as const;

/**
 * Structural check for batches that arrive from a peer or from storage: every header field an
 * integer, the records a byte array, the offsets consistent with the count.
 */
export function isStoredBatch(value: unknown): value is StoredBatch {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  for (const field of INTEGER_FIELDS) if (!Number.isSafeInteger(v[field])) return false;
  for (const field of ['attributes', 'crc']) if (v[field] !== undefined && !Number.isSafeInteger(v[field])) return false;
  if (!(v['records'] instanceof Uint8Array)) return false;
  if (v['attributes'] !== undefined && !(Number.isSafeInteger(v['attributes']) && (v['attributes'] as number) >= 0)) return false;
  const b = v as unknown as StoredBatch;
  if (b.baseOffset < 0 || b.leaderEpoch < 0 || b.lastOffset !== b.baseOffset + b.recordCount - 1) return false;
  return batchDefect(b) === undefined;
}

/** Asserts that `batches` are contiguous and ascending (a fetch answer, a read, an append). */
export function assertContiguous(batches: readonly StoredBatch[]): void {
  for (let i = 1; i < batches.length; i++) {
    const prev = batches[i - 1] as StoredBatch;
    const next = batches[i] as StoredBatch;
    if (next.baseOffset !== prev.lastOffset + 1) assert(false, `batches not contiguous at ${next.baseOffset}`);
  }
}

/** True when `batches` are contiguous and ascending; for input from peers. */
export function areContiguous(batches: readonly StoredBatch[]): boolean {
  for (let i = 1; i < batches.length; i++) {
    if ((batches[i] as StoredBatch).baseOffset !== (batches[i - 1] as StoredBatch).lastOffset + 1) return false;
  }
  return true;
}
