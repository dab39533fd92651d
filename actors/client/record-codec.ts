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
  // Lengths and deltas nearly always fit in four bytes: compares, not divisions.
  if (n < 0x80) return 1;
  if (n < 0x4000) return 2;
  if (n < 0x200000) return 3;
  if (n < 0x10000000) return 4;
  if (!Number.isSafeInteger(n)) assert(false, `the varint size of ${n}`);
  let size = 4;
  n = Math.floor(n / 0x10000000);
  while (n > 0) { n = Math.floor(n / 128); size++; }
  assert(size <= 8, 'a safe integer takes at most 8 varint bytes');
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
  // The common record has no headers: its count is one byte, and the checks below hold by construction.
  if (headers.length === 0) return size + 1;
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
  // One byte is the common case (NaN and negatives fail the test and are caught below). A typed
  // array drops writes past its end without a word; encodeRecords checks that it wrote exactly the
  // size it computed, which a short or long size fails.
  if (n >= 0 && n < 0x80) { out[pos] = n; return pos + 1; }
  if (!(Number.isSafeInteger(n) && n >= 0)) assert(false, `a varint of ${n}`);
  const start = pos;
  while (n >= 0x80) {
    out[pos++] = (n % 128) | 0x80;
    n = Math.floor(n / 128);
  }
  out[pos++] = n;
  assert(pos - start <= 8, 'a safe integer takes at most 8 varint bytes');
  return pos;
}

/** Below this many bytes a loop copies faster than TypedArray#set, whose call costs more than the copy. */
const SMALL_COPY_BYTES = 64;

function writeBytes(out: Uint8Array, pos: number, b: Uint8Array | null): number {
  if (b === null) return writeUvarint(out, pos, 1); // zigzag(-1)
  const length = b.byteLength;
  assert(length <= 0x7fffffff, 'a record field\'s length fits Kafka\'s 32-bit varint');
  pos = writeUvarint(out, pos, zigzag(length));
  // The loop below would write past the end of a short buffer unnoticed; set() would throw a RangeError.
  if (!(pos + length <= out.byteLength)) assert(false, `${length} bytes at ${pos} of a ${out.byteLength}-byte buffer`);
  if (length < SMALL_COPY_BYTES) {
    for (let i = 0; i < length; i++) out[pos + i] = b[i] as number;
  } else {
    out.set(b, pos);
  }
  return pos + length;
}

/** Writes one record whose size after its length prefix (recordInnerSize) the caller computed. */
function writeRecord(out: Uint8Array, pos: number, record: RecordInput, baseTimestamp: number, offsetDelta: number, innerSize: number): number {
  assert(offsetDelta >= 0 && Number.isSafeInteger(record.timestamp - baseTimestamp), 'a record at an offset delta, with a timestamp');
  pos = writeUvarint(out, pos, zigzag(innerSize));
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
  // Each record's size is computed once: it sizes the buffer and is the record's length prefix.
  const innerSizes = new Array<number>(records.length);
  let size = 0;
  for (let i = 0; i < records.length; i++) {
    const inner = recordInnerSize(records[i] as RecordInput, baseTimestamp, i);
    innerSizes[i] = inner;
    size += uvarintSize(zigzag(inner)) + inner;
  }
  const out = new Uint8Array(size);
  let pos = 0;
  for (let i = 0; i < records.length; i++) pos = writeRecord(out, pos, records[i] as RecordInput, baseTimestamp, i, innerSizes[i] as number);
  assert(pos === size, `record codec: wrote ${pos} of ${size} bytes`);
  return out;
}

// ---- decode ----

class Malformed extends Error {}

/** A read cursor over the blob; every read checks bounds and throws Malformed (caught below). */
class Reader {
  pos = 0;
  /** The blob's length, read once: a Buffer's byteLength is a call on every read otherwise. */
  readonly end: number;
  /**
   * The same bytes as a plain Uint8Array, for reading single bytes: element loads on a Node Buffer
   * (a subclass) are slower. Views handed out are cut from `bytes`, so they keep its class.
   */
  private readonly octets: Uint8Array;

  constructor(readonly bytes: Uint8Array) {
    this.end = bytes.byteLength;
    this.octets = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  uvarint(): number {
    // One byte is the common case: lengths under 64 and small deltas.
    if (this.pos < this.end) {
      const first = this.octets[this.pos] as number;
      if (first < 0x80) { this.pos++; return first; }
    }
    const start = this.pos;
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      if (this.pos >= this.end) throw new Malformed(`truncated varint at ${this.pos}`);
      const b = this.octets[this.pos++] as number;
      result += (b & 0x7f) * scale;
      if (b < 0x80) {
        if (!Number.isSafeInteger(result)) throw new Malformed(`varint too large at ${this.pos}`);
        assert(this.pos <= this.end, 'a varint read stays within the blob');
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
    if (length < 0 || length > this.end - this.pos) throw new Malformed(`length ${length} past the end at ${this.pos}`);
    this.pos += length;
  }

  take(length: number): Uint8Array {
    if (length < 0 || length > this.end - this.pos) throw new Malformed(`length ${length} past the end at ${this.pos}`);
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
  assert(reader.pos <= reader.end, 'reading headers stays within the blob');
  return headers;
}

function readRecord(reader: Reader, baseOffset: number, firstTimestamp: number, index: number): DecodedRecord {
  assert(reader.pos < reader.end, 'a record starts inside the blob');
  // Constant messages: this runs once per record, and a template literal is built on every call.
  assert(index >= 0 && index < RECORDS_PER_BLOB_MAX, 'a record index within a blob');
  const length = reader.varint();
  if (length < 1 || length > reader.end - reader.pos) throw new Malformed(`record length ${length} at ${reader.pos}`);
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
  while (reader.pos < reader.end) {
    if (records.length >= RECORDS_PER_BLOB_MAX) throw new Malformed(`more than ${RECORDS_PER_BLOB_MAX} records`);
    records.push(readRecord(reader, baseOffset, firstTimestamp, records.length));
  }
  if (records.length === 0) throw new Malformed('no records');
  if (recordCount !== undefined && records.length !== recordCount) throw new Malformed(`${records.length} records, the batch says ${recordCount}`);
  // Reads never pass the end, so a loop that ran out of bytes stopped exactly at it.
  if (reader.pos !== reader.end) assert(false, `decoding stopped at ${reader.pos} of ${reader.end} bytes`);
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
