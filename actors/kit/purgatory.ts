/**
 * The offset-ordered purgatory (Kafka's DelayedOperationPurgatory for produce, KRaft's
 * DeferredEventQueue for the controller): requests wait, ordered by the offset they need, until a
 * watermark passes them or their deadline does. The lists are never changed in place: each call
 * returns a new list, or the same one when nothing moved, so a snapshot that holds the old list
 * keeps it as it was (pure transitions).
 */
import { assert } from '../assert.js';

/** A new list with `waiter` inserted in `offsetOf` order, after every waiter with the same offset. */
export function waitInOrder<T>(waiters: readonly T[], waiter: T, offsetOf: (w: T) => number): T[] {
  const offset = offsetOf(waiter);
  let i = waiters.length;
  while (i > 0 && offsetOf(waiters[i - 1] as T) > offset) i--;
  const out = waiters.slice(0, i);
  out.push(waiter);
  for (let j = i; j < waiters.length; j++) out.push(waiters[j] as T);
  assert(out.length === waiters.length + 1, 'one waiter added');
  assert(i === 0 || offsetOf(out[i - 1] as T) <= offset, 'the waiter stands after every earlier offset');
  return out;
}

/** The items `taken` picks, and the rest (the same list when none is): the caller replaces its list with `rest`. */
export function splitWhere<T>(items: readonly T[], taken: (item: T) => boolean): [taken: T[], rest: readonly T[]] {
  const out: T[] = [];
  const rest: T[] = [];
  for (const item of items) (taken(item) ? out : rest).push(item);
  assert(out.length + rest.length === items.length, 'split keeps every item');
  return [out, out.length === 0 ? items : rest];
}

/** The entries whose deadline passed, and the rest (the same list when none did). */
export function splitExpired<T extends { deadlineMs: number }>(items: readonly T[], nowMs: number): [expired: T[], rest: readonly T[]] {
  return splitWhere(items, (item) => item.deadlineMs <= nowMs);
}
