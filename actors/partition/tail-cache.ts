/**
 * The newest batches of the log kept in memory, so that follower fetches and tailing consumers
 * are served without a storage read. It is always a contiguous suffix of the log (appends add at
 * the end, eviction drops from the head, truncation drops from the end) and never holds more than
 * `bytesMax` bytes. Mutated in place: it is a working set rebuilt from the log on recovery.
 */
import { assert } from '../assert.js';
import type { StoredBatch } from './batch.js';

export interface TailCache { batches: StoredBatch[]; head: number; bytes: number; bytesMax: number }

export function createTailCache(bytesMax: number): TailCache {
  assert(bytesMax >= 0, 'tail cache bytesMax >= 0');
  return { batches: [], head: 0, bytes: 0, bytesMax };
}

export function tailSize(cache: TailCache): number { return cache.batches.length - cache.head; }

export function tailFirstOffset(cache: TailCache): number | undefined {
  return cache.batches[cache.head]?.baseOffset;
}

/** Adds the next batch of the log and evicts the oldest ones over the byte budget. */
export function tailAdd(cache: TailCache, batch: StoredBatch): void {
  const last = cache.batches[cache.batches.length - 1];
  assert(last === undefined || tailSize(cache) === 0 || batch.baseOffset === last.lastOffset + 1, 'tail cache stays contiguous');
  if (tailSize(cache) === 0) { cache.batches = []; cache.head = 0; }
  cache.batches.push(batch);
  cache.bytes += batch.bytes;
  while (cache.bytes > cache.bytesMax && tailSize(cache) > 0) {
    cache.bytes -= (cache.batches[cache.head] as StoredBatch).bytes;
    cache.head++;
  }
  compact(cache);
}

/** Index of the first batch with lastOffset ≥ offset, or the cache length. */
function searchLast(cache: TailCache, offset: number): number {
  let lo = cache.head;
  let hi = cache.batches.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((cache.batches[mid] as StoredBatch).lastOffset < offset) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/**
 * Batches from the one containing `fromOffset`, wholly below `endExclusive`, up to `bytesMax`
 * (at least one batch). Undefined when the cache does not reach back to `fromOffset`.
 */
export function tailCollect(cache: TailCache, fromOffset: number, endExclusive: number, bytesMax: number): StoredBatch[] | undefined {
  const first = tailFirstOffset(cache);
  if (first === undefined || first > fromOffset) return undefined;
  const out: StoredBatch[] = [];
  let bytes = 0;
  for (let i = searchLast(cache, fromOffset); i < cache.batches.length; i++) {
    const batch = cache.batches[i] as StoredBatch;
    if (batch.lastOffset >= endExclusive) break;
    if (out.length > 0 && bytes + batch.bytes > bytesMax) break;
    out.push(batch);
    bytes += batch.bytes;
  }
  return out;
}

/** Drops batches with baseOffset ≥ offset (divergence truncation). */
export function tailTruncate(cache: TailCache, offset: number): void {
  while (tailSize(cache) > 0 && (cache.batches[cache.batches.length - 1] as StoredBatch).baseOffset >= offset) {
    cache.bytes -= (cache.batches.pop() as StoredBatch).bytes;
  }
  assert(cache.bytes >= 0, 'tail cache bytes stay non-negative');
}

/** Drops batches wholly below offset (retention). */
export function tailDropBefore(cache: TailCache, offset: number): void {
  while (tailSize(cache) > 0 && (cache.batches[cache.head] as StoredBatch).lastOffset < offset) {
    cache.bytes -= (cache.batches[cache.head] as StoredBatch).bytes;
    cache.head++;
  }
  compact(cache);
}

/** Reclaims the evicted prefix once it is as long as the live part, keeping eviction O(1) amortised. */
function compact(cache: TailCache): void {
  if (cache.head > 64 && cache.head * 2 > cache.batches.length) {
    cache.batches = cache.batches.slice(cache.head);
    cache.head = 0;
  }
}
