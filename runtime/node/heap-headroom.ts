/**
 * V8 heap headroom for a node process. A node's live JavaScript heap is small (about 16 MB under
 * load) while it moves tens of MB/s through ArrayBuffers that live a little while (messages in
 * flight, batches in a replica's tail cache) and then die: NATS reads and reassembly, envelope
 * encoding, storage reads. V8 counts ArrayBuffer bytes allocated since the last full collection
 * against the old generation's headroom, and that headroom is the live heap times a growing
 * factor (about 2.4 here: a 39 MB limit for 16 MB live). So a node at 1 KiB saturation ran a full
 * mark-compact every 100-150 ms (10-30 ms each) with its heap barely changed.
 *
 * The fix is a floor under the headroom, not a larger factor: after each full collection the
 * growing factor is set so that the next limit is at least the live heap plus `headroomBytes`,
 * and left to V8 once the live heap is large enough that its own factor gives that room (a larger
 * factor on a large heap, such as 10,000 idle replicas, would let hundreds of MB of garbage pile
 * up). bench/RESULTS.md, "Performance, fifth round".
 */
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';

export const HEAP_HEADROOM_MB_DEFAULT = 64;
const MB = 1024 * 1024;
/** Below this the percent is left at 0 (V8's own factor, between 1.1 and 4, decides). */
const PERCENT_LEFT_TO_V8 = 150;
const PERCENT_MAX = 1000;
/** Percents are rounded up to this step, so that the flag changes only when the heap really moved. */
const PERCENT_STEP = 50;

/** True for a `gc` performance entry of a full mark-compact. */
export function isFullCollection(entry: PerformanceEntry): boolean {
  return (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR;
}

/** Headroom in MB from BROOK_HEAP_HEADROOM_MB (0: V8 decides alone); a bad value is refused. */
export function heapHeadroomMb(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env['BROOK_HEAP_HEADROOM_MB'];
  if (raw === undefined || raw === '') return HEAP_HEADROOM_MB_DEFAULT;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0 || value > 4096) throw new RangeError(`BROOK_HEAP_HEADROOM_MB must be an integer in 0..4096, got '${raw}'`);
  return value;
}

/**
 * V8's --heap-growing-percent (factor 1 + percent/100) that leaves `headroomBytes` above a live
 * heap of `liveBytes`; 0 when V8's own factor already does.
 */
export function growingPercentFor(liveBytes: number, headroomBytes: number): number {
  if (headroomBytes <= 0) return 0;
  const percent = Math.ceil((headroomBytes * 100) / Math.max(liveBytes, MB) / PERCENT_STEP) * PERCENT_STEP;
  return percent <= PERCENT_LEFT_TO_V8 ? 0 : Math.min(percent, PERCENT_MAX);
}

/**
 * Keeps the headroom floor for this process: sets the growing percent for the current heap now
 * and again after every full collection. Returns the headroom in MB (0: off).
 */
export function applyHeapHeadroom(env: NodeJS.ProcessEnv = process.env): number {
  const headroomMb = heapHeadroomMb(env);
  if (headroomMb === 0) return 0;
  let applied = -1;
  const adjust = (): void => {
    const percent = growingPercentFor(getHeapStatistics().used_heap_size, headroomMb * MB);
    if (percent === applied) return;
    // Read by V8 each time it computes the next limit, so a change applies from the next collection.
    setFlagsFromString(`--heap-growing-percent=${percent}`);
    applied = percent;
  };
  adjust();
  new PerformanceObserver((list) => {
    if (list.getEntries().some(isFullCollection)) adjust();
  }).observe({ entryTypes: ['gc'] });
  return headroomMb;
}
