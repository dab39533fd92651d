// Goal: the scattered framing (transport/scattered.ts) carries large byte fields without copying
// them and decodes to the same envelope, small envelopes keep the plain pinned bytes, and every
// malformed scattered frame is refused with MALFORMED_ENVELOPE. Method: encodeEnvelopeParts on a
// produce request and a fetch reply of the shapes the cluster sends, the parts concatenated as the
// wire would, decoded with decodeEnvelope; then frames cut, padded and forged byte by byte.
import test from 'ava';
import { Packr } from 'msgpackr';
import { CodecError, decodeEnvelope, encodeEnvelope, encodeEnvelopeParts } from '../../transport/codec.js';
import { ENVELOPE_BYTES_MAX, type Envelope } from '../../transport/envelope.js';
import { SCATTERED_PIECES_MAX, SCATTERED_TAG, SCATTER_BYTES_MIN } from '../../transport/scattered.js';

const bytes = (size: number, seed: number): Buffer => Buffer.from(Uint8Array.from({ length: size }, (_, i) => (i * 131 + seed + (i >>> 8)) & 0xff));

const joined = (parts: readonly Uint8Array[]): Buffer => Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength)));

function codeOf(fn: () => unknown): string | undefined {
  try { fn(); } catch (error) { return error instanceof CodecError ? error.code : `not a CodecError: ${String(error)}`; }
  return undefined;
}

const produce = (records: Uint8Array): Envelope => ({ to: 'n/part/orders/0/leader', from: 'c/7', type: 'produce', corr: 9, replyTo: 'c/7',
  body: { acks: -1, leaderEpoch: 3, timeoutMs: 30_000, batch: { producerId: 4, records, recordCount: 100, small: Buffer.from([1, 2]) } } });

const fetchReply = (batches: Uint8Array[]): Envelope => ({ to: 'c/7', from: 'n/part/orders/0/leader', type: 'fetchReply', corr: 10,
  body: { code: 'OK', hw: 500, logStartOffset: 0, batches: batches.map((records, i) => ({ baseOffset: i * 100, lastOffset: i * 100 + 99, records, bytes: records.length })) } });

test('a produce request: its records travel as a piece of their own, the same buffer, and decode to the same envelope', (t) => {
  const records = bytes(SCATTER_BYTES_MIN, 1);
  const envelope = produce(records);
  const parts = encodeEnvelopeParts(envelope);
  t.true(parts.length > 1, 'scattered');
  t.true(parts.includes(records), 'the records are not copied');
  const wire = joined(parts);
  t.is(wire[0], SCATTERED_TAG);
  const decoded = decodeEnvelope(wire);
  t.deepEqual(decoded, envelope);
  const got = (decoded.body as { batch: { records: Uint8Array } }).batch.records;
  t.true(Buffer.from(got.buffer, got.byteOffset, got.byteLength).equals(records));
  t.is(got.buffer, wire.buffer, 'a view of the message, as a msgpack bin would be');
});

test('a fetch reply: every large batch is a piece, small ones stay inline, order and contents kept', (t) => {
  const batches = [bytes(40_000, 2), bytes(100, 3), bytes(70_000, 4), bytes(SCATTER_BYTES_MIN - 1, 5), bytes(SCATTER_BYTES_MIN + 1, 6)];
  const envelope = fetchReply(batches);
  const parts = encodeEnvelopeParts(envelope);
  const large = batches.filter((b) => b.length >= SCATTER_BYTES_MIN);
  t.deepEqual(parts.filter((p) => batches.includes(p as Buffer)), large, 'exactly the large batches, in order, uncopied');
  t.deepEqual(decodeEnvelope(joined(parts)), envelope);
  t.is((envelope.body as { batches: Array<{ records: Uint8Array }> }).batches[0]!.records, batches[0]!, 'the envelope itself is left as it was');
});

test('an envelope without large fields is one buffer, byte-identical to the plain encoding', (t) => {
  const envelope = produce(bytes(SCATTER_BYTES_MIN - 1, 7));
  const parts = encodeEnvelopeParts(envelope);
  t.is(parts.length, 1);
  t.true(Buffer.from(parts[0]!).equals(Buffer.from(encodeEnvelope(envelope))));
});

test('a large field deeper than the search is packed inline and still round-trips', (t) => {
  const deep = bytes(SCATTER_BYTES_MIN * 2, 8);
  const envelope: Envelope = { to: 'c/7', from: 'c/8', type: 'x', body: { a: { b: { c: { d: { e: deep } } } } } };
  const parts = encodeEnvelopeParts(envelope);
  t.is(parts.length, 1);
  t.deepEqual(decodeEnvelope(parts[0]!), envelope);
});

test('an envelope whose pieces add up past the limit is refused at encode', (t) => {
  t.is(codeOf(() => encodeEnvelopeParts(produce(new Uint8Array(ENVELOPE_BYTES_MAX)))), 'ENVELOPE_TOO_LARGE');
});

/** A well-formed scattered frame of `envelope`, as one buffer. */
function frame(envelope: Envelope): Buffer {
  const wire = joined(encodeEnvelopeParts(envelope));
  if (wire[0] !== SCATTERED_TAG) throw new Error('expected a scattered frame');
  return wire;
}

test('malformed scattered frames are refused with MALFORMED_ENVELOPE', (t) => {
  const good = frame(fetchReply([bytes(20_000, 1), bytes(30_000, 2)]));
  t.is(codeOf(() => decodeEnvelope(good)), undefined, 'the frame the forgeries start from is good');
  const forged = (edit: (b: Buffer) => Buffer): Buffer => edit(Buffer.from(good));
  const cases: Record<string, Buffer> = {
    'header cut': good.subarray(0, 5),
    'last piece cut': good.subarray(0, good.length - 1),
    'a byte after the last piece': Buffer.concat([good, Buffer.from([0])]),
    'no pieces': forged((b) => { b.writeUInt32BE(0, 1); return b; }),
    'more pieces than allowed': forged((b) => { b.writeUInt32BE(SCATTERED_PIECES_MAX + 1, 1); return b; }),
    'a head longer than the frame': forged((b) => { b.writeUInt32BE(0xffffffff, 5); return b; }),
    'a piece longer than the frame': forged((b) => { b.writeUInt32BE(0x7fffffff, 9); return b; }),
    'a head one byte shorter than the frame holds': forged((b) => { b.writeUInt32BE(b.readUInt32BE(5) - 1, 5); return b; }),
    'a head one byte longer, the first piece one shorter': forged((b) => { b.writeUInt32BE(b.readUInt32BE(5) + 1, 5); b.writeUInt32BE(b.readUInt32BE(9) - 1, 9); return b; }),
  };
  for (const [name, wire] of Object.entries(cases)) t.is(codeOf(() => decodeEnvelope(wire)), 'MALFORMED_ENVELOPE', name);
});

test('markers that name no piece, the same piece twice, or leave one unnamed are refused; a marker outside a scattered frame too', (t) => {
  const raw = new Packr({ useRecords: false });
  const marker = (index: number): Buffer => Buffer.concat([Buffer.from([0xd4, 0x53, 0x00]), Buffer.from(raw.pack(index))]);
  /** { to, from, type, body: [markers...] }: packed with placeholder strings, each then swapped for its marker's bytes. */
  const head = (markers: Buffer[]): Buffer => {
    let packed = Buffer.from(raw.pack({ to: 'c/7', from: 'c/8', type: 'x', body: markers.map((_, i) => `@@marker${i}@@`) }));
    markers.forEach((m, i) => {
      const placeholder = Buffer.from(raw.pack(`@@marker${i}@@`));
      const at = packed.indexOf(placeholder);
      packed = Buffer.concat([packed.subarray(0, at), m, packed.subarray(at + placeholder.length)]);
    });
    return packed;
  };
  const scattered = (headBytes: Buffer, pieces: Buffer[]): Buffer => {
    const header = Buffer.alloc(9 + 4 * pieces.length);
    header[0] = SCATTERED_TAG;
    header.writeUInt32BE(pieces.length, 1);
    header.writeUInt32BE(headBytes.length, 5);
    pieces.forEach((p, i) => header.writeUInt32BE(p.length, 9 + 4 * i));
    return Buffer.concat([header, headBytes, ...pieces]);
  };
  const pieces = [bytes(10, 1), bytes(20, 2)];
  const ok = decodeEnvelope(scattered(head([marker(1), marker(0)]), pieces));
  t.deepEqual(ok.body, [pieces[1], pieces[0]], 'a hand-made frame decodes, markers in any order');
  t.is(codeOf(() => decodeEnvelope(scattered(head([marker(0), marker(2)]), pieces))), 'MALFORMED_ENVELOPE', 'a marker past the pieces');
  t.is(codeOf(() => decodeEnvelope(scattered(head([marker(0), marker(0)]), pieces))), 'MALFORMED_ENVELOPE', 'a piece named twice');
  t.is(codeOf(() => decodeEnvelope(scattered(head([marker(0)]), pieces))), 'MALFORMED_ENVELOPE', 'a piece never named');
  t.is(codeOf(() => decodeEnvelope(scattered(head([marker(-1), marker(1)]), pieces))), 'MALFORMED_ENVELOPE', 'a negative index');
  t.is(codeOf(() => decodeEnvelope(head([marker(0)]))), 'MALFORMED_ENVELOPE', 'a marker in a plain envelope');
  t.deepEqual(decodeEnvelope(scattered(head([marker(0), marker(1)]), pieces)).body, pieces, 'decoding after the refusals still works');
});
