/**
 * The client's record codec: the opaque `records` blob of a batch, written by producers and read
 * by consumers; brokers never look inside (DESIGN.md section 3). The blob is the records section
 * of Kafka's RecordBatch v2 (uncompressed), so Kafka clients and Brook's SDK read each other's
 * batches as they are.
 *
 * Layout, one record after another (the count is the batch's recordCount): varint length of the
 * rest · int8 attributes (0) · varint timestampDelta (from the batch's firstTimestamp) · varint
 * offsetDelta (from the batch's baseOffset) · varint keyLength (-1 = null) · key · varint
 * valueLength (-1 = null) · value · varint headerCount · per header: varint keyLength · UTF-8 key ·
 * varint valueLength (-1 = null) · value. Varints are zigzag, little-endian base-128, and carry
 * any safe integer (timestamps need more than 32 bits), so they use arithmetic, not shifts.
 *
 * Encoding sizes the output first and writes into one buffer; decoding returns views into the
 * input (no copies) and answers malformed input with a typed error, never an exception.
 */
import { assert } from '../assert.js';

export interface RecordHeader { key: string; value: Uint8Array | null }

/** A record as a producer hands it over (absent key = null, absent headers = none); `timestamp` is epoch ms. */
export interface RecordInput {
  key?: Uint8Array | null;
  value: Uint8Array | null;
  headers?: readonly RecordHeader[];
  timestamp: number;
}

/** A decoded record with its offset. `key`/`value` are views into the fetched bytes. */
export interface DecodedRecord {
  offset: number;
  timestamp: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: RecordHeader[];
}

const NO_HEADERS: readonly RecordHeader[] = [];

export type DecodeResult =
  | { ok: true; records: DecodedRecord[] }
  | { ok: false; code: 'CORRUPT_MESSAGE'; message: string };

/** Far above any batch the partition accepts; bounds allocation on hostile input. */
export const RECORDS_PER_BLOB_MAX = 1_000_000;
const HEADERS_PER_RECORD_MAX = 10_000;

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

// ---- sizes ----

function uvarintSize(n: number): number {
  let size = 1;
  while (n >= 128) { n = Math.floor(n / 128); size++; }
  return size;
}

function zigzag(n: number): number { return n >= 0 ? n * 2 : -n * 2 - 1; }
function unzigzag(z: number): number { return z % 2 === 0 ? z / 2 : -(z + 1) / 2; }

/** UTF-8 length without encoding (lone surrogates count as U+FFFD, as TextEncoder writes them). */
export function utf8Length(s: string): number {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) { bytes += 4; i++; }
    else bytes += 3;
  }
  // Every UTF-16 unit takes 1 to 3 bytes (a surrogate pair: 4 for its two units), whatever the string.
  if (!(bytes >= s.length)) assert(false, `utf8Length ${bytes} below ${s.length} code units`);
  if (!(bytes <= 3 * s.length)) assert(false, `utf8Length ${bytes} above 3 bytes per code unit`);
  return bytes;
}

function bytesFieldSize(b: Uint8Array | null): number {
  return b === null ? 1 : uvarintSize(zigzag(b.byteLength)) + b.byteLength;
}

/** The size of a record after its length prefix. */
function recordInnerSize(record: RecordInput, baseTimestamp: number, offsetDelta: number): number {
  return uvarintSize(zigzag(record.timestamp - baseTimestamp)) + uvarintSize(zigzag(offsetDelta)) + recordBodySize(record);
}

/** The encoded size of the record at `offsetDelta`, length prefix included. */
export function recordSize(record: RecordInput, baseTimestamp: number, offsetDelta: number): number {
  const inner = recordInnerSize(record, baseTimestamp, offsetDelta);
  return uvarintSize(zigzag(inner)) + inner;
}

/** The encoded size of a record without its length, timestamp and offset deltas (the producer's batch-size estimate). */
export function recordBodySize(record: Omit<RecordInput, 'timestamp'>): number {
  const headers = record.headers ?? NO_HEADERS;
  let size = 1 + bytesFieldSize(record.key ?? null) + bytesFieldSize(record.value); // 1: the attributes byte.
  size += uvarintSize(zigzag(headers.length));
  for (const h of headers) {
    const keyBytes = utf8Length(h.key);
    size += uvarintSize(zigzag(keyBytes)) + keyBytes + bytesFieldSize(h.value);
  }
  // Four fields of at least one byte (attributes, key, value, header count), and two per header (key length, value).
  assert(size >= 4 + (record.key?.byteLength ?? 0) + (record.value?.byteLength ?? 0), 'a record body holds its key and value bytes');
  assert(size >= 4 + 2 * headers.length, 'a record body holds two bytes per header');
  return size;
}

// ---- encode ----

function writeUvarint(out: Uint8Array, pos: number, n: number): number {
  if (!(Number.isSafeInteger(n) && n >= 0)) assert(false, `a varint of ${n}`);
  while (n >= 128) {
    out[pos++] = (n % 128) | 0x80;
    n = Math.floor(n / 128);
  }
  out[pos++] = n;
  // A typed array drops writes past its end without a word: the size computed ahead was short.
  assert(pos <= out.byteLength, 'a varint written within the buffer');
  return pos;
}

function writeBytes(out: Uint8Array, pos: number, b: Uint8Array | null): number {
  if (b === null) return writeUvarint(out, pos, 1); // zigzag(-1)
  pos = writeUvarint(out, pos, zigzag(b.byteLength));
  out.set(b, pos);
  return pos + b.byteLength;
}

function writeRecord(out: Uint8Array, pos: number, record: RecordInput, baseTimestamp: number, offsetDelta: number): number {
  assert(offsetDelta >= 0 && Number.isSafeInteger(record.timestamp - baseTimestamp), 'a record at an offset delta, with a timestamp');
  pos = writeUvarint(out, pos, zigzag(recordInnerSize(record, baseTimestamp, offsetDelta)));
  out[pos++] = 0; // attributes
  pos = writeUvarint(out, pos, zigzag(record.timestamp - baseTimestamp));
  pos = writeUvarint(out, pos, zigzag(offsetDelta));
  const headers = record.headers ?? NO_HEADERS;
  pos = writeBytes(out, pos, record.key ?? null);
  pos = writeBytes(out, pos, record.value);
  pos = writeUvarint(out, pos, zigzag(headers.length));
  for (const h of headers) {
    const keyBytes = utf8Length(h.key);
    pos = writeUvarint(out, pos, zigzag(keyBytes));
    const { written } = utf8Encoder.encodeInto(h.key, out.subarray(pos, pos + keyBytes));
    assert(written === keyBytes, 'record codec: utf8Length disagrees with TextEncoder');
    pos += keyBytes;
    pos = writeBytes(out, pos, h.value);
  }
  return pos;
}

/** Encodes records whose timestamps are relative to `baseTimestamp` (the batch's firstTimestamp). */
export function encodeRecords(records: readonly RecordInput[], baseTimestamp: number): Uint8Array {
  assert(records.length > 0 && records.length <= RECORDS_PER_BLOB_MAX, `record codec: ${records.length} records`);
  let size = 0;
  for (let i = 0; i < records.length; i++) size += recordSize(records[i] as RecordInput, baseTimestamp, i);
  const out = new Uint8Array(size);
  let pos = 0;
  for (let i = 0; i < records.length; i++) pos = writeRecord(out, pos, records[i] as RecordInput, baseTimestamp, i);
  assert(pos === size, `record codec: wrote ${pos} of ${size} bytes`);
  return out;
}

// ---- decode ----

class Malformed extends Error {}

/** A read cursor over the blob; every read checks bounds and throws Malformed (caught below). */
class Reader {
  pos = 0;
  constructor(readonly bytes: Uint8Array) {}

  uvarint(): number {
    const start = this.pos;
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      if (this.pos >= this.bytes.byteLength) throw new Malformed(`truncated varint at ${this.pos}`);
      const b = this.bytes[this.pos++] as number;
      result += (b & 0x7f) * scale;
      if (b < 0x80) {
        if (!Number.isSafeInteger(result)) throw new Malformed(`varint too large at ${this.pos}`);
        assert(this.pos <= this.bytes.byteLength, 'a varint read stays within the blob');
        assert(this.pos > start && this.pos - start <= 8, 'a varint read takes 1 to 8 bytes');
        return result;
      }
      scale *= 128;
    }
    throw new Malformed(`varint too long at ${this.pos}`);
  }

  varint(): number { return unzigzag(this.uvarint()); }

  nullableBytes(): Uint8Array | null {
    const length = this.varint();
    if (length === -1) return null;
    return this.take(length);
  }

  skip(length: number): void {
    if (length < 0 || length > this.bytes.byteLength - this.pos) throw new Malformed(`length ${length} past the end at ${this.pos}`);
    this.pos += length;
  }

  take(length: number): Uint8Array {
    if (length < 0 || length > this.bytes.byteLength - this.pos) throw new Malformed(`length ${length} past the end at ${this.pos}`);
    const view = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return view;
  }
}

function readHeaders(reader: Reader): RecordHeader[] {
  const start = reader.pos;
  const count = reader.varint();
  if (count < 0 || count > HEADERS_PER_RECORD_MAX) throw new Malformed(`${count} headers`);
  const headers: RecordHeader[] = [];
  if (count === 0) return headers; // The common case: the count's byte was the whole section.
  for (let i = 0; i < count; i++) {
    const keyBytes = reader.take(reader.varint());
    let key: string;
    try {
      key = utf8Decoder.decode(keyBytes);
    } catch {
      throw new Malformed('header key is not UTF-8');
    }
    headers.push({ key, value: reader.nullableBytes() });
  }
  assert(reader.pos > start, 'reading headers moves forward');
  assert(reader.pos <= reader.bytes.byteLength, 'reading headers stays within the blob');
  return headers;
}

function readRecord(reader: Reader, baseOffset: number, firstTimestamp: number, index: number): DecodedRecord {
  assert(reader.pos < reader.bytes.byteLength, 'a record starts inside the blob');
  // Constant messages: this runs once per record, and a template literal is built on every call.
  assert(index >= 0 && index < RECORDS_PER_BLOB_MAX, 'a record index within a blob');
  const length = reader.varint();
  if (length < 1 || length > reader.bytes.byteLength - reader.pos) throw new Malformed(`record length ${length} at ${reader.pos}`);
  const end = reader.pos + length;
  reader.skip(1); // attributes: unused in v2 records
  const timestamp = firstTimestamp + reader.varint();
  const offsetDelta = reader.varint();
  if (offsetDelta !== index) throw new Malformed(`record ${index} has offset delta ${offsetDelta}`);
  const key = reader.nullableBytes();
  const value = reader.nullableBytes();
  const record: DecodedRecord = { offset: baseOffset + offsetDelta, timestamp, key, value, headers: readHeaders(reader) };
  if (reader.pos !== end) throw new Malformed(`record ${index} is ${length} bytes but its fields take ${reader.pos - end + length}`);
  return record;
}

function readAll(reader: Reader, baseOffset: number, firstTimestamp: number, recordCount: number | undefined): DecodedRecord[] {
  const records: DecodedRecord[] = [];
  while (reader.pos < reader.bytes.byteLength) {
    if (records.length >= RECORDS_PER_BLOB_MAX) throw new Malformed(`more than ${RECORDS_PER_BLOB_MAX} records`);
    records.push(readRecord(reader, baseOffset, firstTimestamp, records.length));
  }
  if (records.length === 0) throw new Malformed('no records');
  if (recordCount !== undefined && records.length !== recordCount) throw new Malformed(`${records.length} records, the batch says ${recordCount}`);
  // Reads never pass the end, so a loop that ran out of bytes stopped exactly at it.
  assert(reader.pos === reader.bytes.byteLength, `decoding stopped at ${reader.pos} of ${reader.bytes.byteLength} bytes`);
  assert((records[records.length - 1] as DecodedRecord).offset === baseOffset + records.length - 1, 'records take consecutive offsets from the base');
  return records;
}

/**
 * Decodes a blob; record i gets offset `baseOffset + i`. `recordCount` (the batch header's) is
 * checked when given. Malformed input → CORRUPT_MESSAGE.
 */
export function decodeRecords(bytes: Uint8Array, baseOffset: number, firstTimestamp: number, recordCount?: number): DecodeResult {
  try {
    return { ok: true, records: readAll(new Reader(bytes), baseOffset, firstTimestamp, recordCount) };
  } catch (error) {
    if (error instanceof Malformed) return { ok: false, code: 'CORRUPT_MESSAGE', message: `records: ${error.message}` };
    throw error;
  }
}
