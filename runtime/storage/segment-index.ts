/**
 * Which segments of a node's LevelDB hold entries of which log (keys.ts: a log entry's key starts
 * with its segment). Per log, its segments in ascending order, each with the lowest base offset it
 * holds. Offsets rise with segments: an append goes to the newest segment, and a truncation removes
 * every entry at or above its offset in all segments, so entries written after it are above any
 * entry an older segment still holds. So the segment holding an offset is the last one whose
 * `first` is not above it.
 *
 * `first` is exact, except for a log's oldest segment after `deleteBefore` cut into it: then it is
 * the cut (no entry below it remains, and there is no older segment).
 */
export interface SegmentRef { segment: number; first: number }

export class SegmentIndex {
  private readonly logs = new Map<string, SegmentRef[]>();

  /** The log's segments, oldest first (empty when the log has none). */
  of(log: string): readonly SegmentRef[] {
    return this.logs.get(log) ?? [];
  }

  /** Position in `of(log)` of the segment whose entries an offset falls among (0 when below them all). */
  positionOf(log: string, offset: number): number {
    const refs = this.of(log);
    let position = 0;
    for (let i = 0; i < refs.length; i++) if ((refs[i] as SegmentRef).first <= offset) position = i;
    return position;
  }

  /** An append of entries from `first` landed in `segment`. */
  appended(log: string, segment: number, first: number): void {
    const refs = this.logs.get(log);
    if (refs === undefined) { this.logs.set(log, [{ segment, first }]); return; }
    const last = refs[refs.length - 1] as SegmentRef;
    if (last.segment !== segment) refs.push({ segment, first });
  }

  /**
   * What removing the entries at or above `offset` touches: the segments that hold any (the first
   * of them cut at `offset`, the rest whole). `apply` then forgets the segments left with none; the
   * caller applies it once the entries are gone, so a failed deletion leaves the index as it was.
   */
  truncateFrom(log: string, offset: number): { touched: Touched[]; apply: () => void } {
    const refs = [...this.of(log)];
    const touched: Touched[] = [];
    while (refs.length > 0) {
      const last = refs[refs.length - 1] as SegmentRef;
      if (last.first >= offset) { touched.unshift({ segment: last.segment, whole: true }); refs.pop(); continue; }
      touched.unshift({ segment: last.segment, whole: false });
      break;
    }
    return { touched, apply: () => this.replace(log, refs) };
  }

  /**
   * What removing the entries below `offset` touches: the segments that hold any (the last of them
   * cut at `offset`, the rest whole), with `apply` as for `truncateFrom`.
   */
  deleteBefore(log: string, offset: number): { touched: Touched[]; apply: () => void } {
    const refs = this.of(log).map((ref) => ({ ...ref }));
    const touched: Touched[] = [];
    while (refs.length > 0) {
      const oldest = refs[0] as SegmentRef;
      const next = refs[1];
      if (next !== undefined && next.first <= offset) { touched.push({ segment: oldest.segment, whole: true }); refs.shift(); continue; }
      touched.push({ segment: oldest.segment, whole: false });
      if (oldest.first < offset) oldest.first = offset;
      break;
    }
    return { touched, apply: () => this.replace(log, refs) };
  }

  /** Logs with at least one segment. */
  names(): string[] {
    return [...this.logs.keys()];
  }

  /** Takes over the state of a copy the changes were tried on. */
  replaceWith(other: SegmentIndex): void {
    this.logs.clear();
    for (const [log, refs] of other.logs) this.logs.set(log, refs);
  }

  /** Every segment some log's entries are in. */
  segmentsInUse(): Set<number> {
    const out = new Set<number>();
    for (const refs of this.logs.values()) for (const { segment } of refs) out.add(segment);
    return out;
  }

  /** A copy to try changes on. */
  clone(): SegmentIndex {
    const copy = new SegmentIndex();
    for (const [log, refs] of this.logs) copy.logs.set(log, refs.map((ref) => ({ ...ref })));
    return copy;
  }

  private replace(log: string, refs: SegmentRef[]): void {
    if (refs.length === 0) this.logs.delete(log);
    else this.logs.set(log, refs);
  }
}

/** A segment a deletion reaches: all of the log's entries in it, or those on one side of the offset. */
export interface Touched { segment: number; whole: boolean }
