// The benches' record values (bench/lib/payload.ts, bench/brook/record-batches.ts): a batch of them
// must not compress, or LevelDB's Snappy would store Brook's batches in a fraction of the bytes
// JetStream's file store writes for the same records.
import test from 'ava';
import { compressSync } from 'snappy';
import { makePayloads, PAYLOAD_POOL_BYTES } from '../../../bench/lib/payload.js';
import { RecordBatches } from '../../../bench/brook/record-batches.js';

const BATCH_BYTES = 256 * 1024; // the throughput workloads' producer batch

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

for (const size of [100, 1024]) {
  test(`a batch of ${size} B values does not compress; one value repeated does`, (t) => {
    const payloads = makePayloads(size);
    const perBatch = Math.floor(BATCH_BYTES / size);
    const distinct = concat(Array.from({ length: perBatch }, (_, i) => payloads.at(i)));
    const repeated = concat(Array.from({ length: perBatch }, () => payloads.at(0)));
    t.true(compressSync(Buffer.from(distinct)).length >= distinct.length * 0.99);
    t.true(compressSync(Buffer.from(repeated)).length < repeated.length * 0.1, 'the check tells a repeated value apart');
  });
}

test('values are views of the pool, the same for the same index, and the cycle covers the pool', (t) => {
  const payloads = makePayloads(1024);
  t.is(payloads.count, PAYLOAD_POOL_BYTES / 1024);
  t.deepEqual(payloads.at(3), payloads.at(3 + payloads.count));
  t.notDeepEqual(payloads.at(3), payloads.at(4));
  t.is(payloads.at(5).length, 1024);
  t.is(makePayloads(1024).at(7)[100], payloads.at(7)[100], 'deterministic');
});

test('record batches use every value once before any repeats, and a short send takes a prefix', (t) => {
  const payloads = makePayloads(100 * 1024); // 21 values: 5 sends of 4 cover them
  const batches = new RecordBatches(payloads, 4);
  const seen: Uint8Array[] = [];
  for (let s = 0; s < Math.ceil(payloads.count / 4); s++) for (const r of batches.take()) seen.push(r.value as Uint8Array);
  for (let i = 0; i < payloads.count; i++) t.deepEqual(seen[i], payloads.at(i));
  t.is(batches.take(2).length, 2);
  t.throws(() => new RecordBatches(payloads, 0), { instanceOf: RangeError });
});
