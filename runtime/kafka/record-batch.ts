/**
 * Kafka's RecordBatch v2 at the edge of Brook. A produced batch is checked as Kafka's
 * LogValidator checks client batches (one batch, magic 2, CRC-32C over attributes..end, counts,
 * no control or transactional batches, a sequence whenever there is a producer id) and becomes a
 * Brook batch whose `records` is the batch's records section, untouched. A fetched batch is
 * served by rebuilding its 61-byte header from the stored fields in front of those same bytes.
 *
 * Header layout (big-endian): baseOffset int64 · batchLength int32 (bytes after this field) ·
 * partitionLeaderEpoch int32 · magic int8 · crc uint32 · attributes int16 · lastOffsetDelta int32 ·
 * baseTimestamp int64 · maxTimestamp int64 · producerId int64 · producerEpoch int16 ·
 * baseSequence int32 · recordsCount int32; the CRC covers attributes to the end.
 */
import { crc32c } from '@node-rs/crc32';
import type { BatchInput } from '../../actors/partition/batch.js';
import type { FetchedBatch } from '../../actors/client/messages.js';

export const BATCH_HEADER_BYTES = 61;
const CRC_START = 21;
const ATTR_TRANSACTIONAL = 0x10;
const ATTR_CONTROL = 0x20;

export type ParsedBatch = { ok: true; batch: BatchInput } | { ok: false; code: 'CORRUPT_MESSAGE' | 'INVALID_RECORD' | 'UNSUPPORTED_COMPRESSION_TYPE' | 'INVALID_TXN_STATE'; message: string };

const corrupt = (message: string): ParsedBatch => ({ ok: false, code: 'CORRUPT_MESSAGE', message });

/** Validates the `records` of one partition in a Produce request and returns the batch to append. */
export function parseProducedBatch(bytes: Buffer): ParsedBatch {
  if (bytes.byteLength < BATCH_HEADER_BYTES) return corrupt(`${bytes.byteLength} bytes is shorter than a batch header`);
  const batchLength = bytes.readInt32BE(8);
  if (batchLength + 12 !== bytes.byteLength) return corrupt(`batch length ${batchLength} + 12 is not the ${bytes.byteLength} bytes sent (exactly one batch per partition)`);
  const magic = bytes.readInt8(16);
  if (magic !== 2) return corrupt(`magic ${magic}: only RecordBatch v2 (magic 2) is accepted`);
  const crc = bytes.readUInt32BE(17);
  if (crc32c(bytes.subarray(CRC_START)) !== crc) return corrupt('CRC-32C mismatch');
  const attributes = bytes.readInt16BE(21);
  if ((attributes & ATTR_CONTROL) !== 0) return { ok: false, code: 'INVALID_RECORD', message: 'clients may not send control batches' };
  if ((attributes & ATTR_TRANSACTIONAL) !== 0) return { ok: false, code: 'INVALID_TXN_STATE', message: 'transactions are not supported' };
  if ((attributes & 0x7) > 4) return { ok: false, code: 'UNSUPPORTED_COMPRESSION_TYPE', message: `compression codec ${attributes & 0x7}` };
  const lastOffsetDelta = bytes.readInt32BE(23);
  const firstTimestamp = Number(bytes.readBigInt64BE(27));
  let maxTimestamp = Number(bytes.readBigInt64BE(35));
  const producerId = Number(bytes.readBigInt64BE(43));
  const producerEpoch = bytes.readInt16BE(51);
  const baseSequence = bytes.readInt32BE(53);
  const recordCount = bytes.readInt32BE(57);
  if (recordCount < 1 || lastOffsetDelta + 1 !== recordCount) return { ok: false, code: 'INVALID_RECORD', message: `lastOffsetDelta ${lastOffsetDelta} with ${recordCount} records` };
  if (producerId >= 0 && (baseSequence < 0 || producerEpoch < 0)) return { ok: false, code: 'INVALID_RECORD', message: `producer ${producerId} without a sequence or epoch` };
  if (producerId < -1) return corrupt(`producer id ${producerId}`);
  const records = bytes.subarray(BATCH_HEADER_BYTES);
  let rebuilt = false;
  if ((attributes & 0x7) === 0) {
    // Kafka rewrites maxTimestamp to the records' true maximum (clients get it wrong): read it off the records.
    const scanned = scanRecords(records, firstTimestamp, recordCount);
    if (typeof scanned === 'string') return { ok: false, code: 'INVALID_RECORD', message: scanned };
    if (scanned !== maxTimestamp) { maxTimestamp = scanned; rebuilt = true; }
  }
  if (firstTimestamp < 0 || maxTimestamp < firstTimestamp) return { ok: false, code: 'INVALID_RECORD', message: `timestamps ${firstTimestamp}..${maxTimestamp}` };
  const batch: BatchInput = { recordCount, firstTimestamp, maxTimestamp, producerId: producerId < 0 ? -1 : producerId, producerEpoch, baseSequence, records,
    ...(attributes !== 0 ? { attributes } : {}) };
  // The CRC covers maxTimestamp: keep the client's only when the header is kept as sent.
  if (!rebuilt) batch.crc = crc;
  return { ok: true, batch };
}

/** Walks uncompressed records: their count and offset deltas must match the header; returns the largest timestamp. */
function scanRecords(records: Buffer, firstTimestamp: number, recordCount: number): number | string {
  let pos = 0;
  let max = firstTimestamp;
  const varint = (): number => {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= records.byteLength) throw new RangeError('truncated varint');
      const b = records[pos++] as number;
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
      scale *= 128;
    }
    throw new RangeError('varint too long');
  };
  try {
    for (let i = 0; i < recordCount; i++) {
      const length = varint();
      if (length < 1 || pos + length > records.byteLength) return `record ${i} has length ${length}`;
      const end = pos + length;
      pos++; // attributes
      const timestamp = firstTimestamp + varint();
      if (varint() !== i) return `record ${i} has the wrong offset delta`;
      if (timestamp > max) max = timestamp;
      pos = end;
    }
  } catch (error) {
    return `records: ${(error as Error).message}`;
  }
  return pos === records.byteLength ? max : `${records.byteLength - pos} bytes after the last record`;
}

/** The 61-byte header of a stored batch, CRC included (the stored one when the batch came from a Kafka client). */
export function batchHeader(batch: FetchedBatch): Buffer {
  const header = Buffer.allocUnsafe(BATCH_HEADER_BYTES);
  header.writeBigInt64BE(BigInt(batch.baseOffset), 0);
  header.writeInt32BE(BATCH_HEADER_BYTES - 12 + batch.records.byteLength, 8);
  header.writeInt32BE(batch.leaderEpoch, 12);
  header.writeInt8(2, 16);
  header.writeInt16BE(batch.attributes ?? 0, 21);
  header.writeInt32BE(batch.recordCount - 1, 23);
  header.writeBigInt64BE(BigInt(batch.firstTimestamp), 27);
  header.writeBigInt64BE(BigInt(batch.maxTimestamp), 35);
  header.writeBigInt64BE(BigInt(batch.producerId), 43);
  header.writeInt16BE(batch.producerEpoch, 51);
  header.writeInt32BE(batch.baseSequence, 53);
  header.writeInt32BE(batch.recordCount, 57);
  const crc = batch.crc ?? crc32c(batch.records, crc32c(header.subarray(CRC_START)));
  header.writeUInt32BE(crc, 17);
  return header;
}
