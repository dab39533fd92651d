/**
 * Requests waiting on the log (Kafka's DelayedProduce / DelayedFetch purgatories), ordered by the
 * offset they wait for. A produce waits until the LEO (acks=1: the leader's own write) or the HW
 * (acks=all: committed) passes its last offset, or until its deadline. A long-poll fetch waits
 * until there is data for it or its deadline. Both lists are bounded by the caller.
 */
import { assert } from '../assert.js';

export interface ProduceWaiter {
  to: string;
  corr: number | undefined;
  baseOffset: number;
  lastOffset: number;
  /** 'leo' for acks=1, 'hw' for acks=all. */
  waitFor: 'leo' | 'hw';
  deadlineMs: number;
}

/** A new list with `waiter` inserted in lastOffset order (a duplicate retry may wait on an older offset). */
export function withWaiter(waiters: readonly ProduceWaiter[], waiter: ProduceWaiter): ProduceWaiter[] {
  let i = waiters.length;
  while (i > 0 && (waiters[i - 1] as ProduceWaiter).lastOffset > waiter.lastOffset) i--;
  const out = waiters.slice(0, i);
  out.push(waiter);
  for (let j = i; j < waiters.length; j++) out.push(waiters[j] as ProduceWaiter);
  assert(out.length === waiters.length + 1, 'one waiter added');
  return out;
}

/** The waiters whose offset `leo` or `hw` now covers, and the rest (the same list when none is). */
export function splitCompleted(waiters: readonly ProduceWaiter[], leo: number, hw: number): [done: ProduceWaiter[], rest: readonly ProduceWaiter[]] {
  assert(hw <= leo, 'splitCompleted: hw <= leo');
  return split(waiters, (w) => w.lastOffset < (w.waitFor === 'leo' ? leo : hw));
}

/** The entries whose deadline passed, and the rest (the same list when none did). */
export function splitExpired<T extends { deadlineMs: number }>(items: readonly T[], nowMs: number): [expired: T[], rest: readonly T[]] {
  return split(items, (item) => item.deadlineMs <= nowMs);
}

/** Never changes `items`: the caller replaces its list with `rest`. */
function split<T>(items: readonly T[], taken: (item: T) => boolean): [T[], readonly T[]] {
  const out: T[] = [];
  const rest: T[] = [];
  for (const item of items) (taken(item) ? out : rest).push(item);
  assert(out.length + rest.length === items.length, 'split keeps every item');
  return [out, out.length === 0 ? items : rest];
}
