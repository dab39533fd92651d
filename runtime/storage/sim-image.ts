/**
 * The in-memory contents of a simulated disk (every log as a sorted entry array, plus metadata)
 * and the write operations that change it. `applyWrite` is the only code that mutates an image:
 * the simulated store replays the same ordered operations over its durable base to get any layer.
 */
import { assert, unreachable } from '../../actors/assert.js';
import type { LogBounds, LogEntry } from './store.js';

export interface StoreImage {
  logs: Map<string, LogEntry[]>;
  meta: Map<string, Uint8Array>;
}

/** One atomic write: a crash or power loss keeps or loses it whole. */
export type WriteOp =
  | { kind: 'append'; log: string; entries: readonly LogEntry[] }
  | { kind: 'truncateFrom'; log: string; offset: number }
  | { kind: 'deleteBefore'; log: string; offset: number }
  | { kind: 'putMetas'; entries: ReadonlyArray<readonly [string, Uint8Array | undefined]> };

export function emptyImage(): StoreImage {
  return { logs: new Map(), meta: new Map() };
}

/** A copy whose arrays and maps can be mutated independently; entry values are shared (immutable). */
export function cloneImage(image: StoreImage): StoreImage {
  const logs = new Map<string, LogEntry[]>();
  for (const [log, entries] of image.logs) logs.set(log, entries.slice());
  return { logs, meta: new Map(image.meta) };
}

/** Index of the first entry whose base offset is ≥ `offset` (entries.length if none). */
export function lowerBound(entries: readonly LogEntry[], offset: number): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((entries[mid] as LogEntry).offset < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function lastOffset(image: StoreImage, log: string): number | undefined {
  const entries = image.logs.get(log);
  return entries === undefined ? undefined : entries[entries.length - 1]?.offset;
}

export function applyWrite(image: StoreImage, op: WriteOp): void {
  switch (op.kind) {
    case 'append': {
      const entries = image.logs.get(op.log) ?? [];
      const first = (op.entries[0] as LogEntry).offset;
      assert(entries.length === 0 || (entries[entries.length - 1] as LogEntry).offset < first, 'replayed append not above last');
      for (const entry of op.entries) entries.push(entry);
      image.logs.set(op.log, entries);
      return;
    }
    case 'truncateFrom': return keep(image, op.log, (entries) => entries.slice(0, lowerBound(entries, op.offset)));
    case 'deleteBefore': return keep(image, op.log, (entries) => entries.slice(lowerBound(entries, op.offset)));
    case 'putMetas':
      for (const [key, value] of op.entries) {
        if (value === undefined) image.meta.delete(key);
        else image.meta.set(key, value);
      }
      return;
    default: return unreachable(op);
  }
}

/** Replaces a log's entries; an emptied log disappears, so `logs()` lists only non-empty ones. */
function keep(image: StoreImage, log: string, select: (entries: LogEntry[]) => LogEntry[]): void {
  const entries = image.logs.get(log);
  if (entries === undefined) return;
  const kept = select(entries);
  if (kept.length === 0) image.logs.delete(log);
  else image.logs.set(log, kept);
}

/** Entries from the one containing `fromOffset` (or the first above it), at least one, ≤ bytesMax. */
export function readImage(image: StoreImage, log: string, fromOffset: number, bytesMax: number): LogEntry[] {
  const entries = image.logs.get(log) ?? [];
  const at = lowerBound(entries, fromOffset);
  const start = entries[at]?.offset === fromOffset || at === 0 ? at : at - 1;
  const out: LogEntry[] = [];
  let bytes = 0;
  for (let i = start; i < entries.length; i++) {
    const entry = entries[i] as LogEntry;
    if (out.length > 0 && bytes + entry.value.byteLength > bytesMax) break;
    out.push(copyEntry(entry));
    bytes += entry.value.byteLength;
  }
  return out;
}

export function imageBounds(image: StoreImage, log: string): LogBounds {
  const entries = image.logs.get(log);
  const first = entries?.[0];
  const last = entries?.[entries.length - 1];
  return { first: first?.offset, last: last === undefined ? undefined : copyEntry(last) };
}

export function copyEntry(entry: LogEntry): LogEntry {
  return { offset: entry.offset, value: new Uint8Array(entry.value) };
}
