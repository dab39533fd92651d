/**
 * Copy-on-write for handlers, so that xstate's `transition()` stays pure: a handler works on a
 * draft of the context and may change in place only objects it owns in this step. `own(parent,
 * key)` replaces `parent[key]` by a shallow copy the first time in a step and returns it; later
 * calls in the same step return that copy. Everything not touched stays shared with the snapshot
 * the step started from (structural sharing), and bulk data (record bytes) is never copied.
 *
 * One step runs at a time (handlers are synchronous), so the set of objects owned in the current
 * step is module state, replaced at the start of each step (step-action.ts).
 */
import { assert } from '../assert.js';

let owned = new WeakSet<object>();

/** Starts a step: a shallow copy of the context, owned by the step. */
export function draftOf<C extends object>(context: C): C {
  owned = new WeakSet();
  const draft = { ...context };
  owned.add(draft);
  return draft;
}

/** Whether this step may change `value` in place (it made it, or copied it with `own`). */
export function isOwned(value: object): boolean { return owned.has(value); }

function copy<T extends object>(value: T): T {
  if (Array.isArray(value)) return value.slice() as T;
  if (value instanceof Map) return new Map(value) as T;
  if (value instanceof Set) return new Set(value) as T;
  assert(Object.getPrototypeOf(value) === Object.prototype, 'own copies plain objects, arrays, Maps and Sets');
  return { ...value };
}

/** Marks a value this step created as owned: later `own` calls on it do not copy it again. */
export function fresh<T extends object>(value: T): T {
  owned.add(value);
  return value;
}

/** `parent[key]`, copied once per step so that the step may change it; `parent` must be owned. */
export function own<P extends object, K extends keyof P>(parent: P, key: K): NonNullable<P[K]> & object {
  if (!owned.has(parent)) assert(false, `own(${String(key)}): the parent is not owned by this step`);
  const value = parent[key];
  if (!(typeof value === 'object' && value !== null)) assert(false, `own(${String(key)}): an object`);
  if (owned.has(value)) return value as NonNullable<P[K]> & object;
  const mine = copy(value);
  owned.add(mine);
  parent[key] = mine as P[K];
  return mine as NonNullable<P[K]> & object;
}

/** The value at `key` of an owned Map, copied once per step so that the step may change it. */
export function ownEntry<K, V extends object>(map: Map<K, V>, key: K): V | undefined {
  assert(owned.has(map), 'ownEntry: the Map is not owned by this step');
  const value = map.get(key);
  if (value === undefined || owned.has(value)) return value;
  const mine = copy(value);
  owned.add(mine);
  map.set(key, mine);
  assert(map.get(key) === mine && mine !== value, 'the Map holds the step\'s own copy');
  return mine;
}
