/**
 * The sticky partitioner for unkeyed records (KIP-480): all unkeyed records of a topic go to one
 * partition until the batch they fill is closed (sent), then a new partition is drawn at random —
 * from the partitions that have a leader, avoiding the previous one when there is a choice — so
 * unkeyed traffic makes few, full batches instead of many small ones. The state is plain data in
 * the actor's context and the randomness is the context PRNG (actors/prng.ts).
 */
import { assert } from '../assert.js';
import { nextInt } from '../prng.js';

/** Per topic: the partition unkeyed records stick to now, and the one they stuck to before. A value: changes return a new state. */
export interface StickyState { readonly current: ReadonlyMap<string, number>; readonly previous: ReadonlyMap<string, number> }

export function createSticky(): StickyState { return { current: new Map(), previous: new Map() }; }

export interface StickyChoice { partition: number; prng: number; sticky: StickyState }

/**
 * The sticky partition of `topic`, drawing one when there is none. `available` lists the
 * partitions with a leader (may be empty: then any of `partitionCount` is drawn); given as a
 * function, it is called only when a partition is drawn, not for every record that sticks.
 */
export function stickyPartition(sticky: StickyState, topic: string, partitionCount: number,
    available: readonly number[] | (() => readonly number[]), prng: number): StickyChoice {
  assert(partitionCount > 0, 'partitionCount > 0');
  const current = sticky.current.get(topic);
  if (current !== undefined && current < partitionCount) return { partition: current, prng, sticky };
  const choice = drawPartition(partitionCount, typeof available === 'function' ? available() : available, sticky.previous.get(topic), prng);
  return { ...choice, sticky: { current: new Map(sticky.current).set(topic, choice.partition), previous: sticky.previous } };
}

function drawPartition(partitionCount: number, available: readonly number[], previous: number | undefined, prng: number): { partition: number; prng: number } {
  const pool = available.length > 0 ? available : Array.from({ length: partitionCount }, (_, i) => i);
  const candidates = pool.length > 1 && previous !== undefined ? pool.filter((p) => p !== previous) : pool;
  assert(candidates.length > 0, 'a partition to draw from');
  const [index, next] = nextInt(prng, 0, candidates.length - 1);
  const partition = candidates[index] as number;
  assert(partition >= 0 && partition < partitionCount, 'drawn partition in range');
  return { partition, prng: next };
}

/** A batch of `topic`/`partition` was closed: unkeyed records move on if they stuck there. */
export function onBatchClosed(sticky: StickyState, topic: string, partition: number): StickyState {
  if (sticky.current.get(topic) !== partition) return sticky;
  const current = new Map(sticky.current);
  current.delete(topic);
  return { current, previous: new Map(sticky.previous).set(topic, partition) };
}
