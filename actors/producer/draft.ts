/**
 * The producer's copy-on-write helpers (actors/kit/draft.ts): a handler changes a queue, a batch
 * or a pending send only through these, which copy it (once per step) into the step's draft of the
 * context, so the snapshot the event started from is never changed. Record bytes and encoded
 * batches are shared, never copied.
 */
import { assert } from '../assert.js';
import { fresh, isOwned, own, ownEntry } from '../kit/draft.js';
import { ownIdEntry } from '../kit/id-map.js';
import type { Batch, PartitionQueue, PendingSend, ProducerContext } from './types.js';

/** The queue at `key`, owned by this step. */
export function ownQueue(ctx: ProducerContext, key: string): PartitionQueue {
  const q = ownEntry(own(ctx, 'queues'), key);
  if (q === undefined) assert(false, `queue ${key} exists`);
  return q;
}

/** A batch of an owned queue (open, ready or in flight), owned by this step and put in its place. */
export function ownBatch(q: PartitionQueue, b: Batch): Batch {
  assert(isOwned(q), 'ownBatch: the queue is owned');
  if (isOwned(b)) return b;
  const mine = fresh({ ...b });
  if (q.open === b) { q.open = mine; return mine; }
  for (const list of ['ready', 'inFlight'] as const) {
    const i = q[list].indexOf(b);
    if (i >= 0) { own(q, list)[i] = mine; return mine; }
  }
  assert(false, `batch ${b.id} belongs to its queue`);
}

/** `b` without its corr (its attempt is abandoned), owned by this step: itself when owned, else a copy. */
export function withoutCorr(b: Batch): Batch {
  if (isOwned(b)) { b.corr = undefined; return b; }
  return fresh({ ...b, corr: undefined });
}

/** The pending send that arrived `arrival`-th, owned by this step. */
export function ownSend(ctx: ProducerContext, arrival: number): PendingSend {
  const send = ownIdEntry(own(ctx, 'sends'), arrival);
  if (send === undefined) assert(false, `send ${arrival} is pending`);
  return send;
}
