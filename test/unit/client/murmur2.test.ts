/**
 * Goal: keyed records land on the partition Kafka's Java client picks.
 * Method: the hash agrees with Kafka's published murmur2 vectors (UtilsTest) and with an
 * independent, deliberately plain BigInt re-implementation of the algorithm on many inputs.
 */
import test from 'ava';
import { keyPartition, murmur2, toPositive } from '../../../actors/client/murmur2.js';
import { bytes } from './fake-cluster.js';

/** The algorithm written out with BigInt and explicit 32-bit wrapping, sharing nothing with the real one. */
function murmur2Reference(data: Uint8Array): number {
  const mask = 0xffffffffn;
  const m = 0x5bd1e995n;
  const mul = (a: bigint, b: bigint): bigint => (a * b) & mask;
  let h = (0x9747b28cn ^ BigInt(data.length)) & mask;
  let i = 0;
  for (; i + 4 <= data.length; i += 4) {
    let k = BigInt(data[i]!) + (BigInt(data[i + 1]!) << 8n) + (BigInt(data[i + 2]!) << 16n) + (BigInt(data[i + 3]!) << 24n);
    k = mul(k, m);
    k ^= k >> 24n;
    k = mul(k, m);
    h = mul(h, m) ^ k;
  }
  const rest = data.length - i;
  if (rest >= 3) h ^= BigInt(data[i + 2]!) << 16n;
  if (rest >= 2) h ^= BigInt(data[i + 1]!) << 8n;
  if (rest >= 1) { h ^= BigInt(data[i]!); h = mul(h, m); }
  h ^= h >> 13n;
  h = mul(h, m);
  h ^= h >> 15n;
  return Number(BigInt.asIntN(32, h));
}

test('Kafka UtilsTest vectors', (t) => {
  const vectors: Array<[string, number]> = [
    ['21', -973932308], ['foobar', -790332482], ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829], ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971], ['abc', 479470107],
  ];
  for (const [key, hash] of vectors) t.is(murmur2(bytes(key)), hash, key);
});

test('agrees with the plain reference on every length and many bytes', (t) => {
  let seed = 99;
  for (let length = 0; length < 64; length++) {
    for (let round = 0; round < 8; round++) {
      const data = new Uint8Array(length);
      for (let j = 0; j < length; j++) { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; data[j] = seed >>> 24; }
      t.is(murmur2(data), murmur2Reference(data));
    }
  }
});

test('the partitions Kafka picks with 6 partitions', (t) => {
  t.is(keyPartition(bytes('a'), 6), 4);
  t.is(keyPartition(bytes('user-1'), 6), 2);
  t.is(keyPartition(bytes(''), 6), 3);
  for (const key of ['a', 'user-1', '']) t.is(keyPartition(bytes(key), 6), toPositive(murmur2Reference(bytes(key))) % 6);
});

test('toPositive masks the sign bit (INT32_MIN maps to 0, not to a negative)', (t) => {
  t.is(toPositive(-2147483648), 0);
  t.is(toPositive(-1), 0x7fffffff);
  t.is(toPositive(5), 5);
});
