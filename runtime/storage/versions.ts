/**
 * The newest version of every versioned key of a LevelStore (keys.ts): meta values, and the first
 * offset each log keeps after `deleteBefore` (its start). Versions are written into the segment
 * current when they change, so older segments keep superseded ones until the store reclaims the
 * segment; this remembers where each newest version lives and which segments hold any version.
 */
import { assert } from '../../actors/assert.js';
import { decodeOffset } from './keys.js';
import type { VersionKind } from './keys.js';

/** The newest version of a name: its value (undefined: deleted) and the segment it was written in. */
export interface Version { value: Uint8Array | undefined; segment: number }

/** A newest version that lives in a segment about to be reclaimed. */
export interface Held { kind: VersionKind; name: string; version: Version }

export class Versions {
  private readonly newest: Record<VersionKind, Map<string, Version>> = { meta: new Map(), start: new Map() };
  /** Segments holding any version, newest or superseded. */
  private readonly held = new Set<number>();
  /** The newest starts, decoded: reads and appends ask for them. */
  private readonly starts = new Map<string, number>();

  meta(name: string): Uint8Array | undefined {
    return this.newest.meta.get(name)?.value;
  }

  /** The first offset `log` keeps: entries below it are deleted (0 when nothing was deleted). */
  start(log: string): number {
    return this.starts.get(log) ?? 0;
  }

  /** Logs that have a start above 0. */
  startedLogs(): string[] {
    return [...this.starts].filter(([, start]) => start > 0).map(([log]) => log);
  }

  /** A version was written (or read at open, in segment order): it supersedes the name's earlier ones. */
  apply(kind: VersionKind, name: string, segment: number, value: Uint8Array | undefined): void {
    const previous = this.newest[kind].get(name);
    assert(previous === undefined || previous.segment <= segment, 'versions apply in segment order');
    this.newest[kind].set(name, { value, segment });
    this.held.add(segment);
    if (kind === 'start') this.starts.set(name, value === undefined ? 0 : decodeOffset(value));
  }

  /** Segments that hold any version, ascending. */
  segments(): number[] {
    return [...this.held].sort((a, b) => a - b);
  }

  /** The newest versions living in `segment`. */
  heldIn(segment: number): Held[] {
    const out: Held[] = [];
    for (const kind of ['meta', 'start'] as const) {
      for (const [name, version] of this.newest[kind]) if (version.segment === segment) out.push({ kind, name, version });
    }
    return out;
  }

  /** The segment's versions were deleted: the newest ones still there are forgotten (the caller rewrote those it keeps). */
  dropped(segment: number): void {
    for (const { kind, name } of this.heldIn(segment)) {
      this.newest[kind].delete(name);
      if (kind === 'start') this.starts.delete(name);
    }
    this.held.delete(segment);
  }
}

/** A version as stored: 0x01 and the value, or 0x00 alone for a deletion. */
export function encodeVersion(value: Uint8Array | undefined): Uint8Array {
  if (value === undefined) return Uint8Array.of(0);
  const version = new Uint8Array(1 + value.byteLength);
  version[0] = 1;
  version.set(value, 1);
  return version;
}

export function decodeVersion(version: Uint8Array): Uint8Array | undefined {
  assert(version.byteLength >= 1 && (version[0] === 0 || version[0] === 1), 'a version starts with 0x00 or 0x01');
  return version[0] === 0 ? undefined : version.subarray(1);
}
