/**
 * The record values every bench sends, Brook's and JetStream's alike: deterministic pseudo-random
 * bytes, a different value for each record in turn. Random so that no layer can compress a value;
 * different from record to record because one value repeated is compressible too: a 256 KiB batch
 * of one 1 KiB value repeated is what LevelDB's Snappy turns into a few KiB, while JetStream's file
 * store keeps every byte it is given. The values cycle through `PAYLOAD_POOL_BYTES` of distinct
 * bytes, more than any batch, fetch or LevelDB block holds, so no stored unit repeats itself.
 */
export const PAYLOAD_POOL_BYTES = 2 * 1_048_576;

export class Payloads {
  /** Distinct values before the cycle repeats. */
  readonly count: number;
  private readonly pool: Uint8Array;

  constructor(readonly recordBytes: number) {
    if (!(Number.isInteger(recordBytes) && recordBytes > 0)) throw new RangeError(`recordBytes ${recordBytes}`);
    this.count = Math.max(1, Math.ceil(PAYLOAD_POOL_BYTES / recordBytes));
    this.pool = new Uint8Array(this.count * recordBytes);
    let state = 0x9e3779b9 ^ recordBytes;
    for (let i = 0; i < this.pool.length; i++) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0; // LCG: deterministic filler.
      this.pool[i] = state >>> 24;
    }
  }

  /** Record `i`'s value: a view into the pool, not a copy. */
  at(i: number): Uint8Array {
    const start = (i % this.count) * this.recordBytes;
    return this.pool.subarray(start, start + this.recordBytes);
  }
}

export function makePayloads(recordBytes: number): Payloads {
  return new Payloads(recordBytes);
}
