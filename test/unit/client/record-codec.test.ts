/** Goal: the record codec round-trips every field and answers malformed bytes with a typed error. */
import test from 'ava';
import { decodeRecords, encodeRecords, recordSize, type RecordInput } from '../../../actors/client/record-codec.js';
import { bytes, text } from './fake-cluster.js';

const records: RecordInput[] = [
  { key: bytes('k1'), value: bytes('v1'), headers: [{ key: 'h', value: bytes('x') }, { key: 'ünï', value: null }], timestamp: 1_700_000_000_000 },
  { key: null, value: null, headers: [], timestamp: 1_699_999_999_000 }, // Earlier than the base: a negative delta.
  { value: new Uint8Array(300).fill(7), timestamp: 1_700_000_000_005 },
];

test('round trip keeps keys, values, headers, timestamps and assigns offsets', (t) => {
  const encoded = encodeRecords(records, 1_700_000_000_000);
  const decoded = decodeRecords(encoded, 40, 1_700_000_000_000);
  if (!decoded.ok) return t.fail(decoded.message);
  t.deepEqual(decoded.records.map((r) => r.offset), [40, 41, 42]);
  t.deepEqual(decoded.records.map((r) => r.timestamp), records.map((r) => r.timestamp));
  t.deepEqual(decoded.records.map((r) => text(r.key)), ['k1', null, null]);
  t.is(text(decoded.records[0]?.value ?? null), 'v1');
  t.is(decoded.records[1]?.value, null);
  t.deepEqual([...(decoded.records[2]?.value ?? [])], new Array(300).fill(7));
  t.deepEqual(decoded.records[0]?.headers.map((h) => [h.key, text(h.value)]), [['h', 'x'], ['ünï', null]]);
  t.deepEqual(decoded.records[2]?.headers, []);
});

test('the encoded size is exactly the sum of record sizes', (t) => {
  const encoded = encodeRecords(records, 5);
  t.is(encoded.byteLength, records.reduce((n, r, i) => n + recordSize(r, 5, i), 0));
});

test('the layout is Kafka\'s v2 record: length, attributes, deltas, key, value, headers', (t) => {
  const encoded = encodeRecords([{ key: bytes('k'), value: bytes('vv'), headers: [{ key: 'h', value: bytes('x') }], timestamp: 1002 }], 1000);
  // length 13 · attributes 0 · timestampDelta 2 · offsetDelta 0 · key 1 'k' · value 2 'vv' · 1 header: key 1 'h', value 1 'x' (zigzag varints).
  t.deepEqual([...encoded], [26, 0, 4, 0, 2, 107, 4, 118, 118, 2, 2, 104, 2, 120]);
});

test('varints of every width round-trip, and their sizes are exact', (t) => {
  // Timestamp deltas and value lengths across each varint width boundary (1 to 8 bytes), both signs.
  const base = 1_700_000_000_000;
  const deltas = [0, 63, 64, -64, -65, 8191, 8192, 1_048_575, 1_048_576, 134_217_727, 134_217_728, 2 ** 34, -(2 ** 40), 2 ** 49];
  const lengths = [0, 63, 64, 8191, 8192, 70_000];
  const input: RecordInput[] = deltas.map((d, i) => ({ value: new Uint8Array(lengths[i % lengths.length] as number).fill(i), timestamp: base + d }));
  const encoded = encodeRecords(input, base);
  t.is(encoded.byteLength, input.reduce((n, r, i) => n + recordSize(r, base, i), 0));
  const decoded = decodeRecords(encoded, 0, base, input.length);
  if (!decoded.ok) return t.fail(decoded.message);
  t.deepEqual(decoded.records.map((r) => r.timestamp), input.map((r) => r.timestamp));
  t.deepEqual(decoded.records.map((r) => r.value?.byteLength), input.map((r) => r.value?.byteLength));
  t.true(decoded.records.every((r, i) => r.value?.every((b) => b === i) === true));
  // A 300-byte value's length is zigzag 600: 0xd8 0x04, after the record's length (307: zigzag 614),
  // attributes, two deltas and a null key (zigzag -1: 1).
  const long = encodeRecords([{ value: new Uint8Array(300), timestamp: 0 }], 0);
  t.deepEqual([...long.subarray(0, 8)], [0xe6, 0x04, 0, 0, 0, 1, 0xd8, 0x04]);
});

test('a blob inside a larger Buffer decodes from its own offset, into views of the same class', (t) => {
  const encoded = encodeRecords(records, 1_700_000_000_000);
  const outer = Buffer.alloc(encoded.byteLength + 20, 0xff);
  outer.set(encoded, 7);
  const blob = outer.subarray(7, 7 + encoded.byteLength);
  const decoded = decodeRecords(blob, 0, 1_700_000_000_000, records.length);
  if (!decoded.ok) return t.fail(decoded.message);
  t.deepEqual(decoded.records.map((r) => text(r.key)), ['k1', null, null]);
  t.deepEqual([...(decoded.records[2]?.value ?? [])], new Array(300).fill(7));
  t.true(Buffer.isBuffer(decoded.records[2]?.value), 'a value cut from a Buffer is a Buffer');
});

test('a header key that is not UTF-8 is refused', (t) => {
  const good = encodeRecords([{ value: null, headers: [{ key: 'ab', value: null }], timestamp: 0 }], 0);
  const bad = Uint8Array.from(good);
  const at = good.indexOf(97); // 'a'
  bad[at] = 0xc3;
  bad[at + 1] = 0x28;
  const result = decodeRecords(bad, 0, 0);
  t.false(result.ok);
});

test('malformed input is a CORRUPT_MESSAGE result, never an exception', (t) => {
  const good = encodeRecords(records, 0);
  const cases: Uint8Array[] = [
    new Uint8Array(0),
    good.subarray(0, good.byteLength - 1), // truncated
    Uint8Array.from([...good, 0]), // trailing byte
    Uint8Array.from([0]), // a record of length 0
    Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), // endless varint
    Uint8Array.from([0x80, 0x80, 0x80, 0x04, 0, 0, 0, 0]), // a huge length in a short blob
    Uint8Array.from([10, 0, 0, 2, 1, 1, 0]), // offset delta 1 for the first record
    Uint8Array.from([10, 0, 0, 0, 0x7f, 1, 0]), // key length -64
  ];
  for (const bad of cases) {
    const result = decodeRecords(bad, 0, 0);
    t.false(result.ok, `refused: ${[...bad].join(',')}`);
    if (!result.ok) t.is(result.code, 'CORRUPT_MESSAGE');
  }
  for (let cut = 0; cut < good.byteLength; cut++) t.false(decodeRecords(good.subarray(0, cut), 0, 0, records.length).ok);
});

test('random blobs never throw', (t) => {
  let seed = 12345;
  for (let i = 0; i < 2000; i++) {
    const blob = new Uint8Array(1 + (i % 40));
    for (let j = 0; j < blob.length; j++) { seed = (seed * 1103515245 + 12345) >>> 0; blob[j] = seed >>> 24; }
    t.notThrows(() => decodeRecords(blob, 0, 0));
  }
});
