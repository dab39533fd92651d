/**
 * The client's per-record cost in its record codec: a batch of records encoded into the blob a
 * produce request carries, and a fetched blob decoded into records, per record, at 100 B and
 * 1 KiB values (no key, no headers: the compare bench's records) and with a key and two headers.
 * Also the producer's size estimate, which it takes once per record when a send arrives and again
 * when it is batched. Prints a markdown table; never asserts on timings.
 *
 *   npx tsx bench/record-codec.ts [--seconds 1.5]
 */
import { parseArgs } from 'node:util';
import { decodeRecords, encodeRecords, recordBodySize, type RecordInput } from '../actors/client/record-codec.js';
import { describeMachine, formatMachine } from './lib/machine.js';
import { markdownTable, type Cell } from './lib/table.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '1.5' } } });
const seconds = Number(values.seconds);
if (!(seconds > 0)) throw new Error('--seconds is a positive number');

const RECORDS_PER_BATCH = 1000;
const BASE_TIMESTAMP = 1_795_000_000_000;

function records(valueBytes: number, withKeyAndHeaders: boolean): RecordInput[] {
  const value = new Uint8Array(valueBytes).fill(97);
  return Array.from({ length: RECORDS_PER_BATCH }, (_, i) => withKeyAndHeaders
    ? { key: new TextEncoder().encode(`key-${i}`), value, timestamp: BASE_TIMESTAMP + i, headers: [{ key: 'trace-id', value: new Uint8Array(16) }, { key: 'source', value: null }] }
    : { value, timestamp: BASE_TIMESTAMP + (i >> 4) });
}

/** Nanoseconds per record of `fn`, which handles one batch per call, run for `seconds` after a warm-up. */
function nsPerRecord(fn: () => number): number {
  let sink = 0;
  for (let i = 0; i < 200; i++) sink += fn();
  let batches = 0;
  const start = process.hrtime.bigint();
  const until = start + BigInt(Math.round(seconds * 1e9));
  let now = start;
  while (now < until) {
    for (let i = 0; i < 20; i++) sink += fn();
    batches += 20;
    now = process.hrtime.bigint();
  }
  if (sink === 0) throw new Error('the measured work produced nothing');
  return Number(now - start) / (batches * RECORDS_PER_BATCH);
}

const rows: Cell[][] = [];
for (const [label, valueBytes, extra] of [['100 B value', 100, false], ['1 KiB value', 1024, false], ['100 B value, key, 2 headers', 100, true]] as const) {
  const input = records(valueBytes, extra);
  // A fetched blob is a view into a Node Buffer (the NATS message), as the consumer decodes it.
  const blob = Buffer.from(encodeRecords(input, BASE_TIMESTAMP));
  const encode = nsPerRecord(() => encodeRecords(input, BASE_TIMESTAMP).byteLength);
  const decode = nsPerRecord(() => {
    const result = decodeRecords(blob, 0, BASE_TIMESTAMP, RECORDS_PER_BATCH);
    if (!result.ok) throw new Error(result.message);
    return result.records.length;
  });
  const estimate = nsPerRecord(() => {
    let bytes = 0;
    for (const r of input) bytes += recordBodySize(r);
    return bytes;
  });
  rows.push([label, blob.byteLength / RECORDS_PER_BATCH, encode.toFixed(0), decode.toFixed(0), estimate.toFixed(1)]);
}

console.log(formatMachine(describeMachine()));
console.log(`Date: ${new Date().toISOString()}\n`);
console.log(markdownTable(['records', 'encoded bytes per record', 'encode ns/record', 'decode ns/record', 'size estimate ns/record'], rows));
