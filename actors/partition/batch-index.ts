/**
 * A compact in-memory index of every batch in the log: offsets, max timestamp and size. It serves
 * ListOffsets by time (Kafka keeps a time index per segment; we keep one entry per batch) and
 * retention by time and size. Mutated in place; rebuilt by the recovery scan.
 */
import { assert } from '../assert.js';
import type { StoredBatch } from './batch.js';

export interface IndexEntry { baseOffset: number; lastOffset: number; maxTimestamp: number; bytes: number }
export interface BatchIndex { entries: IndexEntry[]; head: number; bytes: number }

export function createBatchIndex(): BatchIndex { return { entries: [], head: 0, bytes: 0 }; }

export function indexSize(index: BatchIndex): number { return index.entries.length - index.head; }

export function indexAt(index: BatchIndex, i: number): IndexEntry | undefined {
  return i < 0 ? undefined : index.entries[index.head + i];
}

export function indexAdd(index: BatchIndex, batch: StoredBatch): void {
  const last = index.entries[index.entries.length - 1];
  assert(indexSize(index) === 0 || last === undefined || batch.baseOffset === last.lastOffset + 1, 'batch index stays contiguous');
  index.entries.push({ baseOffset: batch.baseOffset, lastOffset: batch.lastOffset, maxTimestamp: batch.maxTimestamp, bytes: batch.bytes });
  index.bytes += batch.bytes;
}

/** Drops entries with baseOffset ≥ offset (truncation). */
export function indexTruncate(index: BatchIndex, offset: number): void {
  while (indexSize(index) > 0 && (index.entries[index.entries.length - 1] as IndexEntry).baseOffset >= offset) {
    index.bytes -= (index.entries.pop() as IndexEntry).bytes;
  }
}

/** Drops entries wholly below offset (retention, log start moved). */
export function indexDropBefore(index: BatchIndex, offset: number): void {
  while (indexSize(index) > 0 && (index.entries[index.head] as IndexEntry).lastOffset < offset) {
    index.bytes -= (index.entries[index.head] as IndexEntry).bytes;
    index.head++;
  }
  if (index.head > 64 && index.head * 2 > index.entries.length) {
    index.entries = index.entries.slice(index.head);
    index.head = 0;
  }
  assert(index.bytes >= 0, 'batch index bytes stay non-negative');
}

/** The entry whose batch contains `offset`, if any. */
export function indexFind(index: BatchIndex, offset: number): IndexEntry | undefined {
  let lo = index.head;
  let hi = index.entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((index.entries[mid] as IndexEntry).lastOffset < offset) lo = mid + 1; else hi = mid;
  }
  const entry = index.entries[lo];
  return entry !== undefined && entry.baseOffset <= offset ? entry : undefined;
}
