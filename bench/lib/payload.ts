/**
 * The record value every bench sends, Brook's and JetStream's alike: deterministic pseudo-random bytes.
 * Random so that no layer can compress it (LevelDB's Snappy stored a repeated alphabet ~15× smaller than
 * JetStream's file store stored these bytes, which flattered Brook's storage cost); the same bytes for
 * every record, because nothing in the benches depends on records differing.
 */
export function makePayload(recordBytes: number): Uint8Array {
  if (!(Number.isInteger(recordBytes) && recordBytes > 0)) throw new RangeError(`recordBytes ${recordBytes}`);
  const payload = new Uint8Array(recordBytes);
  let state = 0x9e3779b9 ^ recordBytes;
  for (let i = 0; i < recordBytes; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0; // LCG: deterministic filler.
    payload[i] = state >>> 24;
  }
  return payload;
}
