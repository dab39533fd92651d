/**
 * ListOffsets (KIP-79): earliest (the log start), latest (the HW: what a consumer can read) and
 * by time (the first batch below the HW whose max timestamp is ≥ t; the broker cannot look inside
 * a batch, so the answer is the batch's base offset and the consumer skips older records).
 */
import { assert } from '../assert.js';
import { indexAt, indexSize, type BatchIndex } from './log-cache.js';

export const EARLIEST_TIMESTAMP = -2;
export const LATEST_TIMESTAMP = -1;

export interface OffsetAnswer { offset: number; timestamp?: number }

export function listOffset(index: BatchIndex, logStart: number, hw: number, timestamp: number): OffsetAnswer {
  assert(logStart <= hw, 'listOffset: logStart <= hw');
  if (timestamp === EARLIEST_TIMESTAMP) return { offset: logStart };
  if (timestamp === LATEST_TIMESTAMP) return { offset: hw };
  assert(timestamp >= 0, 'listOffset: timestamps are validated at the edge');
  // Max timestamps are not monotonic across batches (producers set them), so this is a scan;
  // by-time lookups are rare (a consumer seeking), appends are not.
  for (let i = 0; i < indexSize(index); i++) {
    const entry = indexAt(index, i);
    assert(entry !== undefined, 'index entry in range');
    if (entry.lastOffset >= hw) break;
    if (entry.maxTimestamp >= timestamp) return { offset: Math.max(entry.baseOffset, logStart), timestamp: entry.maxTimestamp };
  }
  return { offset: -1 }; // Kafka's answer when no record is that new.
}
