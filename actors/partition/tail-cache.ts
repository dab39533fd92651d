/**
 * The newest batches of the log kept in memory, so that follower fetches and tailing consumers
 * are served without a storage read. It is always a contiguous suffix of the log (appends add at
 * the end, eviction drops from the head, truncation drops from the end) and never holds more than
 * `bytesMax` bytes. A value (batch-run.ts): every change returns a new cache sharing most of the
 * old one, and the batches' record bytes are held by reference, never copied.
 */
import { assert } from '../assert.js';
import { seqAt, seqLast } from '../kit/seq.js';
import type { StoredBatch } from './batch.js';
import { emptyRun, runAppend, runDropBefore, runDropFirst, runSearch, runTruncate, type BatchRun } from './batch-run.js';

export interface TailCache { readonly batches: BatchRun<StoredBatch>; readonly bytesMax: number }

export function createTailCache(bytesMax: number): TailCache {
  assert(bytesMax >= 0, 'tail cache bytesMax >= 0');
  return { batches: emptyRun(), bytesMax };
}

export function tailSize(cache: TailCache): number { return cache.batches.items.length; }

export function tailBytes(cache: TailCache): number { return cache.batches.bytes; }

export function tailFirstOffset(cache: TailCache): number | undefined { return seqAt(cache.batches.items, 0)?.baseOffset; }

export function tailLastOffset(cache: TailCache): number | undefined { return seqLast(cache.batches.items)?.lastOffset; }

/** Adds the next batch of the log and evicts the oldest ones over the byte budget. */
export function tailAdd(cache: TailCache, batch: StoredBatch): TailCache {
  const added = runAppend(cache.batches, batch);
  let bytes = added.bytes;
  let evict = 0;
  while (bytes > cache.bytesMax && evict < added.items.length) bytes -= (seqAt(added.items, evict++) as StoredBatch).bytes;
  const batches = runDropFirst(added, evict);
  assert(batches.bytes <= cache.bytesMax, 'tail cache within its byte budget');
  return { batches, bytesMax: cache.bytesMax };
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
  for (let i = runSearch(cache.batches, fromOffset); i < tailSize(cache); i++) {
    const batch = seqAt(cache.batches.items, i) as StoredBatch;
    if (batch.lastOffset >= endExclusive) break;
    if (out.length > 0 && bytes + batch.bytes > bytesMax) break;
    out.push(batch);
    bytes += batch.bytes;
  }
  return out;
}

/** Drops batches with baseOffset ≥ offset (divergence truncation). */
export function tailTruncate(cache: TailCache, offset: number): TailCache {
  const batches = runTruncate(cache.batches, offset);
  return batches === cache.batches ? cache : { batches, bytesMax: cache.bytesMax };
}

/** Drops batches wholly below offset (retention). */
export function tailDropBefore(cache: TailCache, offset: number): TailCache {
  const batches = runDropBefore(cache.batches, offset);
  return batches === cache.batches ? cache : { batches, bytesMax: cache.bytesMax };
}
