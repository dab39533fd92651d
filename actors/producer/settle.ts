/**
 * Settling batches: an OK reply gives each record of the batch its offset; a failure marks the
 * records failed. A send is delivered to the SDK once all of its records are settled (one
 * `deliver` per send); flush and close are delivered once every earlier send is.
 */
import { assert } from '../assert.js';
import { deliver, type Fx } from '../kit/fx.js';
import type { Batch, ErrorInfo, FlushResult, PendingSend, ProducerContext, SendResult } from './types.js';
import { own } from '../kit/draft.js';
import { ownSend } from './draft.js';

function finish(ctx: ProducerContext, fx: Fx, send: PendingSend): void {
  assert(send.unsettled === 0, 'finish a settled send');
  own(ctx, 'sends').delete(send.requestId);
  const result: SendResult = send.error === undefined
    ? { ok: true, partitions: send.partitions, offsets: send.offsets }
    : { ok: false, code: send.error.code, message: send.error.message };
  deliver(fx, send.requestId, result);
}

function settle(ctx: ProducerContext, fx: Fx, batch: Batch, baseOffset: number, error: ErrorInfo | undefined): void {
  let position = 0;
  for (const slice of batch.slices) {
    const send = ownSend(ctx, slice.requestId);
    assert(send.unsettled >= slice.count, 'a batch settles records of a pending send');
    const offsets = own(send, 'offsets');
    for (let j = 0; j < slice.count; j++) offsets[slice.first + j] = baseOffset < 0 || error ? -1 : baseOffset + position + j;
    if (error !== undefined && send.error === undefined) send.error = error;
    send.unsettled -= slice.count;
    position += slice.count;
    if (send.unsettled === 0) finish(ctx, fx, send);
  }
  assert(position === batch.records.length, 'slices cover the batch');
  ctx.bufferedBytes -= batch.bytes;
  assert(ctx.bufferedBytes >= 0, 'buffered bytes never negative');
}

/** The leader wrote the batch at `baseOffset` (-1: acks=0, offsets unknown). */
export function settleOk(ctx: ProducerContext, fx: Fx, batch: Batch, baseOffset: number): void {
  settle(ctx, fx, batch, baseOffset, undefined);
}

export function settleFailed(ctx: ProducerContext, fx: Fx, batch: Batch, error: ErrorInfo): void {
  settle(ctx, fx, batch, -1, error);
}

/** Delivers flushes whose earlier sends are all settled, then a pending close. */
export function settleFlushes(ctx: ProducerContext, fx: Fx): void {
  const oldest = ctx.sends.values().next();
  const oldestArrival = oldest.done ? Infinity : oldest.value.arrival;
  let done = 0;
  while (done < ctx.flushes.length && (ctx.flushes[done] as { arrival: number }).arrival < oldestArrival) {
    deliver(fx, (ctx.flushes[done] as { requestId: number }).requestId, { ok: true } satisfies FlushResult);
    done++;
  }
  if (done > 0) ctx.flushes = ctx.flushes.slice(done);
  if (ctx.closing !== undefined && ctx.sends.size === 0) {
    deliver(fx, ctx.closing.requestId, { ok: true } satisfies FlushResult);
    ctx.closing = undefined;
    ctx.closed = true;
  }
}
