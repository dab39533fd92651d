/**
 * What a LevelStore deletes for good when a segment ends (pure: decided from the index and the
 * versions). `deleteBefore` only moves a log's start (a version), so retention costs one small
 * write; the entries below a start stay in their segments until the next segment roll, when they go
 * in one batch of deletions the store writes into a memtable of its own. A segment that then holds
 * no log entry goes too, with its versions, once the newest versions it holds are written again
 * into the segment that is ending — meta deletions and starts only while an older segment could
 * still hold a version they supersede: once the entries below a start are gone it hides nothing else.
 *
 * What stays: a segment lives while any log keeps an entry in it, and with it one version of each
 * meta key written during it (versions written in one segment share a key) — a few dozen bytes per
 * key per segment of tens of MB, so it grows with the data kept, not with the writes made.
 */
import type { VersionKind } from './keys.js';
import type { SegmentIndex, Touched } from './segment-index.js';
import type { Versions } from './versions.js';

export interface LogCut { log: string; start: number; touched: Touched[] }

export interface ReclaimPlan {
  /** Per log, the segments holding entries below its start, each whole or cut at the start. */
  cuts: LogCut[];
  /** Segments left with no log entry: their versions are deleted. */
  segments: number[];
  /** Newest versions in those segments that must live on, written into the ending segment first. */
  rewrite: Array<{ kind: VersionKind; name: string; value: Uint8Array | undefined }>;
  /** The index as it is once the cuts are done. */
  after: SegmentIndex;
}

/** `reclaimed`: per log, the start up to which its entries are already gone. */
export function planReclaim(index: SegmentIndex, versions: Versions, reclaimed: ReadonlyMap<string, number>, ending: number): ReclaimPlan {
  const after = index.clone();
  const cuts: LogCut[] = [];
  for (const log of versions.startedLogs()) {
    const start = versions.start(log);
    if ((reclaimed.get(log) ?? 0) >= start || after.of(log).length === 0) continue;
    const { touched, apply } = after.deleteBefore(log, start);
    apply();
    cuts.push({ log, start, touched });
  }
  const inUse = after.segmentsInUse();
  const segments = versions.segments().filter((s) => s < ending && !inUse.has(s));
  const gone = new Set(segments);
  const kept = [...inUse, ...versions.segments().filter((s) => !gone.has(s)), ending];
  const oldestKept = Math.min(...kept);
  const rewrite: ReclaimPlan['rewrite'] = [];
  for (const segment of segments) {
    for (const { kind, name, version } of versions.heldIn(segment)) {
      // A meta deletion or a start matters only while an older segment may hold a version it supersedes
      // (a start hides nothing else once the entries below it are gone).
      if ((kind === 'start' || version.value === undefined) && oldestKept > segment) continue;
      rewrite.push({ kind, name, value: version.value });
    }
  }
  return { cuts, segments, rewrite, after };
}
