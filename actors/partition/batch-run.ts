/**
 * A contiguous run of batches by offset, with their byte total: what the tail cache (whole
 * batches) and the batch index (one entry per batch) both are. A value: every change returns a new
 * run sharing most of the old one (actors/kit/seq.ts).
 */
import { assert } from '../assert.js';
import { emptySeq, seqAt, seqDropFirst, seqLast, seqPush, seqSearch, seqTake, type Seq } from '../kit/seq.js';

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
