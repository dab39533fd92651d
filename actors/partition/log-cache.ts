/**
 * The partition log's in-memory views, both contiguous runs of batches by offset with their byte
 * total: the batch index (one entry per batch of the log: offsets, max timestamp, size) serves
 * ListOffsets by time (Kafka keeps a time index per segment) and retention by time and size; the
 * tail cache (the newest whole batches, within `bytesMax`) serves follower fetches and tailing
 * consumers without a storage read. Both are values: every change returns a new run sharing most
 * of the old one (actors/kit/seq.ts), and batches' record bytes are held by reference, never
 * copied. Both are rebuilt by the recovery scan.
 */
import { assert } from '../assert.js';
import { emptySeq, seqAt, seqDropFirst, seqLast, seqPush, seqSearch, seqTake, type Seq } from '../kit/seq.js';
import type { StoredBatch } from './batch.js';

// ---- a run of batches ----

export interface Spanned { readonly baseOffset: number; readonly lastOffset: number; readonly bytes: number }
export interface BatchRun<T extends Spanned> { readonly items: Seq<T>; readonly bytes: number }

export function emptyRun<T extends Spanned>(): BatchRun<T> { return { items: emptySeq(), bytes: 0 }; }

export function runAppend<T extends Spanned>(run: BatchRun<T>, item: T): BatchRun<T> {
  const last = seqLast(run.items);
  assert(last === undefined || item.baseOffset === last.lastOffset + 1, 'a batch run stays contiguous');
  assert(item.lastOffset >= item.baseOffset && item.bytes >= 0, 'a batch spans its offsets');
  return { items: seqPush(run.items, item), bytes: run.bytes + item.bytes };
}

/** Without the first `n` items. */
export function runDropFirst<T extends Spanned>(run: BatchRun<T>, n: number): BatchRun<T> {
  if (n === 0) return run;
  let bytes = run.bytes;
  for (let i = 0; i < n; i++) bytes -= (seqAt(run.items, i) as T).bytes;
  assert(bytes >= 0, 'a batch run\'s bytes stay non-negative');
  return { items: seqDropFirst(run.items, n), bytes };
}

/** Without the items with baseOffset ≥ offset (truncation). */
export function runTruncate<T extends Spanned>(run: BatchRun<T>, offset: number): BatchRun<T> {
  assert(offset >= 0, 'truncate at an offset');
  const keep = seqSearch(run.items, (b) => b.baseOffset >= offset);
  if (keep === run.items.length) return run;
  let bytes = run.bytes;
  for (let i = keep; i < run.items.length; i++) bytes -= (seqAt(run.items, i) as T).bytes;
  assert(bytes >= 0, 'a batch run\'s bytes stay non-negative');
  return { items: seqTake(run.items, keep), bytes };
}

/** Without the items wholly below offset (retention, log start moved). */
export function runDropBefore<T extends Spanned>(run: BatchRun<T>, offset: number): BatchRun<T> {
  return runDropFirst(run, seqSearch(run.items, (b) => b.lastOffset >= offset));
}

/** The position of the first item with lastOffset ≥ offset, or the length. */
export function runSearch<T extends Spanned>(run: BatchRun<T>, offset: number): number {
  return seqSearch(run.items, (b) => b.lastOffset >= offset);
}

// ---- the batch index ----

export interface IndexEntry { readonly baseOffset: number; readonly lastOffset: number; readonly maxTimestamp: number; readonly bytes: number }
export type BatchIndex = BatchRun<IndexEntry>;

export function createBatchIndex(): BatchIndex { return emptyRun(); }

export function indexSize(index: BatchIndex): number { return index.items.length; }

export function indexAt(index: BatchIndex, i: number): IndexEntry | undefined { return seqAt(index.items, i); }

export function indexAdd(index: BatchIndex, batch: StoredBatch): BatchIndex {
  return runAppend(index, { baseOffset: batch.baseOffset, lastOffset: batch.lastOffset, maxTimestamp: batch.maxTimestamp, bytes: batch.bytes });
}

/** Drops entries with baseOffset ≥ offset (truncation). */
export const indexTruncate = runTruncate<IndexEntry>;

/** Drops entries wholly below offset (retention, log start moved). */
export const indexDropBefore = runDropBefore<IndexEntry>;

/** The entry whose batch contains `offset`, if any. */
export function indexFind(index: BatchIndex, offset: number): IndexEntry | undefined {
  const entry = indexAt(index, runSearch(index, offset));
  return entry !== undefined && entry.baseOffset <= offset ? entry : undefined;
}

// ---- the tail cache ----

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
  assert(batch.bytes > 0 && batch.lastOffset >= batch.baseOffset, 'a batch has records and bytes');
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
  assert(bytesMax >= 1 && endExclusive >= 0, 'a fetch asks for bytes within the log');
  const out: StoredBatch[] = [];
  let bytes = 0;
  for (let i = runSearch(cache.batches, fromOffset); i < tailSize(cache); i++) {
    const batch = seqAt(cache.batches.items, i) as StoredBatch;
    if (batch.lastOffset >= endExclusive) break;
    if (out.length > 0 && bytes + batch.bytes > bytesMax) break;
    out.push(batch);
    bytes += batch.bytes;
  }
  assert(out.length === 0 || (out[0] as StoredBatch).lastOffset >= fromOffset, 'the first batch holds the fetch offset');
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
