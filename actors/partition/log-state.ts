/**
 * Log position math: the leader-epoch cache (KIP-101) and the divergence rules of KIP-279/595.
 *
 * The epoch cache is a list of (epoch, startOffset) entries, strictly increasing in both. The end
 * offset of epoch e is the start offset of the next entry, or the log end offset (LEO) for the
 * latest epoch. Pure functions: they return new arrays and never mutate their arguments.
 */
import { assert } from '../assert.js';

export interface EpochEntry { epoch: number; startOffset: number }
/** The answer to "where does epoch e end?": the largest known epoch ≤ e and its end offset. */
export interface EpochEnd { epoch: number; endOffset: number }

export const NO_EPOCH = -1;

export function latestEpoch(epochs: readonly EpochEntry[]): number {
  return epochs.length === 0 ? NO_EPOCH : (epochs[epochs.length - 1] as EpochEntry).epoch;
}

export function checkEpochs(epochs: readonly EpochEntry[]): void {
  for (let i = 1; i < epochs.length; i++) {
    const prev = epochs[i - 1] as EpochEntry;
    const next = epochs[i] as EpochEntry;
    assert(next.epoch > prev.epoch, `epoch cache epochs not increasing at ${i}`);
    assert(next.startOffset > prev.startOffset, `epoch cache start offsets not increasing at ${i}`);
  }
}

/**
 * Records that `epoch` starts at `startOffset` when it is newer than the latest cached epoch.
 * An entry for an epoch that produced no batches (same start offset) is replaced, keeping the
 * start offsets strictly increasing. Returns undefined when nothing changed.
 */
export function assignEpoch(epochs: readonly EpochEntry[], epoch: number, startOffset: number): EpochEntry[] | undefined {
  assert(epoch >= 0 && startOffset >= 0, 'assignEpoch: epoch and offset are non-negative');
  const latest = epochs[epochs.length - 1];
  if (latest !== undefined && epoch <= latest.epoch) return undefined;
  assert(latest === undefined || startOffset >= latest.startOffset, 'an epoch cannot start before the latest one');
  const kept = latest !== undefined && latest.startOffset === startOffset ? epochs.slice(0, -1) : epochs.slice();
  kept.push({ epoch, startOffset });
  return kept;
}

/** Where `epoch` ends in a log that ends at `leo`; {-1, -1} when no cached epoch is ≤ `epoch`. */
export function endOffsetForEpoch(epochs: readonly EpochEntry[], epoch: number, leo: number): EpochEnd {
  for (let i = epochs.length - 1; i >= 0; i--) {
    const entry = epochs[i] as EpochEntry;
    if (entry.epoch > epoch) continue;
    const next = epochs[i + 1];
    return { epoch: entry.epoch, endOffset: next === undefined ? leo : next.startOffset };
  }
  return { epoch: NO_EPOCH, endOffset: NO_EPOCH };
}

/** The start offset of `epoch` if cached. */
export function epochStartOffset(epochs: readonly EpochEntry[], epoch: number): number | undefined {
  for (const entry of epochs) if (entry.epoch === epoch) return entry.startOffset;
  return undefined;
}

/**
 * The leader's divergence check on a fetch (KIP-595 in Fetch): the follower's last fetched epoch
 * must be one the leader knows and must not end before the fetch offset. Otherwise the answer
 * names where the follower's log stops agreeing with the leader's.
 */
export function divergence(epochs: readonly EpochEntry[], leo: number, fetchOffset: number, lastFetchedEpoch: number): EpochEnd | undefined {
  if (lastFetchedEpoch < 0) return undefined;
  const end = endOffsetForEpoch(epochs, lastFetchedEpoch, leo);
  if (end.epoch === lastFetchedEpoch && end.endOffset >= fetchOffset) return undefined;
  return end;
}

/**
 * Where a follower truncates on a diverging epoch (after Kafka's fetcher): when it knows the
 * leader's epoch, the smaller of both end offsets (done); when it does not, the end of its own
 * largest smaller epoch, then it fetches again (KIP-279: the next answer refines it). Unknown
 * epochs on both sides fall back to the HW, which every ISR member holds.
 */
export function truncationOffset(epochs: readonly EpochEntry[], leo: number, hw: number, diverging: EpochEnd): number {
  if (diverging.epoch < 0 || diverging.endOffset < 0) return Math.min(hw, leo);
  const own = endOffsetForEpoch(epochs, diverging.epoch, leo);
  if (own.epoch < 0) return Math.min(hw, leo);
  if (own.epoch !== diverging.epoch) return Math.min(own.endOffset, leo);
  return Math.min(own.endOffset, diverging.endOffset, leo);
}

/** Drops cache entries that start at or past a truncation point. */
export function truncateEpochs(epochs: readonly EpochEntry[], offset: number): EpochEntry[] {
  return epochs.filter((entry) => entry.startOffset < offset);
}

/**
 * The cache after a restart: entries past the recovered log end are dropped (their batches were
 * lost with unsynced writes), and entries wholly before the log start collapse into one.
 */
export function recoverEpochs(epochs: readonly EpochEntry[], logStart: number, leo: number): EpochEntry[] {
  const kept = epochs.filter((entry) => entry.startOffset <= leo);
  let first = 0;
  while (first + 1 < kept.length && (kept[first + 1] as EpochEntry).startOffset <= logStart) first++;
  return kept.slice(first);
}

export function epochsToMeta(epochs: readonly EpochEntry[]): Array<[number, number]> {
  return epochs.map((e) => [e.epoch, e.startOffset]);
}

/** Parses the `epochs` meta value; anything malformed is a corrupt store (assert). */
export function epochsFromMeta(value: unknown): EpochEntry[] {
  if (value === undefined) return [];
  assert(Array.isArray(value), 'epochs meta must be an array');
  const epochs = value.map((pair: unknown) => {
    assert(Array.isArray(pair) && pair.length === 2, 'epochs meta entry must be a pair');
    const [epoch, startOffset] = pair as [unknown, unknown];
    assert(Number.isSafeInteger(epoch) && Number.isSafeInteger(startOffset), 'epochs meta entry must be integers');
    return { epoch: epoch as number, startOffset: startOffset as number };
  });
  checkEpochs(epochs);
  return epochs;
}
