/**
 * Retention (Kafka's deleteOldSegments, per batch instead of per segment): from the oldest batch,
 * delete whole batches while they are below the HW and either older than `retentionMs` (by their
 * max timestamp) or the log is over `retentionBytes`. Stops at the first batch that stays, so the
 * log start is always a batch boundary. Never touches data at or above the HW.
 */
import { assert } from '../assert.js';
import { indexAt, indexSize, type BatchIndex } from './log-cache.js';

export interface RetentionLimits { retentionMs: number; retentionBytes: number }

/** The new log start offset, or undefined when nothing is due. */
export function planRetention(index: BatchIndex, logStart: number, hw: number, wallMs: number, limits: RetentionLimits): number | undefined {
  assert(logStart <= hw, 'planRetention: logStart <= hw');
  let bytes = index.bytes;
  let newStart = logStart;
  for (let i = 0; i < indexSize(index); i++) {
    const entry = indexAt(index, i);
    assert(entry !== undefined, 'index entry in range');
    if (entry.lastOffset >= hw) break;
    const expired = limits.retentionMs >= 0 && entry.maxTimestamp < wallMs - limits.retentionMs;
    const oversize = limits.retentionBytes >= 0 && bytes > limits.retentionBytes;
    if (!expired && !oversize) break;
    bytes -= entry.bytes;
    newStart = entry.lastOffset + 1;
  }
  assert(newStart <= hw, 'retention never passes the hw');
  return newStart > logStart ? newStart : undefined;
}
