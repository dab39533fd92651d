// outboundChunks: what one flush of a NATS connection writes. The chunks joined are exactly the
// pending pieces joined; a large piece is written from its own buffer (the same object, no copy);
// runs of small pieces become one chunk each.
import test from 'ava';
import { SeededRandom } from '../../runtime/random.js';
import { OWN_WRITE_BYTES_MIN, outboundChunks } from '../../transport/outbound-chunks.js';

const bytes = (size: number, seed: number): Uint8Array => Uint8Array.from({ length: size }, (_, i) => (i * 31 + seed) & 0xff);

const joined = (parts: readonly Uint8Array[]): Buffer => Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength)));

test('small and large pieces: large ones pass as they are, each run of small ones becomes one chunk', (t) => {
  const big1 = bytes(OWN_WRITE_BYTES_MIN, 1);
  const big2 = bytes(3 * OWN_WRITE_BYTES_MIN, 2);
  const pieces = [bytes(20, 3), big1, bytes(2, 4), bytes(OWN_WRITE_BYTES_MIN - 1, 5), bytes(0, 6), big2, bytes(2, 7)];
  const chunks = outboundChunks(pieces);
  t.is(chunks.length, 5);
  t.is(chunks[0], pieces[0], 'a run of one piece is that piece');
  t.is(chunks[1], big1, 'a piece at the threshold is not copied');
  t.is(chunks[2]!.length, 2 + OWN_WRITE_BYTES_MIN - 1, 'a run of small pieces (an empty one among them) joined');
  t.is(chunks[3], big2);
  t.is(chunks[4], pieces[6]);
  t.true(joined(chunks).equals(joined(pieces)), 'the same bytes in the same order');
});

test('every mix of piece sizes writes exactly the pending bytes, in order', (t) => {
  const random = new SeededRandom(12345);
  const next = (n: number): number => random.u32() % n;
  for (let round = 0; round < 200; round++) {
    const pieces = Array.from({ length: 1 + next(12) }, (_, i) => bytes(next(4) === 0 ? OWN_WRITE_BYTES_MIN + next(3 * OWN_WRITE_BYTES_MIN) : next(300), round + i));
    const chunks = outboundChunks(pieces);
    t.true(joined(chunks).equals(joined(pieces)), `round ${round}: the same bytes in the same order`);
    const large = pieces.filter((p) => p.length >= OWN_WRITE_BYTES_MIN);
    t.deepEqual(chunks.filter((c) => large.includes(c)), large, `round ${round}: every large piece written from its own buffer`);
  }
});

test('nothing pending writes nothing; one piece is written as it is', (t) => {
  t.deepEqual(outboundChunks([]), []);
  const only = bytes(10, 1);
  t.deepEqual(outboundChunks([only]), [only]);
  t.is(outboundChunks([only])[0], only);
});
