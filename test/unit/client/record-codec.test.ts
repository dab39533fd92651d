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

test('the encoded size is exactly the sum of record sizes plus the count', (t) => {
  const encoded = encodeRecords(records, 5);
  t.is(encoded.byteLength, 1 + records.reduce((n, r) => n + recordSize(r, 5), 0));
});

test('malformed input is a CORRUPT_MESSAGE result, never an exception', (t) => {
  const good = encodeRecords(records, 0);
  const cases: Uint8Array[] = [
    new Uint8Array(0),
    good.subarray(0, good.byteLength - 1), // truncated
    Uint8Array.from([...good, 0]), // trailing byte
    Uint8Array.from([0]), // zero records
    Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), // endless varint
    Uint8Array.from([0x80, 0x80, 0x80, 0x04, 0, 0, 0, 0]), // a huge count in a short blob
    Uint8Array.from([1, 0, 1, 1, 1, 2, 0xc3, 0x28, 1]), // header key not UTF-8
    Uint8Array.from([1, 0, 0x7f, 1, 0]), // key length -64
  ];
  for (const bad of cases) {
    const result = decodeRecords(bad, 0, 0);
    t.false(result.ok, `refused: ${[...bad].join(',')}`);
    if (!result.ok) t.is(result.code, 'CORRUPT_MESSAGE');
  }
  for (let cut = 0; cut < good.byteLength; cut++) t.false(decodeRecords(good.subarray(0, cut), 0, 0).ok);
});

test('random blobs never throw', (t) => {
  let seed = 12345;
  for (let i = 0; i < 2000; i++) {
    const blob = new Uint8Array(1 + (i % 40));
    for (let j = 0; j < blob.length; j++) { seed = (seed * 1103515245 + 12345) >>> 0; blob[j] = seed >>> 24; }
    t.notThrows(() => decodeRecords(blob, 0, 0));
  }
});
