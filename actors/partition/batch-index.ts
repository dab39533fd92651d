/**
 * A compact in-memory index of every batch in the log: offsets, max timestamp and size. It serves
 * ListOffsets by time (Kafka keeps a time index per segment; we keep one entry per batch) and
 * retention by time and size. A value (batch-run.ts): every change returns a new index sharing
 * most of the old one. Rebuilt by the recovery scan.
 */
import { seqAt } from '../kit/seq.js';
import type { StoredBatch } from './batch.js';
import { emptyRun, runAppend, runDropBefore, runSearch, runTruncate, type BatchRun } from './batch-run.js';

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
