/**
 * A copy-on-write map from increasing integer ids (request ids) to values, for a context that
 * holds thousands of entries and changes a few per step (actors/kit/draft.ts). A plain Map there
 * is copied whole by the first change of every step: a producer with a backlog of pending sends
 * then spends each event copying the backlog, which grows the backlog. Here entries live in
 * chunks of CHUNK_IDS consecutive ids, and a step copies the index of chunks and the chunks it
 * changes, not the entries of the rest.
 *
 * Ids are added in increasing order, so iteration (chunk by chunk) is in id order, which is the
 * order they were added. Reading needs no ownership; changing needs the map owned by the step.
 */
import { assert } from '../assert.js';
import { fresh, isOwned, own, ownEntry } from './draft.js';

const CHUNK_IDS = 64;

export interface IdMap<V> {
  size: number;
  /** The largest id ever added (-1: none): ids only grow. */
  lastId: number;
  chunks: Map<number, Map<number, V>>;
}

export function emptyIdMap<V>(): IdMap<V> {
  return { size: 0, lastId: -1, chunks: new Map() };
}

const chunkOf = (id: number): number => Math.floor(id / CHUNK_IDS);

export function idGet<V>(map: IdMap<V>, id: number): V | undefined {
  return map.chunks.get(chunkOf(id))?.get(id);
}

export function idHas<V>(map: IdMap<V>, id: number): boolean {
  return map.chunks.get(chunkOf(id))?.has(id) ?? false;
}

/** Every value, in id order. */
export function* idValues<V>(map: IdMap<V>): IterableIterator<V> {
  for (const chunk of map.chunks.values()) yield* chunk.values();
}

/** The value of the smallest id, if any. */
export function idFirst<V>(map: IdMap<V>): V | undefined {
  for (const chunk of map.chunks.values()) for (const value of chunk.values()) return value;
  return undefined;
}

/** Adds `value` at a new `id`, larger than every id added before; `map` is owned by the step. */
export function idAdd<V>(map: IdMap<V>, id: number, value: V): void {
  assert(isOwned(map), 'idAdd: the map is owned by this step');
  if (!(Number.isSafeInteger(id) && id > map.lastId)) assert(false, `ids increase: ${id} after ${map.lastId}`);
  const chunks = own(map, 'chunks');
  const key = chunkOf(id);
  let chunk = ownEntry(chunks, key);
  if (chunk === undefined) {
    chunk = fresh(new Map<number, V>());
    chunks.set(key, chunk);
  }
  chunk.set(id, value);
  map.size++;
  map.lastId = id;
}

/** Removes `id`; `map` is owned by the step. An emptied chunk goes, so idFirst stays cheap. */
export function idDelete<V>(map: IdMap<V>, id: number): boolean {
  assert(isOwned(map), 'idDelete: the map is owned by this step');
  const key = chunkOf(id);
  if (!(map.chunks.get(key)?.has(id) ?? false)) return false;
  const chunks = own(map, 'chunks');
  const chunk = ownEntry(chunks, key);
  assert(chunk !== undefined, 'the chunk holding the id');
  chunk.delete(id);
  if (chunk.size === 0) chunks.delete(key);
  map.size--;
  assert(map.size >= 0, 'size never negative');
  return true;
}

/** The value at `id`, copied once per step so that the step may change it; `map` is owned by the step. */
export function ownIdEntry<V extends object>(map: IdMap<V>, id: number): V | undefined {
  assert(isOwned(map), 'ownIdEntry: the map is owned by this step');
  if (!idHas(map, id)) return undefined;
  const chunk = ownEntry(own(map, 'chunks'), chunkOf(id));
  assert(chunk !== undefined, 'the chunk holding the id');
  return ownEntry(chunk, id);
}
