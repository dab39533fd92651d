// Goal: the envelope codec is stable on the wire and refuses bad input with typed errors.
// Method: golden bytes for one envelope (computed once and pinned here: if this test fails, the
// wire format changed and every running node would disagree), then garbage, wrong field types
// and oversized frames, each checked by CodecError code.
import test from 'ava';
import { Packr } from 'msgpackr';
import { CodecError, decodeEnvelope, encodeEnvelope } from '../../transport/codec.js';
import { ENVELOPE_BYTES_MAX, type Envelope } from '../../transport/envelope.js';

const golden: Envelope = {
  to: 'part/orders/0/leader', from: 'client/7', type: 'produce', corr: 42, replyTo: 'client/7',
  body: { acks: -1, batch: new Uint8Array([1, 2, 3]), recordCount: 3, ratio: 0.5, key: null },
};
const goldenHex = 'de0006a2746fb4706172742f6f72646572732f302f6c6561646572a466726f6da8636c69656e742f37a474797065a770726f64756365'
  + 'a4636f72722aa77265706c79546fa8636c69656e742f37a4626f6479de0005a461636b73ffa56261746368c403010203ab7265636f7264436f756e7403'
  + 'a5726174696fcb3fe0000000000000a36b6579c0';

/** Packs arbitrary values the way a foreign or buggy sender might. */
const raw = new Packr({ useRecords: false });

function codeOf(fn: () => unknown): string | undefined {
  try { fn(); } catch (error) { return error instanceof CodecError ? error.code : `not a CodecError: ${String(error)}`; }
  return undefined;
}

test('golden bytes: encoding is pinned', (t) => {
  t.is(Buffer.from(encodeEnvelope(golden)).toString('hex'), goldenHex);
});

test('golden bytes decode to the envelope, binary as Uint8Array', (t) => {
  const decoded = decodeEnvelope(Buffer.from(goldenHex, 'hex'));
  const body = decoded.body as { batch: Uint8Array };
  t.true(body.batch instanceof Uint8Array);
  t.deepEqual([...body.batch], [1, 2, 3]);
  t.deepEqual({ ...decoded, body: { ...body, batch: [...body.batch] } },
    { ...golden, body: { ...(golden.body as object), batch: [1, 2, 3] } });
});

test('a fresh decoder reads the first message it sees (no shared structure table)', (t) => {
  const decoded = new Packr({ useRecords: false }).unpack(encodeEnvelope(golden)) as Envelope;
  t.is(decoded.to, golden.to);
});

test('garbage bytes are MALFORMED_ENVELOPE', (t) => {
  t.is(codeOf(() => decodeEnvelope(new Uint8Array([0xc1]))), 'MALFORMED_ENVELOPE'); // 0xc1 is never used in msgpack
  t.is(codeOf(() => decodeEnvelope(new Uint8Array([0xde, 0x00]))), 'MALFORMED_ENVELOPE'); // truncated map16
  t.is(codeOf(() => decodeEnvelope(new Uint8Array([]))), 'MALFORMED_ENVELOPE');
  t.is(codeOf(() => decodeEnvelope(new TextEncoder().encode('hello, world'))), 'MALFORMED_ENVELOPE');
});

test('values that are not an envelope map are MALFORMED_ENVELOPE', (t) => {
  for (const value of [null, 7, 'to', [golden.to, golden.from], true]) {
    t.is(codeOf(() => decodeEnvelope(raw.pack(value))), 'MALFORMED_ENVELOPE', JSON.stringify(value));
  }
});

test('wrong field types are MALFORMED_ENVELOPE', (t) => {
  const cases: Array<[string, Record<string, unknown>]> = [
    ['to is a number', { ...golden, to: 5 }],
    ['to is missing', { ...golden, to: undefined }],
    ['to has a space', { ...golden, to: 'part/a b' }],
    ['from is empty', { ...golden, from: '' }],
    ['type is a number', { ...golden, type: 3 }],
    ['type is empty', { ...golden, type: '' }],
    ['type is too long', { ...golden, type: 'x'.repeat(65) }],
    ['corr is a string', { ...golden, corr: '42' }],
    ['corr is fractional', { ...golden, corr: 1.5 }],
    ['replyTo is not an address', { ...golden, replyTo: 'a//b' }],
  ];
  for (const [name, value] of cases) {
    const clean = Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
    t.is(codeOf(() => decodeEnvelope(raw.pack(clean))), 'MALFORMED_ENVELOPE', name);
  }
});

test('oversized envelopes are ENVELOPE_TOO_LARGE on both sides', (t) => {
  const body = new Uint8Array(ENVELOPE_BYTES_MAX);
  t.is(codeOf(() => encodeEnvelope({ ...golden, body })), 'ENVELOPE_TOO_LARGE');
  t.is(codeOf(() => decodeEnvelope(new Uint8Array(ENVELOPE_BYTES_MAX + 1))), 'ENVELOPE_TOO_LARGE');
  t.is(codeOf(() => encodeEnvelope({ ...golden, body: new Uint8Array(ENVELOPE_BYTES_MAX - 1024) })), undefined);
});
