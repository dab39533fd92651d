/**
 * Kafka's key partitioner: the 32-bit murmur2 hash of the key bytes with Kafka's seed, made
 * positive by masking the sign bit, modulo the partition count — the partition the Java client
 * (`BuiltInPartitioner.partitionForKey`) would pick, so keyed data lands where Kafka puts it.
 * Java `int` arithmetic is reproduced with Math.imul and `| 0`.
 */
import { assert } from '../assert.js';

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/** murmur2 of `data` as a signed 32-bit integer (Java's `Utils.murmur2`). */
export function murmur2(data: Uint8Array): number {
  const length = data.byteLength;
  let h = (SEED ^ length) | 0;
  const blocks = length >>> 2;
  for (let i = 0; i < blocks; i++) {
    const at = i * 4;
    let k = (data[at] as number) | ((data[at + 1] as number) << 8) | ((data[at + 2] as number) << 16) | ((data[at + 3] as number) << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const tail = blocks * 4;
  const rest = length - tail;
  // The tail bytes fold in from the highest down, like the fall-through switch of the reference.
  if (rest === 3) h ^= (data[tail + 2] as number) << 16;
  if (rest >= 2) h ^= (data[tail + 1] as number) << 8;
  if (rest >= 1) {
    h ^= data[tail] as number;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** Kafka's `Utils.toPositive`: clears the sign bit (not Math.abs, which fails on INT32_MIN). */
export function toPositive(n: number): number { return n & 0x7fffffff; }

/** The partition Kafka picks for a keyed record. */
export function keyPartition(key: Uint8Array, partitionCount: number): number {
  assert(Number.isSafeInteger(partitionCount) && partitionCount > 0, 'partitionCount > 0');
  const partition = toPositive(murmur2(key)) % partitionCount;
  assert(partition >= 0 && partition < partitionCount, 'partition in range');
  return partition;
}
