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

/** Inserts keeping the list ordered by lastOffset (a duplicate retry may wait on an older offset). */
export function addWaiter(waiters: ProduceWaiter[], waiter: ProduceWaiter): void {
  let i = waiters.length;
  while (i > 0 && (waiters[i - 1] as ProduceWaiter).lastOffset > waiter.lastOffset) i--;
  waiters.splice(i, 0, waiter);
}

/** Removes and returns the waiters whose offset is now covered by `leo` or `hw`. */
export function takeCompleted(waiters: ProduceWaiter[], leo: number, hw: number): ProduceWaiter[] {
  assert(hw <= leo, 'takeCompleted: hw <= leo');
  const done: ProduceWaiter[] = [];
  let keep = 0;
  for (const w of waiters) {
    const reached = w.waitFor === 'leo' ? leo : hw;
    if (w.lastOffset < reached) done.push(w); else waiters[keep++] = w;
  }
  waiters.length = keep;
  return done;
}

/** Removes and returns the entries whose deadline passed. */
export function takeExpired<T extends { deadlineMs: number }>(items: T[], nowMs: number): T[] {
  const expired: T[] = [];
  let keep = 0;
  for (const item of items) {
    if (item.deadlineMs <= nowMs) expired.push(item); else items[keep++] = item;
  }
  items.length = keep;
  return expired;
}

/** Empties a list, returning what it held (leadership lost: every waiter gets an answer). */
export function takeAll<T>(items: T[]): T[] {
  const all = items.slice();
  items.length = 0;
  return all;
}
