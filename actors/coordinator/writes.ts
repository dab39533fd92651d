/**
 * The coordinator's only storage: records produced (acks=all, with the leader epoch it was spawned
 * in) to its own `__consumer_offsets` replica. State changes apply in memory at once; the replies
 * and reports that announce them wait in the batch's outbox until the batch and every batch before
 * it are acknowledged, so nothing is announced that a failover could forget.
 *
 * Batches are pipelined (pipeline.ts): up to five in flight, as an idempotent Kafka producer sends
 * them. Their producer sequences keep the log a prefix of what the coordinator wrote, whatever the
 * network loses or reorders: a batch lands only behind every batch before it. Later records queue
 * (and coalesce) behind a full pipeline. A write that fails for good makes the coordinator reload
 * from the log (the source of truth), answering COORDINATOR_NOT_AVAILABLE to everything waiting —
 * or, when a newer leader epoch refused it, go fenced.
 */
import { assert } from '../assert.js';
import type { Fx } from '../kit/fx.js';
import { pump } from './pipeline.js';
import { recordBytes, type CoordRecord } from './records.js';
import type { CoordinatorContext, Outbox, WriteBatch } from './types.js';
import { countPending, emit, mergeOutbox } from './write-state.js';

export { emit, emptyWrites, failPending, isFencing, memberPending, newOutbox, wallMs, writeFailed } from './write-state.js';

/**
 * Appends records; the outbox is sent once they and everything written before them are
 * acknowledged (at once when there are none and nothing waits).
 */
export function write(ctx: CoordinatorContext, fx: Fx, records: readonly CoordRecord[], outbox: Outbox): void {
  assert(ctx.phase === 'serving', 'only a serving coordinator writes: a loading one is rebuilding what it would write over');
  const queue = ctx.writes.queue;
  if (records.length === 0) return waitBehindWrites(ctx, fx, outbox);
  countPending(ctx, records, 1);
  const last = queue[queue.length - 1];
  const bytes = records.reduce((sum, r) => sum + recordBytes(r), 0);
  const next = [...queue];
  if (last !== undefined && last.checkpoint === undefined && last.bytes + bytes <= ctx.knobs.batchBytesMax) {
    next[next.length - 1] = { records: [...last.records, ...records], bytes: last.bytes + bytes, outbox: mergeOutbox(last.outbox, outbox) };
  } else {
    next.push({ records: [...records], bytes, outbox });
  }
  const tail = next[next.length - 1] as WriteBatch;
  assert(tail.bytes <= ctx.knobs.batchBytesMax || tail.records.length === records.length, 'records coalesce only within the batch size');
  ctx.writes = { ...ctx.writes, queue: next };
  pump(ctx, fx);
}

/** An outbox with no records of its own goes out with the last batch written before it. */
function waitBehindWrites(ctx: CoordinatorContext, fx: Fx, outbox: Outbox): void {
  const { pipeline, queue } = ctx.writes;
  const lastQueued = queue[queue.length - 1];
  const lastSent = pipeline[pipeline.length - 1];
  const replies = outbox.replies.length;
  if (lastQueued !== undefined) {
    ctx.writes = { ...ctx.writes, queue: [...queue.slice(0, -1), { ...lastQueued, outbox: mergeOutbox(lastQueued.outbox, outbox) }] };
  } else if (lastSent !== undefined) {
    ctx.writes = { ...ctx.writes, pipeline: [...pipeline.slice(0, -1), { ...lastSent, batch: { ...lastSent.batch, outbox: mergeOutbox(lastSent.batch.outbox, outbox) } }] };
  } else {
    emit(fx, outbox);
    return;
  }
  const waiting = ctx.writes.queue[ctx.writes.queue.length - 1]?.outbox ?? ctx.writes.pipeline[ctx.writes.pipeline.length - 1]?.batch.outbox;
  assert(waiting !== undefined && waiting.replies.length >= replies, 'the outbox waits on the last batch written');
  // A batch still in the pipeline must be behind an unacknowledged one, or nothing would ever drain it and its replies.
  assert(lastQueued !== undefined || pipeline.some((p) => p.ackedOffset === undefined), 'the outbox waits on a batch still to be acknowledged');
}

